// Each overwrite policy against an existing target, local → local, including "ask" answered via answer().
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OverwritePolicy } from '../../shared/transfers';
import { decide } from '../../main/core/transfers/overwrite-policy';
import { exists, fileChanges, localRef, openEngine, removeDirs, sha256File, tempDir, treeOf } from './fixtures';
import { until } from '../helpers/until';

const T0 = Date.UTC(2025, 0, 1);

describe('overwrite policies (local → local)', () => {
  const dirs: string[] = [];
  after(() => removeDirs(...dirs));

  /** src/f.txt = "NEW CONTENT" (modified srcTime), dst/f.txt = `existing` (modified dstTime); runs one job. */
  async function run(
    policy: OverwritePolicy,
    existing: string,
    times: { src: number; dst: number } = { src: T0, dst: T0 },
  ) {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    await writeFile(join(src, 'f.txt'), 'NEW CONTENT');
    await writeFile(join(dst, 'f.txt'), existing);
    await utimes(join(src, 'f.txt'), new Date(times.src), new Date(times.src));
    await utimes(join(dst, 'f.txt'), new Date(times.dst), new Date(times.dst));
    const { engine, events } = await openEngine(data);
    const job = engine.add({
      source: { connection: localRef(src), path: '/f.txt' },
      target: { connection: localRef(dst), path: '/f.txt' },
      overwrite: policy,
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    return { done, events, dst, text: await readFile(join(dst, 'f.txt'), 'utf8') };
  }

  it('overwrite replaces the target and sets its modification time', async () => {
    const { done, text, dst } = await run('overwrite', 'old', { src: T0 + 5000, dst: T0 });
    assert.equal(done.state, 'completed');
    assert.equal(text, 'NEW CONTENT');
    assert.deepEqual(await treeOf(dst), ['f.txt']);
    const { stat } = await import('node:fs/promises');
    assert.equal(Math.floor((await stat(join(dst, 'f.txt'))).mtimeMs), T0 + 5000);
  });

  it('skip keeps the target', async () => {
    const { done, text, events } = await run('skip', 'old');
    assert.equal(done.state, 'completed');
    assert.equal(done.filesSkipped, 1);
    assert.equal(text, 'old');
    assert.ok(fileChanges(events).some((e) => e.state === 'skipped' && /skip/.test(e.note ?? '')));
  });

  it('if-newer copies a newer source and skips an older or equal one', async () => {
    assert.equal((await run('if-newer', 'old', { src: T0 + 60_000, dst: T0 })).text, 'NEW CONTENT');
    assert.equal((await run('if-newer', 'old', { src: T0, dst: T0 + 60_000 })).text, 'old');
    assert.equal((await run('if-newer', 'old', { src: T0, dst: T0 })).text, 'old');
  });

  it('if-newer honours the coarser modtime precision', () => {
    const ctx = { precisionMs: 1000, canAppend: true };
    // FTP truncates to whole seconds: 10.999 s vs 10 s is the same instant.
    assert.equal(decide('if-newer', { modified: 10_999 }, { exists: true, modified: 10_000 }, ctx).action, 'skip');
    assert.equal(decide('if-newer', { modified: 11_000 }, { exists: true, modified: 10_000 }, ctx).action, 'transfer');
    assert.equal(
      decide('if-newer', { modified: 10_001 }, { exists: true, modified: 10_000 }, { ...ctx, precisionMs: 1 }).action,
      'transfer',
    );
  });

  it('if-size-differs copies when sizes differ and skips when equal', async () => {
    assert.equal((await run('if-size-differs', 'old')).text, 'NEW CONTENT');
    assert.equal((await run('if-size-differs', 'SAME LENGTH')).text, 'SAME LENGTH');
  });

  it('resume appends the missing tail to a shorter target', async () => {
    const { done, text, events } = await run('resume', 'NEW ');
    assert.equal(done.state, 'completed');
    assert.equal(text, 'NEW CONTENT');
    assert.ok(!events.some((e) => e.type === 'log' && /replaced/.test(e.message)));
  });

  it('resume continues a partial temporary left by an earlier run', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    await writeFile(join(src, 'g.bin'), 'ABCDEFGHIJ');
    await writeFile(join(dst, '.g.bin.ffpart'), 'ABCDE');
    const { engine } = await openEngine(data);
    const job = engine.add({
      source: { connection: localRef(src), path: '/g.bin' },
      target: { connection: localRef(dst), path: '/g.bin' },
      overwrite: 'resume',
    });
    assert.equal((await engine.waitFor(job.id)).state, 'completed');
    await engine.close();
    assert.equal(await readFile(join(dst, 'g.bin'), 'utf8'), 'ABCDEFGHIJ');
    assert.equal(await exists(join(dst, '.g.bin.ffpart')), false);
  });

  it('resume skips a target that is already complete', async () => {
    const { done, text } = await run('resume', 'NEW CONTENT');
    assert.equal(done.filesSkipped, 1);
    assert.equal(text, 'NEW CONTENT');
  });

  it('rename picks "name (1).ext", then "name (2).ext"', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    await writeFile(join(src, 'report.pdf'), 'v2');
    await writeFile(join(dst, 'report.pdf'), 'v1');
    const { engine } = await openEngine(data);
    for (let i = 0; i < 2; i++) {
      const job = engine.add({
        source: { connection: localRef(src), path: '/report.pdf' },
        target: { connection: localRef(dst), path: '/report.pdf' },
        overwrite: 'rename',
      });
      assert.equal((await engine.waitFor(job.id)).state, 'completed');
    }
    await engine.close();
    assert.deepEqual(await treeOf(dst), ['report (1).pdf', 'report (2).pdf', 'report.pdf']);
    assert.equal(await readFile(join(dst, 'report.pdf'), 'utf8'), 'v1');
    assert.equal(await readFile(join(dst, 'report (2).pdf'), 'utf8'), 'v2');
  });

  it('ask emits a question per conflict; answer() decides, applyToAll settles the rest', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    for (const name of ['a', 'b', 'c', 'd']) {
      await writeFile(join(src, name), `new ${name}`);
      if (name !== 'd') await writeFile(join(dst, name), `old ${name}`);
    }
    const { engine, events } = await openEngine(data, {}, { perSiteConcurrency: 1 });
    let asked = 0;
    engine.on((event) => {
      if (event.type !== 'ask') return;
      asked++;
      assert.equal(event.target.size, 5);
      assert.equal(event.source.size, 5);
      // First question: skip this one only; second: overwrite, and for all that follow.
      if (asked === 1) engine.answer(event.askId, 'skip');
      else engine.answer(event.askId, 'overwrite', true);
    });
    const job = engine.add({
      source: { connection: localRef(src), path: '/' },
      target: { connection: localRef(dst), path: '/' },
      recursive: true,
      overwrite: 'ask',
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.state, 'completed');
    assert.equal(asked, 2, 'no question for the third conflict (apply to all) nor for the new file');
    assert.equal(done.filesSkipped, 1);
    const contents = await Promise.all(['a', 'b', 'c', 'd'].map((n) => readFile(join(dst, n), 'utf8')));
    const skipped = fileChanges(events).find((e) => e.state === 'skipped');
    assert.ok(skipped);
    assert.equal(contents.filter((c) => c.startsWith('old')).length, 1);
    assert.equal(contents.filter((c) => c.startsWith('new')).length, 3);
    assert.equal(await sha256File(join(dst, 'd')), await sha256File(join(src, 'd')));
  });

  it('a question still open when the job is cancelled is withdrawn', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    await writeFile(join(src, 'q.txt'), 'new');
    await writeFile(join(dst, 'q.txt'), 'old');
    const { engine, events } = await openEngine(data);
    const job = engine.add({
      source: { connection: localRef(src), path: '/q.txt' },
      target: { connection: localRef(dst), path: '/q.txt' },
      overwrite: 'ask',
    });
    await until(() => events.some((e) => e.type === 'ask'), 5000, 'the question');
    const ask = events.find((e) => e.type === 'ask');
    engine.cancel(job.id);
    assert.equal((await engine.waitFor(job.id)).state, 'cancelled');
    assert.equal(ask?.type === 'ask' && engine.answer(ask.askId, 'overwrite'), false);
    await engine.close();
    assert.equal(await readFile(join(dst, 'q.txt'), 'utf8'), 'old');
  });

  it('with autoStart false, jobs wait for start()', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    await writeFile(join(src, 'w.txt'), 'waiting');
    const { engine } = await openEngine(data, {}, { autoStart: false });
    const job = engine.add({
      source: { connection: localRef(src), path: '/w.txt' },
      target: { connection: localRef(dst), path: '/w.txt' },
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(engine.get(job.id)?.state, 'queued');
    assert.equal(await exists(join(dst, 'w.txt')), false);
    engine.start();
    assert.equal((await engine.waitFor(job.id)).state, 'completed');
    await engine.close();
  });
});
