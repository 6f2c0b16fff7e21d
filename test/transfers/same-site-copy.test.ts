// Copies within one connection are made by the site itself (S3 CopyObject, Azure copy from URL, a local file
// copy), as rclone and Cyberduck make them: the engine reads none of the bytes. Each target here refuses
// read(), so a job that streamed would fail; a site that refuses the copy is streamed instead, with the
// reason in the job's log.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConnectionRef } from '../../shared/connection';
import { FerryError } from '../../shared/errors';
import type { CopyOptions, Provider } from '../../shared/provider';
import type { TransferRequest } from '../../shared/transfers';
import { patternBytes, patternSha256 } from '../helpers/pattern';
import { MiB, objectGets, providerSha256, startClouds, writePatternFile, type Clouds } from './cloud-fixtures';
import {
  holdUntilReleased,
  localRef,
  openLocal,
  removeDirs,
  runOneJob,
  runShowingServiceProgress,
  sha256File,
  tempDir,
  treeOf,
  wrapProvider,
} from './fixtures';

/** The provider, except that reading a file's bytes fails: only a copy the site makes itself can succeed. */
function unreadable(inner: Provider): Provider {
  return wrapProvider(inner, {
    read: () => Promise.reject(new FerryError('Unsupported', 'this test forbids streaming the bytes')),
  });
}

describe('copies within one connection are made by the site', () => {
  let clouds: Clouds;
  const dirs: string[] = [];

  before(async () => {
    clouds = await startClouds();
  });
  after(async () => {
    await clouds?.stop();
    await removeDirs(...dirs);
  });

  function run(
    ref: ConnectionRef,
    from: string,
    to: string,
    open: (ref: ConnectionRef) => Promise<Provider>,
    extra: Partial<TransferRequest> = {},
  ) {
    const request = { ...extra, source: { connection: ref, path: from }, target: { connection: ref, path: to } };
    return runOneJob(open, request, dirs, { retryBaseDelayMs: 5, retries: 1 });
  }

  const unreadableCloud = async (ref: ConnectionRef) => unreadable(await clouds.openConnection(ref));

  it('S3: CopyObject, in the class asked for; FileFerry GETs nothing', async () => {
    const size = 7 * MiB + 3;
    const s3 = await clouds.provider('s3');
    await s3.mkdir('/same');
    await s3.write('/same/a.bin', patternBytes('same-s3', size), { size });
    await clouds.s3.clearRequests();
    const { done, warnings } = await run(clouds.ref('s3'), '/same/a.bin', '/same/copy/b.bin', unreadableCloud, {
      storageClass: 'STANDARD_IA',
    });
    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    assert.deepEqual(warnings, []);
    assert.equal(done.progress.bytesDone, size);
    assert.equal(objectGets(await clouds.s3.requests(), 'same/a.bin').engine, 0);
    assert.equal(await providerSha256(s3, '/same/copy/b.bin'), await patternSha256('same-s3', size));
    assert.equal((await s3.stat('/same/copy/b.bin')).storageClass, 'STANDARD_IA');
  });

  it('Azure: a Copy Blob; no block is uploaded', async () => {
    const size = 5 * MiB + 9;
    const azure = await clouds.provider('azure');
    await azure.mkdir('/same');
    await azure.write('/same/a.bin', patternBytes('same-az', size), { size });
    clouds.proxy.resetCounts();
    const { done, warnings } = await run(clouds.ref('azure'), '/same/a.bin', '/same/b.bin', unreadableCloud);
    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    assert.deepEqual(warnings, []);
    assert.equal(clouds.proxy.counts.putBlock, 0);
    const copied = await clouds.blobs.getContainerClient('data').getBlobClient('same/b.bin').getProperties();
    assert.ok(copied.copyId, 'the blob was made by Copy Blob');
    assert.equal(await providerSha256(azure, '/same/b.bin'), await patternSha256('same-az', size));
  });

  it('local: a file copy that keeps the modification time, through a temporary name', async () => {
    const root = await tempDir();
    dirs.push(root);
    await writePatternFile(join(root, 'a.bin'), 'same-local', 300_000);
    const modified = new Date('2024-03-04T05:06:07Z');
    await utimes(join(root, 'a.bin'), modified, modified);
    const { done } = await run(localRef(root), '/a.bin', '/b.bin', async () => unreadable(await openLocal(root)));
    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    assert.equal(await sha256File(join(root, 'b.bin')), await patternSha256('same-local', 300_000));
    assert.equal((await stat(join(root, 'b.bin'))).mtimeMs, modified.getTime());
    assert.deepEqual(await treeOf(root), ['a.bin', 'b.bin'], 'no temporary left behind');
  });

  it('a site that refuses the copy is streamed instead, and the log says why', async () => {
    const size = 2 * MiB + 1;
    const s3 = await clouds.provider('s3');
    await s3.write('/same/refused.bin', patternBytes('same-refused', size), { size });
    const refusing = async (ref: ConnectionRef) =>
      wrapProvider(await clouds.openConnection(ref), {
        copy: () => Promise.reject(new FerryError('PermissionDenied', 'copying is not allowed here')),
      });
    const { done, warnings } = await run(clouds.ref('s3'), '/same/refused.bin', '/same/streamed.bin', refusing);
    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /The site could not copy \/same\/refused\.bin itself \(copying is not allowed here\)/);
    assert.match(warnings[0]!, /through FileFerry instead/);
    assert.equal(await providerSha256(s3, '/same/streamed.bin'), await patternSha256('same-refused', size));
  });

  it("the site's progress on its copy reaches the job", async () => {
    const size = 3 * MiB;
    const s3 = await clouds.provider('s3');
    await s3.write('/same/progress.bin', patternBytes('same-progress', size), { size });
    const hold = holdUntilReleased();
    // The site reports a third of the copy done, then waits: the job must show that third meanwhile.
    const reporting = async (ref: ConnectionRef) => {
      const inner = unreadable(await clouds.openConnection(ref));
      return wrapProvider(inner, {
        copy: async (from: string, to: string, options?: CopyOptions) => {
          options?.onProgress?.(size / 3);
          await hold.held;
          return inner.copy!(from, to, options);
        },
      });
    };
    const ref = clouds.ref('s3');
    const request = {
      source: { connection: ref, path: '/same/progress.bin' },
      target: { connection: ref, path: '/same/progress-copy.bin' },
    };
    const done = await runShowingServiceProgress(reporting, request, dirs, size / 3, hold);
    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    assert.equal(done.progress.bytesDone, size);
    assert.equal(await providerSha256(s3, '/same/progress-copy.bin'), await patternSha256('same-progress', size));
  });

  it('a site that cannot copy at all (siteWide) is asked once per job; a refusal of single files is not', async () => {
    const s3 = await clouds.provider('s3');
    const names = Array.from({ length: 12 }, (_, i) => `f${i}.bin`);
    await s3.mkdir('/same/many');
    for (const name of names) await s3.write(`/same/many/${name}`, patternBytes(name, 1000), { size: 1000 });
    /** Copies the job asked the site for, each refused (for every file when `siteWide`, else for that one). */
    async function copyRefused(siteWide: boolean, to: string) {
      let asked = 0;
      const refusing = async (ref: ConnectionRef) =>
        wrapProvider(await clouds.openConnection(ref), {
          copy: () => {
            asked++;
            const details: Record<string, boolean> = siteWide ? { siteWide: true } : {};
            return Promise.reject(new FerryError('Unsupported', 'no copy for this one', { details }));
          },
        });
      const { done, warnings } = await run(clouds.ref('s3'), '/same/many', to, refusing, { recursive: true });
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      for (const name of names)
        assert.equal(await providerSha256(s3, `${to}/${name}`), await patternSha256(name, 1000));
      return { asked, warnings };
    }

    // Refused one file at a time (as S3 refuses to copy an archived object): every file still asks.
    const single = await copyRefused(false, '/same/many-single');
    assert.equal(single.asked, names.length);
    assert.doesNotMatch(single.warnings.join('\n'), /The rest of this job/);
    // Refused for the whole site: files started alongside the first refusal ask too; none after it.
    const whole = await copyRefused(true, '/same/many-whole');
    assert.ok(whole.asked >= 1 && whole.asked < names.length / 2, `${whole.asked} copies asked for`);
    assert.equal(whole.warnings.length, 1, 'warned about once');
    assert.match(whole.warnings[0]!, /The rest of this job goes through FileFerry too/);
  });
});
