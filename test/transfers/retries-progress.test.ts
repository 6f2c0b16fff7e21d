// Retries with backoff (continuing from the last byte), the retry limit, per-site concurrency limits and
// throttled progress events with rate and ETA — local → local with test-only wrappers injecting faults.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FerryError } from '../../shared/errors';
import type { Provider, WriteOptions } from '../../shared/provider';
import type { TransferEvent } from '../../shared/transfers';
import {
  localRef,
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

describe('retries, concurrency and progress (local → local)', () => {
  const dirs: string[] = [];
  after(() => removeDirs(...dirs));

  it('retries a cut transfer from the last byte and completes with equal hashes', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    await writeRandomFile(join(src, 'f.bin'), 1_000_000);
    const offsets: number[] = [];
    const { engine, events } = await openEngine(data, {
      flaky: async () => flakyReads(await openLocal(src), 300_000, 2, offsets),
    });
    const job = engine.add({
      source: { connection: { savedId: 'flaky' }, path: '/f.bin' },
      target: { connection: localRef(dst), path: '/f.bin' },
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    assert.deepEqual(offsets, [0, 300_000, 600_000]);
    assert.equal(await sha256File(join(dst, 'f.bin')), await sha256File(join(src, 'f.bin')));
    assert.equal(events.filter((e) => e.type === 'log' && /retrying/.test(e.message)).length, 2);
  });

  it('stops at the retry limit and says how many attempts were made', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    await writeRandomFile(join(src, 'f.bin'), 200_000);
    const offsets: number[] = [];
    const { engine } = await openEngine(
      data,
      { flaky: async () => flakyReads(await openLocal(src), 50_000, 99, offsets) },
      { retries: 2 },
    );
    const job = engine.add({
      source: { connection: { savedId: 'flaky' }, path: '/f.bin' },
      target: { connection: localRef(dst), path: '/f.bin' },
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.state, 'failed');
    assert.equal(done.error?.code, 'Network');
    assert.match(done.error?.message ?? '', /connection reset by peer \(gave up after 3 attempts\)/);
    assert.equal(offsets.length, 3);
    assert.deepEqual(await treeOf(dst), [], 'the temporary of a failed file is removed');
    // What moved for the failed file is counted, and said to be what did not arrive (a summary counts 0).
    assert.equal(done.progress.bytesDone, 150_000);
    assert.equal(done.progress.bytesFailed, 150_000);
  });

  it('does not retry errors that are not transient', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    await writeRandomFile(join(src, 'f.bin'), 200_000);
    const offsets: number[] = [];
    const denied = () => new FerryError('PermissionDenied', 'no access');
    const { engine } = await openEngine(data, {
      flaky: async () => flakyReads(await openLocal(src), 50_000, 99, offsets, denied),
    });
    const job = engine.add({
      source: { connection: { savedId: 'flaky' }, path: '/f.bin' },
      target: { connection: localRef(dst), path: '/f.bin' },
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.error?.code, 'PermissionDenied');
    assert.match(done.error?.message ?? '', /1 attempt\)/);
    assert.equal(offsets.length, 1);
  });

  it('never runs more transfers on a site than its limit, and runs jobs in parallel up to it', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    for (let i = 0; i < 8; i++) await writeRandomFile(join(src, `d${i % 2}`, `f${i}.bin`), 300_000);
    const inner = await openLocal(dst);
    let active = 0;
    let peak = 0;
    const reads: ReadLog = { offsets: [], bytes: 0 };
    const slowSource = slowReads(await openLocal(src), reads, 64 * 1024, 5);
    const limited: Provider = wrapProvider(inner, {
      siteKey: 'ftp://limited',
      capabilities: { ...inner.capabilities, maxConnections: 2 },
      async write(path: string, source: AsyncIterable<Uint8Array>, options?: WriteOptions) {
        active++;
        peak = Math.max(peak, active);
        try {
          return await inner.write(path, source, options);
        } finally {
          active--;
        }
      },
    });
    const { engine } = await openEngine(data, { limited: async () => limited, slow: async () => slowSource }, {});
    const jobs = ['d0', 'd1'].map((d) =>
      engine.add({
        source: { connection: { savedId: 'slow' }, path: `/${d}` },
        target: { connection: { savedId: 'limited' }, path: `/${d}` },
        recursive: true,
      }),
    );
    for (const j of jobs) assert.equal((await engine.waitFor(j.id)).state, 'completed');
    await engine.close();
    assert.equal(peak, 2, `peak concurrency ${peak}`);
    assert.equal((await treeOf(dst)).filter((n) => n.endsWith('.bin')).length, 8);
  });

  it('throttles progress events and reports rate and ETA', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    await writeRandomFile(join(src, 'p.bin'), 2 * 1024 * 1024);
    const reads: ReadLog = { offsets: [], bytes: 0 };
    // 128 chunks of 16 KiB, 8 ms apart: about a second of transfer in ~130 chunk arrivals.
    const { engine, events } = await openEngine(
      data,
      { slow: async () => slowReads(await openLocal(src), reads, 16 * 1024, 8) },
      { progressIntervalMs: 100 },
    );
    const started = Date.now();
    const job = engine.add({
      source: { connection: { savedId: 'slow' }, path: '/p.bin' },
      target: { connection: localRef(dst), path: '/p.bin' },
    });
    await engine.waitFor(job.id);
    const elapsed = Date.now() - started;
    await engine.close();
    const progress = events.filter((e): e is Extract<TransferEvent, { type: 'progress' }> => e.type === 'progress');
    assert.ok(progress.length >= 3, `only ${progress.length} progress events`);
    assert.ok(progress.length <= elapsed / 100 + 3, `${progress.length} progress events in ${elapsed} ms`);
    for (let i = 1; i < progress.length; i++)
      assert.ok(progress[i]!.progress.bytesDone >= progress[i - 1]!.progress.bytesDone);
    const mid = progress.filter((e) => e.progress.bytesDone < 2 * 1024 * 1024 && e.progress.rate > 0);
    assert.ok(mid.length > 0, 'progress with a rate');
    assert.ok(mid.every((e) => e.progress.etaSeconds !== undefined && e.progress.bytesTotal === 2 * 1024 * 1024));
    assert.equal(progress[progress.length - 1]!.progress.bytesDone, 2 * 1024 * 1024);
    // The first progress may come before the first byte (the plan is made); from then on it names the file.
    assert.equal(progress.find((e) => e.file !== undefined)?.file, '/p.bin');
  });
});
