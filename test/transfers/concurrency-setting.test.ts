// The per-site concurrency setting takes effect at once, on a job that is already running: raised, more files
// move side by side; lowered, no new file starts until the running ones are under the new limit. Measured
// where it matters, at the source's reads.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Provider, ReadOptions } from '../../shared/provider';
import { until } from '../helpers/until';
import { localRef, openEngine, openLocal, removeDirs, tempDir, treeOf, wrapProvider } from './fixtures';

/** The local folder as a site of its own whose reads take a while, counting how many run at once. */
function countingReads(inner: Provider, counter: { active: number; max: number }): Provider {
  return wrapProvider(inner, {
    siteKey: 'test:counting-source',
    async read(path: string, options: ReadOptions = {}) {
      const source = await inner.read(path, options);
      return (async function* () {
        counter.active++;
        counter.max = Math.max(counter.max, counter.active);
        try {
          await new Promise((r) => setTimeout(r, 40));
          yield* source;
        } finally {
          counter.active--;
        }
      })();
    },
  });
}

describe('the per-site concurrency setting', () => {
  const dirs: string[] = [];
  after(() => removeDirs(...dirs));

  it('raised and lowered while a job runs, it changes how many files move at once', async () => {
    const [source, target, data] = await Promise.all([tempDir(), tempDir(), tempDir()]);
    dirs.push(source, target, data);
    const names = Array.from({ length: 40 }, (_, i) => `file-${String(i).padStart(2, '0')}.txt`);
    for (const name of names) await writeFile(join(source, name), `${name}\n`);
    const counter = { active: 0, max: 0 };
    const { engine } = await openEngine(
      data,
      { src: async () => countingReads(await openLocal(source), counter) },
      { perSiteConcurrency: 1 },
    );
    try {
      const job = engine.add({
        source: { connection: { savedId: 'src' }, path: '/' },
        target: { connection: localRef(target), path: '/' },
        recursive: true,
      });
      const done = () => engine.get(job.id)?.filesDone ?? 0;
      await until(() => done() >= 3, 10_000);
      assert.equal(counter.max, 1, 'one at a time while the setting says 1');

      engine.setPerSiteConcurrency(4);
      counter.max = counter.active;
      await until(() => done() >= 15, 10_000);
      assert.equal(counter.max, 4, 'four side by side once raised');

      engine.setPerSiteConcurrency(1);
      // The (at most four) files already running finish as they are; count from when they have.
      const lowered = done();
      await until(() => done() >= lowered + 4, 10_000);
      counter.max = counter.active;
      const finished = await engine.waitFor(job.id);
      assert.equal(finished.state, 'completed');
      assert.ok(counter.max <= 1, `one at a time again once lowered (saw ${counter.max})`);
      assert.deepEqual(await treeOf(target), names);
    } finally {
      await engine.close();
    }
  });
});
