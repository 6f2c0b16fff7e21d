// The persisted queue (queue.db) under the things that go wrong (issue 21): a crash right after files finish
// forgets none of them; a save that fails is retried and reported, and close() still returns; a damaged
// queue comes back from its last good copy; a job record that cannot be read is dropped and reported, and
// the rest of the queue opens.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { openDatabase } from '../../main/core/db/sqlite';
import type { TransferEvent } from '../../shared/transfers';
import { until } from '../helpers/until';
import { localRef, openEngine, openLocal, removeDirs, slowReads, tempDir, type ReadLog } from './fixtures';

const CHILD = resolve(import.meta.dirname, 'crash-finished-files-child.ts');
const FILES = 1500;

/** Runs the child engine; with `killAfter`, SIGKILLs it once that many files are done. */
function runChild(env: Record<string, string>, killAfter?: number): Promise<{ stdout: string; killed: boolean }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const counts = [...stdout.matchAll(/^done (\d+)$/gm)];
      const latest = Number(counts[counts.length - 1]?.[1] ?? 0);
      if (killAfter !== undefined && !killed && latest >= killAfter) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.once('exit', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) done({ stdout, killed });
      else fail(new Error(`the child engine exited ${code}: ${stdout.slice(-500)}${stderr.slice(-2000)}`));
    });
  });
}

describe('the queue on disk', () => {
  const dirs: string[] = [];
  after(() => removeDirs(...dirs));

  it('a crash right after files finished forgets none of them: no copy made twice under "NAME (2)"', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    for (let i = 0; i < FILES; i++) {
      await writeFile(join(src, `f${i}.txt`), `source ${i}\n`.repeat(50));
      await writeFile(join(dst, `f${i}.txt`), `already there ${i}\n`);
    }
    const env = { FERRY_DATA_DIR: data, FERRY_SOURCE_DIR: src, FERRY_TARGET_DIR: dst };
    const first = await runChild(env, 400);
    assert.ok(first.killed, `the first engine finished before the kill: ${first.stdout.slice(-200)}`);
    const jobId = /^job (\S+)$/m.exec(first.stdout)![1]!;

    const second = await runChild({ ...env, FERRY_JOB_ID: jobId });
    assert.match(second.stdout, /^finished completed/m);
    const names = await readdir(dst);
    const twice = names.filter((name) => / \(2\)/.test(name));
    assert.deepEqual(twice.slice(0, 5), [], `${twice.length} files were copied a second time`);
    assert.equal(names.length, 2 * FILES, 'every file once under its own name and once as "NAME (1)"');
    for (const i of [0, 399, 400, 401, FILES - 1]) {
      assert.equal(await readFile(join(dst, `f${i} (1).txt`), 'utf8'), `source ${i}\n`.repeat(50));
      assert.equal(await readFile(join(dst, `f${i}.txt`), 'utf8'), `already there ${i}\n`);
    }
  });

  it('a save that fails is reported and retried, the job goes on, and close() returns', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    for (let i = 0; i < 20; i++) await writeFile(join(src, `s${i}.bin`), Buffer.alloc(64 * 1024, i));
    const reads: ReadLog = { offsets: [], bytes: 0 };
    const { engine, events } = await openEngine(data, {
      slow: async () => slowReads(await openLocal(src), reads, 16 * 1024, 5),
    });
    const job = engine.add({
      source: { connection: { savedId: 'slow' }, path: '/' },
      target: { connection: localRef(dst), path: '/' },
      recursive: true,
    });
    await until(() => reads.bytes > 0, 10_000, 'the copy is under way');
    // Another process takes the database's write lock and keeps it: every save now fails.
    const intruder = openDatabase(join(data, 'queue.db'));
    intruder.exec('BEGIN EXCLUSIVE');
    const queueEvents = () => events.filter((e): e is Extract<TransferEvent, { type: 'queue' }> => e.type === 'queue');
    await until(() => queueEvents().some((e) => e.level === 'error'), 10_000, 'the failed save reported');
    assert.match(queueEvents()[0]!.message, /could not be saved.*keeps trying/);
    // The job does not stop for it.
    await until(() => (engine.get(job.id)?.filesDone ?? 0) >= 3, 20_000, 'files keep finishing');
    intruder.exec('COMMIT');
    await until(() => queueEvents().some((e) => /saved again/.test(e.message)), 20_000, 'saving again');
    const done = await engine.waitFor(job.id);
    assert.equal(done.state, 'completed');

    // And with the lock held again at the end, close() still returns (saying what is lost).
    intruder.exec('BEGIN EXCLUSIVE');
    engine.add({
      source: { connection: localRef(src), path: '/s0.bin' },
      target: { connection: localRef(dst), path: '/again.bin' },
    });
    const closing = Date.now();
    await engine.close();
    assert.ok(Date.now() - closing < 5000, 'close() returned');
    intruder.exec('ROLLBACK');
    intruder.close();
  });

  it('a damaged queue comes back from its last good copy, and says so', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    await writeFile(join(src, 'kept.bin'), 'kept');
    const first = await openEngine(data, {}, { autoStart: false });
    const job = first.engine.add({
      source: { connection: localRef(src), path: '/kept.bin' },
      target: { connection: localRef(dst), path: '/kept.bin' },
    });
    await first.engine.close(); // a clean close refreshes the last good copy
    await writeFile(join(data, 'queue.db'), 'damaged '.repeat(1000));

    const second = await openEngine(data);
    const problems = second.engine.problems();
    assert.equal(problems[0]?.kind, 'recovered', JSON.stringify(problems));
    assert.match(problems[0]!.message, /restored from the copy saved .*1 transfer/);
    assert.equal(second.engine.get(job.id)?.state, 'paused', 'the job is back');
    second.engine.resume(job.id);
    assert.equal((await second.engine.waitFor(job.id)).state, 'completed');
    await second.engine.close();
    assert.equal(await readFile(join(dst, 'kept.bin'), 'utf8'), 'kept');
    assert.ok(
      (await readdir(data)).some((name) => name.startsWith('queue.db.damaged-')),
      'the damaged file is kept',
    );
  });

  it('a job record that cannot be read is dropped and reported; the others open, and the lock is free', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    await writeFile(join(src, 'a.txt'), 'a');
    const first = await openEngine(data, {}, { autoStart: false });
    const good = first.engine.add({
      source: { connection: localRef(src), path: '/a.txt' },
      target: { connection: localRef(dst), path: '/a.txt' },
    });
    const bad = first.engine.add({
      source: { connection: localRef(src), path: '/a.txt' },
      target: { connection: localRef(dst), path: '/b.txt' },
    });
    await first.engine.close();
    const db = openDatabase(join(data, 'queue.db'));
    db.prepare('UPDATE jobs SET request = ? WHERE id = ?').run(['{"source": 42}', bad.id]);
    db.close();

    const second = await openEngine(data, {}, { autoStart: false });
    assert.equal(second.engine.get(good.id)?.state, 'paused');
    assert.equal(second.engine.get(bad.id), undefined);
    const problems = second.engine.problems();
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.kind, 'skipped-job');
    await second.engine.close();
    // The lock went with it: the folder opens again in this process.
    const third = await openEngine(data, {}, { autoStart: false });
    assert.equal(third.engine.list().length, 1);
    await third.engine.close();
  });
});
