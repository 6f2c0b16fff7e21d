// Issue 21: the engine at desktop scale. A tree of 100,000 tiny files copied local → local, beside rsync -a in
// the same run (rounds in turn); then the engine's own cost at 100,000 and at 1,000,000 files between a
// synthetic source and a null target (bench/lib/synthetic.ts): peak RSS, the longest the event loop was held,
// and the time to close and open a queue that holds a million pending files.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchContext } from './lib/context';
import { runPeer, runWorker } from './lib/measure';
import { filesPerSecond, ratioGoal, rssGoal, type Goal, type Measurement } from './lib/report';
import { inTurn } from './lib/rounds';

const PER_FOLDER = 1000;
const TINY = Buffer.alloc(100, 120);

function countFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number`);
  return value;
}

async function makeTree(root: string, files: number): Promise<void> {
  for (let folder = 0; folder * PER_FOLDER < files; folder++) {
    const dir = join(root, `d${folder}`);
    await mkdir(dir, { recursive: true });
    const count = Math.min(PER_FOLDER, files - folder * PER_FOLDER);
    await Promise.all(Array.from({ length: count }, (_, i) => writeFile(join(dir, `f${i}.txt`), TINY)));
  }
}

async function countFiles(root: string): Promise<number> {
  let count = 0;
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) if (entry.isFile()) count++;
  return count;
}

export async function engineBench(ctx: BenchContext): Promise<{ measurements: Measurement[]; goals: Goal[] }> {
  const measurements: Measurement[] = [];
  const goals: Goal[] = [];
  const files = countFromEnv('BENCH_TREE_FILES', 100_000);
  const million = countFromEnv('BENCH_MILLION', 1_000_000);
  const repeat = ctx.repeat ?? 3;
  const src = join(ctx.workDir, 'tree');
  const label = `${files.toLocaleString('en')} tiny files local→local`;
  ctx.say(`generating ${label}`);
  await makeTree(src, files);
  const loopDelays: Array<{ what: string; ms: number }> = [];

  for (let round = 0; round < repeat; round++) {
    await inTurn(
      round,
      async () => {
        ctx.say(`${label}: FileFerry`);
        const out = join(ctx.workDir, 'ff-out');
        const result = await runWorker(
          {
            request: {
              source: { connection: { spec: { kind: 'local' } }, path: src },
              target: { connection: { spec: { kind: 'local' } }, path: out },
              recursive: true,
            },
          },
          { workDir: ctx.workDir, ...(ctx.cpuProfileDir ? { cpuProfileDir: ctx.cpuProfileDir } : {}) },
        );
        if (result.filesDone !== files || (await countFiles(out)) !== files)
          throw new Error(`FileFerry copied ${result.filesDone} of ${files} files`);
        loopDelays.push({ what: label, ms: result.maxLoopDelayMs });
        measurements.push({
          case: label,
          tool: 'FileFerry',
          bytes: files * TINY.length,
          files,
          ms: result.elapsedMs,
          cpuMs: result.cpuMs,
          peakRssKiB: result.peakRssKiB,
          note: `event loop held at most ${result.maxLoopDelayMs.toFixed(0)} ms`,
        });
        await rm(out, { recursive: true, force: true });
      },
      async () => {
        ctx.say(`${label}: rsync -a`);
        const out = join(ctx.workDir, 'rsync-out');
        const result = await runPeer('rsync', ['-a', `${src}/`, `${out}/`]);
        if ((await countFiles(out)) !== files) throw new Error('rsync did not copy every file');
        measurements.push({
          case: label,
          tool: 'rsync -a',
          bytes: files * TINY.length,
          files,
          ms: result.wallMs,
          cpuMs: result.cpuMs,
          peakRssKiB: result.peakRssKiB,
        });
        await rm(out, { recursive: true, force: true });
      },
    );
  }
  await rm(src, { recursive: true, force: true });

  const scales = [files, million];
  for (const count of scales) {
    const what = `${count.toLocaleString('en')} files, synthetic source → null target`;
    ctx.say(what);
    const request = {
      source: { connection: { savedId: 'synthetic' }, path: '/' },
      target: { connection: { savedId: 'null' }, path: '/' },
      recursive: true,
    };
    const run = await runWorker({ request, synthetic: count }, { workDir: ctx.workDir });
    loopDelays.push({ what, ms: run.maxLoopDelayMs });
    measurements.push({
      case: what,
      tool: 'FileFerry',
      bytes: count * TINY.length,
      files: count,
      ms: run.elapsedMs,
      cpuMs: run.cpuMs,
      peakRssKiB: run.peakRssKiB,
      note: `event loop held at most ${run.maxLoopDelayMs.toFixed(0)} ms`,
    });
  }

  ctx.say(`a queue of ${million.toLocaleString('en')} pending files: close, open, close`);
  const queued = await runWorker(
    {
      request: {
        source: { connection: { savedId: 'synthetic' }, path: '/' },
        target: { connection: { savedId: 'null' }, path: '/' },
        recursive: true,
      },
      synthetic: million,
      queueTimes: true,
    },
    { workDir: ctx.workDir },
  );
  const times = queued.queue!;
  loopDelays.push({ what: `planning ${million.toLocaleString('en')} files`, ms: queued.maxLoopDelayMs });
  measurements.push({
    case: `queue of ${million.toLocaleString('en')} files: plan, close, open, close`,
    tool: 'FileFerry',
    bytes: 0,
    files: million,
    ms: queued.elapsedMs,
    peakRssKiB: queued.peakRssKiB,
    note: `close ${times.closeMs.toFixed(0)} ms, open ${times.openMs.toFixed(0)} ms, close again ${times.reopenCloseMs.toFixed(0)} ms`,
  });

  const rounds = (tool: string) => measurements.filter((m) => m.case === label && m.tool === tool);
  goals.push(
    ratioGoal(
      `${label}: FileFerry within 1.5× rsync -a`,
      rounds('FileFerry'),
      rounds('rsync -a'),
      1 / 1.5,
      filesPerSecond,
    ),
  );
  goals.push(rssGoal(`${label}: FileFerry peak RSS < 150 MiB`, rounds('FileFerry')));
  const synthetic = measurements.filter((m) => m.case.includes('synthetic'));
  goals.push(rssGoal('100,000 and 1,000,000 files (synthetic): peak RSS < 150 MiB', synthetic));
  const [small, large] = synthetic.map((m) => (m.peakRssKiB ?? 0) / 1024);
  goals.push({
    what: 'peak RSS flat from 100,000 to 1,000,000 files (within 15 %)',
    met: large! <= small! * 1.15,
    detail: `${small!.toFixed(0)} MiB → ${large!.toFixed(0)} MiB`,
  });
  const worst = loopDelays.reduce((a, b) => (b.ms > a.ms ? b : a));
  goals.push({
    what: 'no event-loop block over 50 ms, at any job size',
    met: worst.ms <= 50,
    detail: `longest ${worst.ms.toFixed(0)} ms (${worst.what})`,
  });
  goals.push({
    what: `queue of ${million.toLocaleString('en')} files: open and close each under 1 s`,
    met: Math.max(times.closeMs, times.openMs, times.reopenCloseMs) < 1000,
    detail: `close ${times.closeMs.toFixed(0)} ms, open ${times.openMs.toFixed(0)} ms, close again ${times.reopenCloseMs.toFixed(0)} ms`,
  });
  return { measurements, goals };
}
