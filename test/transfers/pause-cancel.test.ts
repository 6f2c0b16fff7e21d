// Pause, resume and cancel, per job and for the whole queue, local → local with slowed reads so a file is
// in flight when the command arrives.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  exists,
  fileChanges,
  localRef,
  openEngine,
  openLocal,
  removeDirs,
  sha256File,
  slowReads,
  tempDir,
  treeOf,
  type ReadLog,
  writeRandomFile,
} from './fixtures';
import { until } from '../helpers/until';

const SIZE = 2 * 1024 * 1024;

describe('pause, resume and cancel (local → local)', () => {
  const dirs: string[] = [];
  after(() => removeDirs(...dirs));

  async function setUp(files = ['big.bin']) {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    for (const f of files) await writeRandomFile(join(src, f), SIZE);
    const reads: ReadLog = { offsets: [], bytes: 0 };
    const { engine, events } = await openEngine(data, {
      slow: async () => slowReads(await openLocal(src), reads, 64 * 1024, 15),
    });
    return { src, dst, engine, events, reads };
  }

  it('pause keeps the temporary and no final file; resume continues from the last byte', async () => {
    const { src, dst, engine, reads } = await setUp();
    const job = engine.add({
      source: { connection: { savedId: 'slow' }, path: '/big.bin' },
      target: { connection: localRef(dst), path: '/big.bin' },
    });
    await until(() => (engine.get(job.id)?.progress.bytesDone ?? 0) > SIZE / 4, 10_000, 'a quarter');
    engine.pause(job.id);
    await until(() => engine.get(job.id)?.state === 'paused', 5000, 'paused');
    const partial = (await stat(join(dst, '.big.bin.ffpart'))).size;
    assert.ok(partial > 0 && partial < SIZE, `partial ${partial}`);
    assert.equal(await exists(join(dst, 'big.bin')), false);
    const beforeResume = reads.bytes;

    engine.resume(job.id);
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.state, 'completed');
    assert.equal(await sha256File(join(dst, 'big.bin')), await sha256File(join(src, 'big.bin')));
    assert.deepEqual(await treeOf(dst), ['big.bin']);
    assert.equal(reads.offsets.length, 2);
    assert.ok(reads.offsets[1]! >= partial - 64 * 1024 && reads.offsets[1]! > 0, `resumed at ${reads.offsets[1]}`);
    assert.ok(reads.bytes - beforeResume < SIZE, 'only the rest was read again');
  });

  it('cancel stops the job, removes the temporary and leaves no final file', async () => {
    const { dst, engine, events } = await setUp();
    const job = engine.add({
      source: { connection: { savedId: 'slow' }, path: '/big.bin' },
      target: { connection: localRef(dst), path: '/big.bin' },
    });
    await until(() => exists(join(dst, '.big.bin.ffpart')), 10_000, 'temporary');
    await until(() => (engine.get(job.id)?.progress.bytesDone ?? 0) > 0, 10_000, 'bytes');
    engine.cancel(job.id);
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.state, 'cancelled');
    assert.deepEqual(await treeOf(dst), []);
    assert.ok(fileChanges(events).some((e) => e.state === 'cancelled'));
  });

  it('cancel of a paused job removes its temporary too', async () => {
    const { dst, engine } = await setUp();
    const job = engine.add({
      source: { connection: { savedId: 'slow' }, path: '/big.bin' },
      target: { connection: localRef(dst), path: '/big.bin' },
    });
    await until(() => (engine.get(job.id)?.progress.bytesDone ?? 0) > 0, 10_000, 'bytes');
    engine.pause(job.id);
    await until(() => engine.get(job.id)?.state === 'paused', 5000, 'paused');
    assert.ok(await exists(join(dst, '.big.bin.ffpart')));
    engine.cancel(job.id);
    assert.equal((await engine.waitFor(job.id)).state, 'cancelled');
    await engine.close();
    assert.deepEqual(await treeOf(dst), []);
  });

  it('pause() and resume() without an id act on the whole queue', async () => {
    const { src, dst, engine } = await setUp(['one.bin', 'two.bin']);
    const jobs = ['one.bin', 'two.bin'].map((f) =>
      engine.add({
        source: { connection: { savedId: 'slow' }, path: `/${f}` },
        target: { connection: localRef(dst), path: `/${f}` },
      }),
    );
    await until(() => jobs.every((j) => (engine.get(j.id)?.progress.bytesDone ?? 0) > 0), 10_000, 'both running');
    engine.pause();
    await until(() => jobs.every((j) => engine.get(j.id)?.state === 'paused'), 5000, 'all paused');
    await engine.whenIdle();
    engine.resume();
    for (const j of jobs) assert.equal((await engine.waitFor(j.id)).state, 'completed');
    await engine.close();
    for (const f of ['one.bin', 'two.bin'])
      assert.equal(await sha256File(join(dst, f)), await sha256File(join(src, f)));
  });

  it('cancel() without an id cancels every unfinished job', async () => {
    const { dst, engine } = await setUp(['one.bin', 'two.bin']);
    const jobs = ['one.bin', 'two.bin'].map((f) =>
      engine.add({
        source: { connection: { savedId: 'slow' }, path: `/${f}` },
        target: { connection: localRef(dst), path: `/${f}` },
      }),
    );
    await until(() => jobs.every((j) => (engine.get(j.id)?.progress.bytesDone ?? 0) > 0), 10_000, 'both running');
    engine.cancel();
    for (const j of jobs) assert.equal((await engine.waitFor(j.id)).state, 'cancelled');
    await engine.whenIdle();
    await engine.close();
    assert.deepEqual(await treeOf(dst), []);
  });
});
