// The engine resumes big uploads into S3 (multipart upload) and Azure (staged blocks): a 64 MiB upload whose
// source drops after a few parts continues in the same run from the parts the server holds, and after an
// engine restart (the upload id / block tag lives in the persisted queue) it sends only the missing parts,
// counted in s3rver's request log and in Azure's block lists. A cancelled upload leaves no multipart upload.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { ConnectionRef } from '../../shared/connection';
import { FerryError, cancelledError } from '../../shared/errors';
import type { Provider, ReadOptions } from '../../shared/provider';
import { onAbort } from '../../main/core/util/abort';
import { TransferEngine } from '../../main/core/transfers';
import { patternSha256 } from '../helpers/pattern';
import {
  AZURE_BLOCK_MIB,
  BUCKET,
  CONTAINER,
  MiB,
  S3_PART_MIB,
  providerSha256,
  startClouds,
  writePatternFile,
  type Clouds,
} from './cloud-fixtures';
import { openLocal, removeDirs, tempDir, wrapProvider } from './fixtures';
import { until } from '../helpers/until';
import { storedQueue } from '../helpers/stored-queue';

/** Where the scripted source misbehaves, in bytes of the file; each point fires once. */
interface SourceScript {
  /** Fail the read with a transient Network error here. */
  failAt?: number;
  /** Stop delivering bytes here until the read is cancelled (a job paused or closed mid-file). */
  stallAt?: number;
  /** Offsets of every read() call. */
  offsets: number[];
}

function scripted(inner: Provider, script: SourceScript): Provider {
  return wrapProvider(inner, {
    async read(path: string, options: ReadOptions = {}) {
      script.offsets.push(options.offset ?? 0);
      const stream = await inner.read(path, options);
      const signal = options.signal;
      return (async function* () {
        let position = options.offset ?? 0;
        for await (const chunk of stream) {
          const points = [script.failAt, script.stallAt].filter((p): p is number => p !== undefined && p >= position);
          const stop = points.length > 0 ? Math.min(...points) : Infinity;
          if (position + chunk.byteLength <= stop) {
            position += chunk.byteLength;
            yield chunk;
            continue;
          }
          if (stop > position) yield chunk.subarray(0, stop - position);
          if (stop === script.failAt) {
            script.failAt = undefined;
            throw new FerryError('Network', 'the source connection dropped (injected by the test)');
          }
          script.stallAt = undefined;
          await new Promise((_, reject) => onAbort(signal, () => reject(cancelledError('The read'))));
        }
      })();
    },
  });
}

const SIZE = 64 * MiB + 12_345;

describe('engine resume of big cloud uploads', () => {
  let clouds: Clouds;
  const dirs: string[] = [];
  let src: string;

  before(async () => {
    clouds = await startClouds();
    src = await tempDir();
    dirs.push(src);
    await writePatternFile(join(src, 'big.bin'), 'big', SIZE);
  });
  after(async () => {
    await clouds?.stop();
    await removeDirs(...dirs);
  });

  const SCRIPTED: ConnectionRef = { savedId: 'scripted-local' };
  function engineAt(dataDir: string, script: SourceScript) {
    return TransferEngine.open({
      dataDir,
      retryBaseDelayMs: 5,
      progressIntervalMs: 100,
      openConnection: async (ref) =>
        'savedId' in ref ? scripted(await openLocal(src), script) : clouds.openConnection(ref),
    });
  }

  const uploadParts = async () =>
    (await clouds.s3.requests())
      .filter((r) => r.method === 'PUT' && /[?&]partNumber=/.test(r.url) && r.status === 200)
      .map((r) => Number(/partNumber=(\d+)/.exec(r.url)![1]))
      .sort((a, b) => a - b);
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it(
    'local → S3: 64 MiB resumed in-run after a dropped source and after an engine restart, only missing parts sent',
    { timeout: 120_000 },
    async () => {
      const part = S3_PART_MIB * MiB;
      const totalParts = Math.ceil(SIZE / part);
      const data = await tempDir();
      dirs.push(data);
      const script: SourceScript = { failAt: 3 * part, stallAt: 8 * part + MiB, offsets: [] };
      await clouds.s3.clearRequests();

      const first = await engineAt(data, script);
      const job = first.add({
        source: { connection: SCRIPTED, path: '/big.bin' },
        target: { connection: clouds.ref('s3'), path: '/resume/big.bin' },
      });
      await until(async () => (await uploadParts()).length >= 8, 60_000, 'eight parts stored');
      await first.close();
      const firstRun = await uploadParts();
      assert.deepEqual(firstRun, range(1, 8), 'the in-run resume sent no part twice');
      assert.deepEqual(script.offsets, [0, 3 * part], 'the retry read the source from the end of part 3');

      const token = storedQueue(data)[0]?.files[0]?.resumeToken;
      assert.equal(typeof token?.uploadId, 'string', 'the upload id is in the persisted queue');
      assert.deepEqual(await clouds.storedPartNumbers('resume/big.bin', String(token?.uploadId)), range(1, 8));

      await clouds.s3.clearRequests();
      script.stallAt = undefined; // the first engine may have closed before its read got there
      const second = await engineAt(data, script);
      second.resume(job.id);
      const done = await second.waitFor(job.id);
      await second.close();
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.deepEqual(await uploadParts(), range(9, totalParts), 'after the restart only the missing parts were sent');
      assert.equal(script.offsets.at(-1), 8 * part);
      assert.deepEqual(await clouds.unfinishedUploads(), []);
      const s3 = await clouds.provider('s3');
      assert.equal(await providerSha256(s3, '/resume/big.bin'), await patternSha256('big', SIZE));
    },
  );

  it(
    'local → Azure: 64 MiB resumed in-run and after an engine restart, only missing blocks staged',
    { timeout: 120_000 },
    async () => {
      const block = AZURE_BLOCK_MIB * MiB;
      const totalBlocks = Math.ceil(SIZE / block);
      const data = await tempDir();
      dirs.push(data);
      const script: SourceScript = { failAt: 3 * block, stallAt: 8 * block + MiB, offsets: [] };
      const blob = clouds.blobs.getContainerClient(CONTAINER).getBlockBlobClient('resume/big.bin');
      const uncommitted = async () =>
        (await blob.getBlockList('uncommitted').catch(() => ({ uncommittedBlocks: [] }))).uncommittedBlocks ?? [];
      clouds.proxy.resetCounts();

      const first = await engineAt(data, script);
      const job = first.add({
        source: { connection: SCRIPTED, path: '/big.bin' },
        target: { connection: clouds.ref('azure'), path: '/resume/big.bin' },
      });
      await until(async () => (await uncommitted()).length >= 8, 60_000, 'eight blocks staged');
      await first.close();
      assert.equal(clouds.proxy.counts.putBlock, 8, 'the in-run resume staged no block twice');
      assert.deepEqual(script.offsets, [0, 3 * block]);
      assert.equal((await uncommitted()).length, 8);
      assert.equal(storedQueue(data)[0]?.files[0]?.resumeToken?.kind, 'azure-blocks');

      clouds.proxy.resetCounts();
      script.stallAt = undefined;
      const second = await engineAt(data, script);
      second.resume(job.id);
      const done = await second.waitFor(job.id);
      await second.close();
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(
        clouds.proxy.counts.putBlock,
        totalBlocks - 8,
        'after the restart only the missing blocks were staged',
      );
      assert.equal(script.offsets.at(-1), 8 * block);
      const committed = await blob.getBlockList('committed');
      assert.equal(committed.committedBlocks?.length, totalBlocks);
      const azure = await clouds.provider('azure');
      assert.equal(await providerSha256(azure, '/resume/big.bin'), await patternSha256('big', SIZE));
    },
  );

  it('a cancelled upload leaves no multipart upload behind', { timeout: 120_000 }, async () => {
    const part = S3_PART_MIB * MiB;
    const data = await tempDir();
    dirs.push(data);
    const script: SourceScript = { stallAt: part + MiB, offsets: [] };
    await clouds.s3.clearRequests();
    const engine = await engineAt(data, script);
    const job = engine.add({
      source: { connection: SCRIPTED, path: '/big.bin' },
      target: { connection: clouds.ref('s3'), path: '/cancel/big.bin' },
    });
    await until(async () => (await uploadParts()).length >= 1, 30_000, 'a part stored');
    assert.equal((await clouds.unfinishedUploads()).length, 1);
    engine.cancel(job.id);
    assert.equal((await engine.waitFor(job.id)).state, 'cancelled');
    await engine.close();
    assert.deepEqual(await clouds.unfinishedUploads(), []);
    assert.deepEqual(await clouds.s3.uploadsOnDisk(BUCKET), []);
    await assert.rejects(clouds.admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'cancel/big.bin' })));
  });
});
