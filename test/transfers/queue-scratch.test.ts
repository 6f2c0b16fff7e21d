// A scratch queue (TransferEngineOptions.scratchQueue: the `fileferry` command's queue folder for one run) keeps
// no last good copy and never waits for the disk, while the app's queue still does.
// Within its run a scratch queue is a queue like any other: what it holds is in queue.db.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openDatabase } from '../../main/core/db/sqlite';
import { localRef, openEngine, removeDirs, tempDir } from './fixtures';

const LAST_GOOD = 'queue.last-good.db';

describe('a scratch queue', () => {
  const dirs: string[] = [];
  after(() => removeDirs(...dirs));

  /** Copies one file through an engine whose queue lives in `data`, and closes the engine. */
  async function copyOnce(data: string, scratchQueue: boolean): Promise<{ target: string }> {
    const [src, dst] = [await tempDir(), await tempDir()];
    dirs.push(src, dst);
    await writeFile(join(src, 'f.txt'), 'scratch\n');
    const { engine } = await openEngine(data, {}, { scratchQueue });
    const job = engine.add({
      source: { connection: localRef(src), path: '/f.txt' },
      target: { connection: localRef(dst), path: '/f.txt' },
    });
    assert.equal((await engine.waitFor(job.id)).state, 'completed');
    await engine.close();
    return { target: join(dst, 'f.txt') };
  }

  it("keeps no last good copy; the app's queue does", async () => {
    const [scratch, kept] = [await tempDir(), await tempDir()];
    dirs.push(scratch, kept);

    const copied = await copyOnce(scratch, true);
    assert.equal(await readFile(copied.target, 'utf8'), 'scratch\n');
    assert.ok(!(await readdir(scratch)).includes(LAST_GOOD), `no ${LAST_GOOD} in ${await readdir(scratch)}`);

    await copyOnce(kept, false);
    assert.ok((await readdir(kept)).includes(LAST_GOOD), 'the app keeps its last good copy');
  });

  it('still holds its jobs in queue.db: a job added and closed comes back when the folder is opened again', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    await writeFile(join(src, 'later.txt'), 'later\n');
    const first = await openEngine(data, {}, { autoStart: false, scratchQueue: true });
    const job = first.engine.add({
      source: { connection: localRef(src), path: '/later.txt' },
      target: { connection: localRef(dst), path: '/later.txt' },
    });
    await first.engine.close();

    const second = await openEngine(data, {}, { scratchQueue: true });
    assert.equal(second.engine.get(job.id)?.state, 'paused', 'the job is back');
    second.engine.resume(job.id);
    assert.equal((await second.engine.waitFor(job.id)).state, 'completed');
    await second.engine.close();
    assert.equal(await readFile(join(dst, 'later.txt'), 'utf8'), 'later\n');
  });

  it('opens its database without waiting for the disk (synchronous = OFF); others keep NORMAL', async () => {
    const data = await tempDir();
    dirs.push(data);
    const synchronous = (durable: boolean | undefined) => {
      const db = openDatabase(join(data, `${String(durable)}.db`), durable === undefined ? {} : { durable });
      try {
        return db.prepare('PRAGMA synchronous').get<{ synchronous: number }>()?.synchronous;
      } finally {
        db.close();
      }
    };
    assert.equal(synchronous(false), 0, 'OFF');
    assert.equal(synchronous(undefined), 1, 'NORMAL');
    assert.equal(synchronous(true), 1, 'NORMAL');
  });
});
