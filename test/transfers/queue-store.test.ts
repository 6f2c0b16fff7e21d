// The queue file's write throttle: progress marked while a write is under way waits for the interval
// (a busy folder job marks it many times a second, and every write serialises and fsyncs the whole
// queue), while a state change is written right after the current write.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createLogger } from '../../main/core/log/logger';
import { sleep } from '../../main/core/util/abort';
import type { StoredQueue } from '../../main/core/transfers/job-model';
import { QueueStore } from '../../main/core/transfers/queue-store';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/**
 * A store whose snapshot records when each write began (one snapshot per write) and names the write in
 * the file; `slowMs` makes each snapshot take that long, like a queue of many thousand files.
 */
async function countingStore(
  slowMs = 0,
): Promise<{ store: QueueStore; writes: () => number; startedAt: number[]; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-queue-store-'));
  dirs.push(dir);
  const startedAt: number[] = [];
  const snapshot = (): StoredQueue => {
    startedAt.push(Date.now());
    const until = Date.now() + slowMs;
    while (Date.now() < until); // stands for serialising a huge queue
    return { version: 1, jobs: [], ...{ note: `write ${startedAt.length}` } } as StoredQueue;
  };
  const store = new QueueStore(dir, snapshot, createLogger({ test: 'queue-store' }));
  await store.load();
  return { store, writes: () => startedAt.length, startedAt, file: join(dir, 'queue.json') };
}

/** Ms between the starts of the first two writes: a `slowMs` write, then whatever `meanwhile` marks. */
async function gapBetweenWrites(slowMs: number, meanwhile: (store: QueueStore) => void): Promise<number> {
  const { store, writes, startedAt } = await countingStore(slowMs);
  store.saveSoon();
  meanwhile(store);
  await untilWrites(writes, 2);
  return startedAt[1]! - startedAt[0]!;
}

/** Waits (generously: a loaded machine fsyncs slowly) until `count` writes have happened. */
async function untilWrites(writes: () => number, count: number): Promise<void> {
  for (const deadline = Date.now() + 20_000; writes() < count; await sleep(20)) {
    if (Date.now() > deadline) assert.fail(`only ${writes()} of ${count} writes within 20 s`);
  }
}

describe('queue store throttle', () => {
  it('progress marked during a write waits for the interval instead of writing again at once', async () => {
    const { store, writes, startedAt, file } = await countingStore();
    store.saveSoon();
    for (let i = 0; i < 200; i++) store.markDirty();
    await untilWrites(writes, 2);
    assert.ok(startedAt[1]! - startedAt[0]! >= 1000, `second write after ${startedAt[1]! - startedAt[0]!} ms`);
    await sleep(1500);
    assert.equal(writes(), 2, 'the 200 progress marks made one more write, not 200');
    assert.match(await readFile(file, 'utf8'), /write 2/);
  });

  it('a queue that takes long to write is written proportionally less often', async () => {
    const gap = await gapBetweenWrites(150, (store) => store.markDirty());
    assert.ok(gap >= 1500, `a 150 ms write keeps the next progress write 1.5 s away, not 1 s (${gap} ms)`);
  });

  it('a state change during a write is written right after it', async () => {
    // A 300 ms write would hold back mere progress for 3 s (ten times as long); a state change goes next.
    const gap = await gapBetweenWrites(300, (store) => store.saveSoon());
    assert.ok(gap < 3000, `the state change waited ${gap} ms, like progress would`);
  });

  it('flush writes what is marked without waiting for the interval', async () => {
    const { store, writes, file } = await countingStore();
    store.saveSoon();
    await store.flush();
    store.markDirty();
    await store.flush();
    assert.equal(writes(), 2);
    assert.match(await readFile(file, 'utf8'), /write 2/);
  });
});
