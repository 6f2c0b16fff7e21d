// `npm run bench [-- SUITE…]`: FileFerry's throughput and memory beside peer tools, on loopback servers that
// each suite starts and stops itself. Suites: ftp (issue 2), cloud (4), engine (21), cli (15), ui (16),
// history (17). See
// bench/README.md.
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliBench } from './cli';
import { cloudBench } from './cloud';
import { engineBench } from './engine';
import { ftpBench } from './ftp';
import { historyBench } from './history';
import { uiBench } from './ui';
import type { BenchContext } from './lib/context';
import { MiB } from './lib/files';
import { formatTables, type Goal, type Measurement } from './lib/report';

/** A suite's figures; `tables` holds what the common table has no columns for (the ui suite's frames). */
type SuiteResult = { measurements: Measurement[]; goals: Goal[]; tables?: string[] };

const SUITES: Record<string, (ctx: BenchContext) => Promise<SuiteResult>> = {
  ftp: ftpBench,
  cloud: cloudBench,
  engine: engineBench,
  cli: cliBench,
  ui: uiBench,
  history: historyBench,
};

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, not "${raw}"`);
  return value;
}

const interruptStops = new Set<() => Promise<void>>();

// Servers are child processes: stop them (and remove their data) when the run is interrupted.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n[bench] ${signal}: stopping servers\n`);
    void Promise.allSettled([...interruptStops].map((stop) => stop())).then(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  const chosen = process.argv.slice(2);
  const unknown = chosen.filter((name) => !(name in SUITES));
  if (unknown.length > 0)
    throw new Error(`Unknown suite ${unknown.join(', ')}; choose from ${Object.keys(SUITES).join(', ')}`);
  const names = chosen.length > 0 ? chosen : Object.keys(SUITES);

  const started = Date.now();
  const startLoad = loadavg()[0]!.toFixed(1);
  const workDir = await mkdtemp(join(tmpdir(), 'ferry-bench-'));
  interruptStops.add(() => rm(workDir, { recursive: true, force: true }));
  const ctx: BenchContext = {
    workDir,
    bigBytes: numberFromEnv('BENCH_BIG_MIB', 1024) * MiB,
    midBytes: numberFromEnv('BENCH_MID_MIB', 256) * MiB,
    smallCount: numberFromEnv('BENCH_SMALL_COUNT', 2000),
    smallBytes: 16 * 1024,
    uiEntries: numberFromEnv('BENCH_UI_ENTRIES', 100_000),
    uiScrollSeconds: numberFromEnv('BENCH_UI_SCROLL_S', 10),
    uiSources: process.env.BENCH_UI_SOURCES?.split(',').map((s) => s.trim()),
    repeat: process.env.BENCH_REPEAT ? numberFromEnv('BENCH_REPEAT', 1) : undefined,
    ...(process.env.BENCH_CPU_PROF ? { cpuProfileDir: process.env.BENCH_CPU_PROF } : {}),
    onInterrupt: (stop) => {
      interruptStops.add(stop);
      return () => interruptStops.delete(stop);
    },
    say: (line) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`),
  };
  const measurements: Measurement[] = [];
  const goals: Goal[] = [];
  const tables: string[] = [];
  let failed = false;
  try {
    for (const name of names) {
      ctx.say(`suite ${name}`);
      try {
        const result = await SUITES[name]!(ctx);
        measurements.push(...result.measurements);
        goals.push(...result.goals);
        tables.push(...(result.tables ?? []));
      } catch (error) {
        failed = true;
        ctx.say(`suite ${name} failed: ${String((error as Error)?.stack ?? error)}`);
      }
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}, load average at the end ${load} (at the start ${startLoad})`;
  process.stdout.write(`\nFileFerry benchmarks, ${new Date().toISOString().slice(0, 10)}, ${machine}\n`);
  process.stdout.write("MB = 10^6 bytes; FileFerry figures are its worker process's own (engine + verification).\n\n");
  process.stdout.write(`${formatTables(measurements, goals)}\n`);
  for (const extra of tables) process.stdout.write(`\n${extra}\n`);
  ctx.say(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
