// Events a UI can take, and the engine's smaller promises (issue 21): a job of 2,000 files sends its progress
// and its file changes in a few batches a second, not thousands of messages; a walk reports what it has found
// before the job is planned; same-site copies never deadlock on a connection limit below the concurrency
// asked for; two jobs writing one file never share its temporary; a cancel that comes as the last file
// finishes leaves the job completed; a cancel during the walk leaves no empty folder behind.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ftpSpecSchema } from '../../shared/connection';
import type { Entry, ListOptions } from '../../shared/provider';
import type { TransferEvent } from '../../shared/transfers';
import { TransferEngine } from '../../main/core/transfers';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';
import { until } from '../helpers/until';
import {
  fileChanges,
  localOrFtpOpener,
  localRef,
  openEngine,
  openLocal,
  removeDirs,
  sha256File,
  slowReads,
  tempDir,
  treeOf,
  wrapProvider,
  type ReadLog,
  writeRandomFile,
} from './fixtures';

type EventOf<T extends TransferEvent['type']> = Extract<TransferEvent, { type: T }>;
const ofType = <T extends TransferEvent['type']>(events: TransferEvent[], type: T) =>
  events.filter((e): e is EventOf<T> => e.type === type);

describe('events of a large job', () => {
  const dirs: string[] = [];
  after(() => removeDirs(...dirs));

  it('2,000 files: progress and file changes batched to the interval, every file reported once', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    for (let d = 0; d < 10; d++) {
      await mkdir(join(src, `d${d}`));
      for (let i = 0; i < 200; i++) await writeFile(join(src, `d${d}`, `f${i}.txt`), `${d}/${i}\n`);
    }
    const { engine, events } = await openEngine(data, {}, { progressIntervalMs: 100 });
    const started = Date.now();
    const job = engine.add({
      source: { connection: localRef(src), path: '/' },
      target: { connection: localRef(dst), path: '/' },
      recursive: true,
    });
    const done = await engine.waitFor(job.id);
    const elapsed = Date.now() - started;
    await engine.close();
    assert.equal(done.filesDone, 2000);

    const ticks = elapsed / 100 + 3;
    const progress = ofType(events, 'progress');
    const batches = ofType(events, 'files');
    assert.ok(progress.length <= ticks, `${progress.length} progress events in ${elapsed} ms`);
    assert.ok(batches.length <= ticks, `${batches.length} batches of file changes in ${elapsed} ms`);
    const changes = fileChanges(events);
    assert.equal(changes.length, 2000);
    assert.equal(new Set(changes.map((c) => c.path)).size, 2000, 'each file once');
    // Job snapshots only for state changes: queued, running, planned, completed.
    assert.ok(ofType(events, 'job').length <= 5, `${ofType(events, 'job').length} job snapshots`);
    const last = progress[progress.length - 1]!;
    assert.equal(last.filesDone, 2000);
    assert.equal(last.filesTotal, 2000);
  });

  it('reports the walk as it goes: folders and files found, before the job is planned', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    for (let d = 0; d < 12; d++) await writeRandomFile(join(src, `d${d}`, 'f.bin'), 100);
    const inner = await openLocal(src);
    const slowListing = wrapProvider(inner, {
      async *list(path: string, options?: ListOptions): AsyncIterable<Entry[]> {
        await new Promise((r) => setTimeout(r, 60));
        yield* inner.list(path, options);
      },
    });
    const { engine, events } = await openEngine(data, { slow: async () => slowListing }, { progressIntervalMs: 50 });
    const job = engine.add({
      source: { connection: { savedId: 'slow' }, path: '/' },
      target: { connection: localRef(dst), path: '/' },
      recursive: true,
    });
    await engine.waitFor(job.id);
    await engine.close();
    const walking = ofType(events, 'progress').filter((e) => e.planning);
    assert.ok(walking.length >= 3, `${walking.length} progress events while walking`);
    const found = walking.map((e) => e.planning!.files);
    assert.ok(
      found.some((n) => n > 0 && n < 12),
      `files found as the walk went: ${found.join(', ')}`,
    );
    assert.ok(
      walking.every((e) => e.progress.bytesTotal === undefined),
      'no total before the plan is complete',
    );
  });
});

describe('the engine at the edges', () => {
  const dirs: string[] = [];
  let server: FtpServerHandle;
  before(async () => {
    server = await startFtpServer();
  });
  after(async () => {
    await server?.stop();
    await removeDirs(...dirs);
  });

  it('copies within one FTP site when the concurrency asked for exceeds its connections', async () => {
    const data = await tempDir();
    dirs.push(data);
    await mkdir(join(server.root, 'in'));
    for (let i = 0; i < 40; i++) await writeFile(join(server.root, 'in', `f${i}.txt`), `ftp ${i}\n`);
    const spec = ftpSpecSchema.parse(server.spec({ maxConnections: 2 }));
    const engine = await TransferEngine.open({
      dataDir: data,
      perSiteConcurrency: 4,
      openConnection: localOrFtpOpener(() => server.password),
    });
    const job = engine.add({
      source: { connection: { spec }, path: '/in' },
      target: { connection: { spec }, path: '/out' },
      recursive: true,
    });
    const done = await Promise.race([
      engine.waitFor(job.id),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('deadlocked: nothing after 30 s')), 30_000)),
    ]);
    await engine.close();
    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    assert.equal((await readdir(join(server.root, 'out'))).length, 40);
  });

  it('two jobs writing the same file take turns: each writes its own bytes, the last one stays', async () => {
    const [a, b, dst, data] = [await tempDir(), await tempDir(), await tempDir(), await tempDir()];
    dirs.push(a, b, dst, data);
    await writeRandomFile(join(a, 'same.bin'), 1024 * 1024);
    await writeRandomFile(join(b, 'same.bin'), 1024 * 1024);
    const readsA: ReadLog = { offsets: [], bytes: 0 };
    const readsB: ReadLog = { offsets: [], bytes: 0 };
    const { engine } = await openEngine(data, {
      a: async () => slowReads(await openLocal(a), readsA, 64 * 1024, 10),
      b: async () => slowReads(await openLocal(b), readsB, 64 * 1024, 10),
    });
    const jobA = engine.add({
      source: { connection: { savedId: 'a' }, path: '/same.bin' },
      target: { connection: localRef(dst), path: '/same.bin' },
    });
    const jobB = engine.add({
      source: { connection: { savedId: 'b' }, path: '/same.bin' },
      target: { connection: localRef(dst), path: '/same.bin' },
    });
    const [doneA, doneB] = await Promise.all([engine.waitFor(jobA.id), engine.waitFor(jobB.id)]);
    await engine.close();
    assert.equal(doneA.state, 'completed', JSON.stringify(doneA.error));
    assert.equal(doneB.state, 'completed', JSON.stringify(doneB.error));
    const [first, last] = doneA.finishedAt! <= doneB.finishedAt! ? [a, b] : [b, a];
    assert.ok(first !== last);
    assert.equal(await sha256File(join(dst, 'same.bin')), await sha256File(join(last, 'same.bin')));
    assert.deepEqual(await treeOf(dst), ['same.bin'], 'no temporary left');
  });

  it('a cancel that comes as the last file finishes leaves the job completed', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    await writeRandomFile(join(src, 'only.bin'), 5000);
    let cancelNow = () => {};
    const inner = await openLocal(dst);
    const target = wrapProvider(inner, {
      async rename(from, to, options) {
        await inner.rename(from, to, options);
        cancelNow(); // the file is complete on the target; the cancel arrives before the engine hears of it
      },
    });
    const { engine } = await openEngine(data, { target: async () => target });
    const job = engine.add({
      source: { connection: localRef(src), path: '/only.bin' },
      target: { connection: { savedId: 'target' }, path: '/only.bin' },
    });
    cancelNow = () => engine.cancel(job.id);
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.state, 'completed');
    assert.equal(done.filesDone, 1);
    assert.equal(await sha256File(join(dst, 'only.bin')), await sha256File(join(src, 'only.bin')));
  });

  it('a cancel during the walk removes the folders it created that are still empty', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    for (let d = 0; d < 21; d++) await writeRandomFile(join(src, 'tree', `d${d}`, 'f.bin'), 10);
    await mkdir(join(dst, 'tree', 'd3'), { recursive: true }); // the user's own, empty: it stays
    const inner = await openLocal(src);
    let listed = 0;
    const slowListing = wrapProvider(inner, {
      async *list(path: string, options?: ListOptions): AsyncIterable<Entry[]> {
        listed++;
        await new Promise((r) => setTimeout(r, 40));
        yield* inner.list(path, options);
      },
    });
    const { engine } = await openEngine(data, { slow: async () => slowListing });
    const job = engine.add({
      source: { connection: { savedId: 'slow' }, path: '/tree' },
      target: { connection: localRef(dst), path: '/' },
      intoFolder: true,
      recursive: true,
    });
    await until(() => listed >= 10, 10_000, 'half the walk');
    engine.cancel(job.id);
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.state, 'cancelled');
    assert.deepEqual(await treeOf(dst), ['tree/', 'tree/d3/'], 'only what was there before');
  });
});
