// The queue file's write throttle: progress marked while a write is under way waits for the interval
// (a busy folder job marks it many times a second, and every write serialises and fsyncs the whole
// queue), while a state change is written right after the current write.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createLogger } from '../../main/core/log/logger';
import type { StoredQueue } from '../../main/core/transfers/job-model';
import { QueueStore } from '../../main/core/transfers/queue-store';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** A store whose snapshot counts the writes (one snapshot per write) and names the write in the file. */
async function countingStore(): Promise<{ store: QueueStore; writes: () => number; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-queue-store-'));
  dirs.push(dir);
  let writes = 0;
  const snapshot = (): StoredQueue => {
    writes += 1;
    return { version: 1, jobs: [], ...{ note: `write ${writes}` } } as StoredQueue;
  };
  const store = new QueueStore(dir, snapshot, createLogger({ test: 'queue-store' }));
  await store.load();
  return { store, writes: () => writes, file: join(dir, 'queue.json') };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('queue store throttle', () => {
  it('progress marked during a write waits for the interval instead of writing again at once', async () => {
    const { store, writes, file } = await countingStore();
    store.saveSoon();
    for (let i = 0; i < 200; i++) store.markDirty();
    await sleep(400);
    assert.equal(writes(), 1, 'one write in the first 400 ms despite 200 progress marks');
    await sleep(900);
    assert.equal(writes(), 2, 'the marked progress is written once the interval has passed');
    assert.match(await readFile(file, 'utf8'), /write 2/);
  });

  it('a state change during a write is written right after it', async () => {
    const { store, writes } = await countingStore();
    store.saveSoon();
    store.saveSoon();
    await sleep(200);
    assert.equal(writes(), 2);
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
