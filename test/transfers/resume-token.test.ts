// Targets that keep their own resume state (resumableWrite 'token', like S3 multipart uploads or Azure
// staged blocks), modelled by a test-only wrapper around the real local provider: bytes are staged in a
// hidden file named by the token and moved to the final name only when complete (atomicWrite). The engine
// must persist the token, ask resumeOffset() where to continue, and discard the staged state on cancel.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Provider, ResumeToken, WriteOptions } from '../../shared/provider';
import {
  openEngine,
  openLocal,
  removeDirs,
  sha256File,
  slowReads,
  tempDir,
  treeOf,
  wrapProvider,
  writeRandomFile,
  type ReadLog,
  flakyReads,
} from './fixtures';
import { until } from '../helpers/until';
import { storedQueue } from '../helpers/stored-queue';

interface StagingLog {
  discarded: number;
  resumedAt: number[];
}

function stagedUploads(inner: Provider, log: StagingLog): Provider {
  const stagingOf = (token: ResumeToken) => String(token.staging);
  return wrapProvider(inner, {
    siteKey: 'staged://test',
    capabilities: { ...inner.capabilities, atomicWrite: true, resumableWrite: 'token' },
    async write(path: string, source: AsyncIterable<Uint8Array>, options: WriteOptions = {}) {
      const token = options.resumeToken ?? { staging: `/.staging-${randomUUID()}` };
      let size = 0;
      if (options.resumeToken) size = (await inner.stat(stagingOf(token))).size ?? 0;
      else {
        await inner.write(stagingOf(token), (async function* () {})());
        options.onResumeToken?.(token);
      }
      for await (const chunk of source) {
        await inner.write(
          stagingOf(token),
          (async function* () {
            yield chunk;
          })(),
          { offset: size },
        );
        size += chunk.byteLength;
      }
      await inner.rename(stagingOf(token), path);
      options.onResumeToken?.(undefined);
      return { size };
    },
    async resumeOffset(_path: string, token: ResumeToken) {
      const offset = await inner.stat(stagingOf(token)).then(
        (e) => e.size ?? 0,
        () => 0,
      );
      log.resumedAt.push(offset);
      return offset;
    },
    async discardResume(_path: string, token: ResumeToken) {
      log.discarded++;
      await inner.remove(stagingOf(token)).catch(() => undefined);
    },
  });
}

describe('resume tokens (staged uploads)', () => {
  const dirs: string[] = [];
  after(() => removeDirs(...dirs));

  it('a cut transfer continues from the offset the provider reports for its token', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    await writeRandomFile(join(src, 'f.bin'), 1_000_000);
    const offsets: number[] = [];
    const log: StagingLog = { discarded: 0, resumedAt: [] };
    const { engine } = await openEngine(data, {
      cut: async () => flakyReads(await openLocal(src), 300_000, 1, offsets),
      staged: async () => stagedUploads(await openLocal(dst), log),
    });
    const job = engine.add({
      source: { connection: { savedId: 'cut' }, path: '/f.bin' },
      target: { connection: { savedId: 'staged' }, path: '/f.bin' },
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    assert.deepEqual(offsets, [0, 300_000]);
    assert.deepEqual(log.resumedAt, [300_000]);
    assert.equal(await sha256File(join(dst, 'f.bin')), await sha256File(join(src, 'f.bin')));
    assert.deepEqual(await treeOf(dst), ['f.bin']);
  });

  it('the token is persisted, so a restarted engine continues the staged upload', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    const size = 2 * 1024 * 1024;
    await writeRandomFile(join(src, 'g.bin'), size);
    const reads: ReadLog = { offsets: [], bytes: 0 };
    const log: StagingLog = { discarded: 0, resumedAt: [] };
    const named = {
      slow: async () => slowReads(await openLocal(src), reads, 64 * 1024, 10),
      staged: async () => stagedUploads(await openLocal(dst), log),
    };
    const first = await openEngine(data, named);
    const job = first.engine.add({
      source: { connection: { savedId: 'slow' }, path: '/g.bin' },
      target: { connection: { savedId: 'staged' }, path: '/g.bin' },
    });
    await until(() => (first.engine.get(job.id)?.progress.bytesDone ?? 0) > size / 4, 20_000, 'a quarter');
    await first.engine.close();
    assert.match(String(storedQueue(data)[0]?.files[0]?.resumeToken?.staging), /^\/\.staging-/);

    const second = await openEngine(data, named);
    second.engine.resume(job.id);
    const done = await second.engine.waitFor(job.id);
    await second.engine.close();
    assert.equal(done.state, 'completed');
    assert.ok(log.resumedAt[0]! > 0, `resumed at ${log.resumedAt[0]}`);
    assert.equal(reads.offsets[reads.offsets.length - 1], log.resumedAt[0]);
    assert.equal(await sha256File(join(dst, 'g.bin')), await sha256File(join(src, 'g.bin')));
    assert.deepEqual(await treeOf(dst), ['g.bin']);
  });

  it('cancel discards the staged upload', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    await writeRandomFile(join(src, 'h.bin'), 2 * 1024 * 1024);
    const reads: ReadLog = { offsets: [], bytes: 0 };
    const log: StagingLog = { discarded: 0, resumedAt: [] };
    const { engine } = await openEngine(data, {
      slow: async () => slowReads(await openLocal(src), reads, 64 * 1024, 10),
      staged: async () => stagedUploads(await openLocal(dst), log),
    });
    const job = engine.add({
      source: { connection: { savedId: 'slow' }, path: '/h.bin' },
      target: { connection: { savedId: 'staged' }, path: '/h.bin' },
    });
    await until(() => (engine.get(job.id)?.progress.bytesDone ?? 0) > 200_000, 20_000, 'some bytes');
    engine.cancel(job.id);
    assert.equal((await engine.waitFor(job.id)).state, 'cancelled');
    await engine.close();
    assert.equal(log.discarded, 1);
    assert.deepEqual(await treeOf(dst), []);
  });
});
