// Service-to-service copies S3 → Azure: Azure (Azurite behind the from-URL proxy) fetches the object from a
// presigned s3rver URL itself, so FileFerry reads none of its bytes; when Azure cannot reach the source (the
// "private endpoint" case) the engine streams instead and says why. Also: verification failures on an atomic
// target remove a new bad object but never silently delete a file that existed before.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { ConnectionRef } from '../../shared/connection';
import type { FromUrlWriteOptions, Provider, ReadOptions, WriteOptions } from '../../shared/provider';
import type { TransferRequest } from '../../shared/transfers';
import { TransferEngine } from '../../main/core/transfers';
import { patternBytes, patternSha256 } from '../helpers/pattern';
import { cancelledError } from '../../shared/errors';
import { onAbort } from '../../main/core/util/abort';
import { MiB, objectGets, providerSha256, startClouds, writePatternFile, type Clouds } from './cloud-fixtures';
import {
  holdUntilReleased,
  localRef,
  removeDirs,
  runOneJob,
  runShowingServiceProgress,
  tempDir,
  treeOf,
  wrapProvider,
} from './fixtures';
import { until } from '../helpers/until';

describe('service-to-service copies S3 → Azure', () => {
  let clouds: Clouds;
  const dirs: string[] = [];

  before(async () => {
    clouds = await startClouds();
  });
  after(async () => {
    await clouds?.stop();
    await removeDirs(...dirs);
  });

  async function run(
    request: Omit<TransferRequest, 'source' | 'target'> & {
      source: [ConnectionRef, string];
      target: [ConnectionRef, string];
    },
    openConnection = clouds.openConnection,
  ) {
    const { source, target, ...rest } = request;
    const { done, events } = await runOneJob(
      openConnection,
      {
        ...rest,
        source: { connection: source[0], path: source[1] },
        target: { connection: target[0], path: target[1] },
      },
      dirs,
      { retryBaseDelayMs: 5, retries: 1 },
    );
    return { done, events, logs: events.filter((e) => e.type === 'log') };
  }

  async function s3Object(path: string, seed: string, size: number): Promise<void> {
    const s3 = await clouds.provider('s3');
    await s3.mkdir(path.slice(0, path.lastIndexOf('/')));
    await s3.write(path, patternBytes(seed, size), { size });
  }

  it('Azure pulls the object from a presigned URL: FileFerry reads none of its bytes', async () => {
    const size = 9 * MiB + 321; // three 4 MiB blocks
    await s3Object('/s2s/big.bin', 's2s-big', size);
    await clouds.s3.clearRequests();
    clouds.proxy.resetCounts();
    const { done, logs } = await run({
      source: [clouds.ref('s3'), '/s2s/big.bin'],
      target: [clouds.ref('azure'), '/s2s/big.bin'],
    });
    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    const gets = objectGets(await clouds.s3.requests(), 's2s/big.bin');
    assert.equal(gets.engine, 0, 'the engine did not GET the object');
    assert.ok(gets.presigned >= 1, 'Azure fetched the presigned URL');
    assert.equal(clouds.proxy.counts.bytesFetched, size);
    assert.equal(clouds.proxy.counts.putBlockFromUrl, 3);
    assert.equal(clouds.proxy.counts.putBlock, 0, 'no bytes were uploaded by FileFerry');
    assert.deepEqual(
      logs.filter((e) => e.type === 'log' && e.level === 'warn'),
      [],
    );
    assert.equal(done.progress.bytesDone, size);
    const azure = await clouds.provider('azure');
    assert.equal(await providerSha256(azure, '/s2s/big.bin'), await patternSha256('s2s-big', size));
  });

  it('respects the overwrite policy: an existing target is skipped without a fetch', async () => {
    clouds.proxy.resetCounts();
    const { done } = await run({
      source: [clouds.ref('s3'), '/s2s/big.bin'],
      target: [clouds.ref('azure'), '/s2s/big.bin'],
      overwrite: 'skip',
    });
    assert.equal(done.state, 'completed');
    assert.equal(done.filesSkipped, 1);
    assert.equal(clouds.proxy.counts.bytesFetched, 0);
  });

  it('when Azure cannot reach the source, streams through FileFerry and logs why', async () => {
    const size = 6 * MiB + 5;
    await s3Object('/s2s/private.bin', 's2s-private', size);
    await clouds.s3.clearRequests();
    clouds.proxy.resetCounts();
    clouds.proxy.failFetchesWith = 403;
    try {
      const { done, logs } = await run({
        source: [clouds.ref('s3'), '/s2s/private.bin'],
        target: [clouds.ref('azure'), '/s2s/private.bin'],
      });
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      const warning = logs.find((e) => e.type === 'log' && e.level === 'warn');
      assert.ok(warning && warning.type === 'log', 'a warning in the job log');
      assert.match(warning.message, /could not copy \/s2s\/private\.bin from the source directly/);
      assert.match(warning.message, /Azure could not fetch the source.*HTTP 403/);
      assert.match(warning.message, /through FileFerry instead/);
      assert.doesNotMatch(warning.message, /X-Amz-Signature|X-Amz-Credential/, 'the presigned URL is not logged');
    } finally {
      clouds.proxy.failFetchesWith = undefined;
    }
    assert.equal(clouds.proxy.counts.bytesFetched, 0);
    assert.ok(clouds.proxy.counts.putBlock >= 2, 'FileFerry uploaded the blocks itself');
    assert.equal(objectGets(await clouds.s3.requests(), 's2s/private.bin').engine, 1);
    const azure = await clouds.provider('azure');
    assert.equal(await providerSha256(azure, '/s2s/private.bin'), await patternSha256('s2s-private', size));
  });

  it('a folder Azure cannot fetch from: the job stops asking after the first refusals and streams every file', async () => {
    const files = Array.from({ length: 12 }, (_, i) => ({ name: `f${i}.bin`, size: i === 0 ? 5 * MiB + 3 : 1000 + i }));
    for (const { name, size } of files) await s3Object(`/s2s/private-folder/${name}`, `pf-${name}`, size);
    clouds.proxy.resetCounts();
    clouds.proxy.failFetchesWith = 403;
    let logs;
    try {
      ({ logs } = await run({
        source: [clouds.ref('s3'), '/s2s/private-folder'],
        target: [clouds.ref('azure'), '/s2s/private-copy'],
        recursive: true,
      }));
    } finally {
      clouds.proxy.failFetchesWith = undefined;
    }
    const refusals = logs.flatMap((e) =>
      e.type === 'log' && /from the source directly/.test(e.message) ? [{ level: e.level, message: e.message }] : [],
    );
    // Files already started alongside the first refusal ask too (logged, but warned about once); none after it.
    const asked = clouds.proxy.counts.putBlockFromUrl + clouds.proxy.counts.putBlobFromUrl;
    assert.ok(asked >= 1 && asked < files.length / 2, `${asked} from-URL requests`);
    // A file of several blocks asks once per block in flight.
    assert.ok(refusals.length >= 1 && refusals.length <= asked, `${refusals.length} files refused`);
    const warned = refusals.filter((r) => r.level === 'warn');
    assert.equal(warned.length, 1, 'warned about once');
    assert.match(warned[0]!.message, /The rest of this job goes through FileFerry too/);
    const azure = await clouds.provider('azure');
    for (const { name, size } of files)
      assert.equal(await providerSha256(azure, `/s2s/private-copy/${name}`), await patternSha256(`pf-${name}`, size));
  });

  it("a service copy's progress reaches the job, though no byte passes through FileFerry", async () => {
    const size = 9 * MiB;
    await s3Object('/s2s/progress.bin', 's2s-progress', size);
    const hold = holdUntilReleased();
    // The service reports a third, then waits: the job must show that third meanwhile.
    const openConnection = async (ref: ConnectionRef): Promise<Provider> => {
      if (!('savedId' in ref)) return clouds.openConnection(ref);
      const inner = await clouds.openConnection(clouds.ref('azure'));
      return wrapProvider(inner, {
        async writeFromUrl(path: string, url: string, options: FromUrlWriteOptions) {
          options.onProgress?.(size / 3);
          await hold.held;
          return inner.writeFromUrl!(path, url, options);
        },
      });
    };
    const request = {
      source: { connection: clouds.ref('s3'), path: '/s2s/progress.bin' },
      target: { connection: { savedId: 'azure-with-progress' }, path: '/s2s/progress.bin' },
    };
    const done = await runShowingServiceProgress(openConnection, request, dirs, size / 3, hold);
    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    assert.equal(done.progress.bytesDone, size);
    const azure = await clouds.provider('azure');
    assert.equal(await providerSha256(azure, '/s2s/progress.bin'), await patternSha256('s2s-progress', size));
  });

  it('a cancel during a service copy cancels the job and leaves no blob', { timeout: 60_000 }, async () => {
    await s3Object('/s2s/cancel.bin', 's2s-cancel', 1000);
    let pulling = false;
    // A target whose service-side fetch never ends until cancelled, like a slow cross-region copy.
    const openConnection = async (ref: ConnectionRef): Promise<Provider> => {
      if (!('savedId' in ref)) return clouds.openConnection(ref);
      const inner = await clouds.openConnection(clouds.ref('azure'));
      return wrapProvider(inner, {
        async writeFromUrl(_path: string, _url: string, options: WriteOptions & { size: number }) {
          pulling = true;
          return new Promise((_, reject) => onAbort(options.signal, () => reject(cancelledError('The copy'))));
        },
      });
    };
    const data = await tempDir();
    dirs.push(data);
    const engine = await TransferEngine.open({ dataDir: data, openConnection, retryBaseDelayMs: 5 });
    const job = engine.add({
      source: { connection: clouds.ref('s3'), path: '/s2s/cancel.bin' },
      target: { connection: { savedId: 'slow-azure' }, path: '/s2s/cancel.bin' },
    });
    await until(() => pulling, 10_000, 'the service copy to start');
    engine.cancel(job.id);
    assert.equal((await engine.waitFor(job.id)).state, 'cancelled');
    await engine.close();
    const azure = await clouds.provider('azure');
    await assert.rejects(azure.stat('/s2s/cancel.bin'), { code: 'NotFound' });
  });

  it("bytes damaged on the way in are caught by the source's own MD5, though the target got the same bytes", async () => {
    await s3Object('/s2s/damaged.bin', 's2s-damaged', 200_000);
    const dst = await tempDir();
    dirs.push(dst);
    const openConnection = async (ref: ConnectionRef): Promise<Provider> => {
      if (!('savedId' in ref)) return clouds.openConnection(ref);
      const inner = await clouds.openConnection(clouds.ref('s3'));
      return wrapProvider(inner, {
        async read(path: string, options?: ReadOptions) {
          const stream = await inner.read(path, options);
          return (async function* () {
            let first = true;
            for await (const chunk of stream) {
              const copy = Buffer.from(chunk);
              if (first) copy[10] = copy[10]! ^ 0xff;
              first = false;
              yield copy;
            }
          })();
        },
      });
    };
    const { done } = await run(
      { source: [{ savedId: 'damaging-s3' }, '/s2s/damaged.bin'], target: [localRef(dst), '/damaged.bin'] },
      openConnection,
    );
    assert.equal(done.state, 'failed');
    assert.equal(done.error?.code, 'Integrity');
    assert.match(
      done.error?.message ?? '',
      /bytes read from \/s2s\/damaged\.bin are not what the source holds: their md5/,
    );
    assert.deepEqual(await treeOf(dst), [], 'nothing under the final name, no temporary');
  });

  it('a hash mismatch on an atomic target removes a new object, keeps (and reports) a replaced one', async () => {
    const src = await tempDir();
    dirs.push(src);
    await writePatternFile(join(src, 'v.bin'), 'verify', 300_000);
    // A target that reports a wrong MD5 for what it stored, like a service that stored other bytes. It
    // claims the service's word (as S3's ETag is), not its own digest of the bytes it was handed, so the
    // engine hashes the bytes and compares.
    const lying: ConnectionRef = { savedId: 'lying-azure' };
    const openConnection = async (ref: ConnectionRef): Promise<Provider> => {
      if (!('savedId' in ref)) return clouds.openConnection(ref);
      const inner = await clouds.openConnection(clouds.ref('azure'));
      return wrapProvider(inner, {
        capabilities: { ...inner.capabilities, reportedHashesFromStream: false },
        async write(path: string, source: AsyncIterable<Uint8Array>, options?: WriteOptions) {
          const result = await inner.write(path, source, options);
          return { ...result, hashes: { md5: '0'.repeat(32) } };
        },
      });
    };
    const azure = await clouds.provider('azure');
    const fresh = await run({ source: [localRef(src), '/v.bin'], target: [lying, '/verify/new.bin'] }, openConnection);
    assert.equal(fresh.done.state, 'failed');
    assert.equal(fresh.done.error?.code, 'Integrity');
    assert.match(fresh.done.error?.message ?? '', /md5/);
    await assert.rejects(azure.stat('/verify/new.bin'), { code: 'NotFound' });

    // The failed copy left no folder behind (a bucket store's folder is its files' prefix): make it.
    await azure.mkdir('/verify');
    await azure.write('/verify/old.bin', patternBytes('older', 1000), { size: 1000 });
    const replaced = await run(
      { source: [localRef(src), '/v.bin'], target: [lying, '/verify/old.bin'] },
      openConnection,
    );
    assert.equal(replaced.done.state, 'failed');
    assert.equal(replaced.done.error?.code, 'Integrity');
    assert.match(replaced.done.error?.message ?? '', /already existed.*left in place/);
    assert.equal((await azure.stat('/verify/old.bin')).size, 300_000);
  });
});
