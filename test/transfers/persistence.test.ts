// The queue survives a restart: close() mid-run keeps the temporary, a new engine restores the job as
// paused with its progress, and resume() continues from the temporary's last byte to an identical copy.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  exists,
  localRef,
  openEngine,
  openLocal,
  removeDirs,
  sha256File,
  slowReads,
  tempDir,
  treeOf,
  writeRandomFile,
  type ReadLog,
} from './fixtures';
import { until } from '../helpers/until';
import { storedQueue } from '../helpers/stored-queue';

const SIZE = 3 * 1024 * 1024;

describe('persisted queue (local → local)', () => {
  const dirs: string[] = [];
  after(() => removeDirs(...dirs));

  it('a job closed mid-run is restored paused and completes after resume', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    await writeRandomFile(join(src, 'tree', 'first.bin'), 1000);
    await writeRandomFile(join(src, 'tree', 'second.bin'), SIZE);
    const reads: ReadLog = { offsets: [], bytes: 0 };
    const named = { slow: async () => slowReads(await openLocal(src), reads, 64 * 1024, 10) };

    const first = await openEngine(data, named, { perSiteConcurrency: 1 });
    const job = first.engine.add({
      source: { connection: { savedId: 'slow' }, path: '/tree' },
      target: { connection: localRef(dst), path: '/tree' },
      recursive: true,
    });
    await until(() => (first.engine.get(job.id)?.progress.bytesDone ?? 0) > 1000 + SIZE / 3, 20_000, 'a third');
    await first.engine.close();

    const stored = storedQueue(data);
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.files.length, 2);
    const partial = (await stat(join(dst, 'tree', '.second.bin.ffpart'))).size;
    assert.ok(partial > 0 && partial < SIZE);
    assert.equal(await exists(join(dst, 'tree', 'second.bin')), false);

    const second = await openEngine(data, named);
    const restored = second.engine.get(job.id);
    assert.equal(restored?.state, 'paused');
    assert.equal(restored?.filesDone, 1);
    assert.ok((restored?.progress.bytesDone ?? 0) > 1000, 'progress is restored');
    assert.equal(restored?.progress.bytesTotal, 1000 + SIZE);
    const readBeforeResume = reads.bytes;
    second.engine.resume(job.id);
    const done = await second.engine.waitFor(job.id);
    await second.engine.close();

    assert.equal(done.state, 'completed');
    assert.equal(done.progress.bytesDone, 1000 + SIZE);
    assert.deepEqual(await treeOf(dst), ['tree/', 'tree/first.bin', 'tree/second.bin']);
    assert.equal(await sha256File(join(dst, 'tree', 'second.bin')), await sha256File(join(src, 'tree', 'second.bin')));
    const resumedAt = reads.offsets[reads.offsets.length - 1]!;
    assert.ok(resumedAt > 0 && resumedAt <= partial, `resumed at ${resumedAt} of ${partial}`);
    assert.ok(reads.bytes - readBeforeResume <= SIZE - resumedAt);
  });

  it('restarts a partial whose source changed meanwhile', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    await writeRandomFile(join(src, 'doc.bin'), SIZE);
    const reads: ReadLog = { offsets: [], bytes: 0 };
    const named = { slow: async () => slowReads(await openLocal(src), reads, 64 * 1024, 10) };
    const first = await openEngine(data, named);
    const job = first.engine.add({
      source: { connection: { savedId: 'slow' }, path: '/doc.bin' },
      target: { connection: localRef(dst), path: '/doc.bin' },
    });
    await until(() => (first.engine.get(job.id)?.progress.bytesDone ?? 0) > SIZE / 4, 20_000, 'a quarter');
    await first.engine.close();
    await writeRandomFile(join(src, 'doc.bin'), SIZE + 10);

    const second = await openEngine(data, named);
    second.engine.resume(job.id);
    const done = await second.engine.waitFor(job.id);
    await second.engine.close();
    assert.equal(done.state, 'completed');
    assert.equal(reads.offsets[reads.offsets.length - 1], 0);
    assert.equal(await sha256File(join(dst, 'doc.bin')), await sha256File(join(src, 'doc.bin')));
  });

  it('a damaged queue is set aside, not lost, and the loss is reported', async () => {
    const data = await tempDir();
    dirs.push(data);
    await writeFile(join(data, 'queue.db'), 'not a database at all, but longer than a header. '.repeat(100));
    const { engine } = await openEngine(data);
    assert.deepEqual(engine.list(), []);
    const problems = engine.problems();
    await engine.close();
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.kind, 'lost');
    assert.match(problems[0]!.message, /set aside as .*queue\.db\.damaged-/);
    const names = await treeOf(data);
    assert.ok(
      names.some((n) => n.startsWith('queue.db.damaged-')),
      names.join(),
    );
  });

  it('one engine per data folder: a second is refused until the first closes', async () => {
    const data = await tempDir();
    dirs.push(data);
    const first = await openEngine(data);
    await assert.rejects(
      openEngine(data),
      (e: Error & { code?: string }) => e.code === 'AlreadyExists' && /in use/.test(e.message),
    );
    await first.engine.close();
    const second = await openEngine(data);
    await second.engine.close();
  });
});
