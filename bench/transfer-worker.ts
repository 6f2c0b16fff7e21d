// One FileFerry measurement, in its own process so the figures are the product's and not the harness's:
// opens a TransferEngine over the real providers, runs one TransferRequest to completion (transfer and
// verification, as the app does it) and prints one line: "@@BENCH {json}" with the elapsed time and this
// process's peak resident set (VmHWM). The request arrives as JSON in argv[2]; secrets (the emulators'
// well-known keys) in the BENCH_SECRETS environment variable, keyed by the ref's secretsKey.
import '../main/core/util/heap'; // first: keeps the young generation small (see there)
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { SecretField } from '../shared/connection';
import { openProvider } from '../main/core/providers';
import { openHistory } from '../main/core/history';
import { createLogger, setLogSink } from '../main/core/log/logger';
import { TransferEngine } from '../main/core/transfers';
import { nullTarget, syntheticSource } from './lib/synthetic';
import { RESULT_PREFIX, type WorkerInput, type WorkerResult } from './lib/worker-protocol';

async function peakRssKiB(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8');
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error('VmHWM not found in /proc/self/status (Linux only)');
  return Number(match[1]);
}

/**
 * Loads the modules (and SDKs) of the request's providers before the clock starts: the app loads them
 * once per session, on first use, not once per transfer (60–130 ms for each cloud SDK on this machine).
 */
async function loadProviderModules(request: WorkerInput['request']): Promise<void> {
  const kinds = [request.source.connection, request.target.connection].map((ref) =>
    'spec' in ref ? ref.spec.kind : undefined,
  );
  await Promise.all(
    kinds.map((kind) => {
      if (kind === 'ftp' || kind === 'ftps') return import('../main/core/providers/ftp');
      if (kind === 's3') return import('../main/core/providers/s3');
      if (kind === 'azure-blob') return import('../main/core/providers/azure-blob');
      return undefined;
    }),
  );
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as WorkerInput;
  const secrets = JSON.parse(process.env.BENCH_SECRETS ?? '{}') as Record<string, Partial<Record<SecretField, string>>>;
  setLogSink((level, message, fields) => {
    if (level === 'warn' || level === 'error')
      process.stderr.write(`[${level}] ${message} ${JSON.stringify(fields)}\n`);
  });
  const dataDir = await mkdtemp(join(tmpdir(), 'ferry-bench-queue-'));
  // The app and the command line record every file in the history: so does the benchmark (BENCH_NO_HISTORY=1
  // leaves it out, to see what it costs).
  const history =
    process.env.BENCH_NO_HISTORY === '1'
      ? undefined
      : await openHistory(dataDir, 'bench', createLogger({ component: 'history' }));
  const synthetic = input.synthetic ? { source: syntheticSource(input.synthetic), target: nullTarget() } : undefined;
  const open = () =>
    TransferEngine.open({
      dataDir,
      openConnection: async (ref) => {
        if ('savedId' in ref) {
          if (ref.savedId === 'synthetic' && synthetic) return synthetic.source;
          if (ref.savedId === 'null' && synthetic) return synthetic.target;
          throw new Error(`The benchmark has no connection ${ref.savedId}`);
        }
        const own = secrets[ref.secretsKey ?? ''] ?? {};
        return openProvider(ref.spec, { secrets: async (field) => own[field] });
      },
      ...(input.perSiteConcurrency ? { perSiteConcurrency: input.perSiteConcurrency } : {}),
      ...(history ? { history: history.options } : {}),
    });
  let engine = await open();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  try {
    await loadProviderModules(input.request);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    loop.enable();
    const job = engine.add(input.request);
    let queue: WorkerResult['queue'];
    if (input.queueTimes) {
      // Paused as soon as it is planned: the queue then holds every file, pending.
      await new Promise<void>((resolve) => {
        const off = engine.on((event) => {
          if (event.type === 'job' && event.job.id === job.id && event.job.progress.bytesTotal !== undefined) {
            off();
            engine.pause(job.id);
            resolve();
          }
        });
      });
      await new Promise<void>((resolve) => {
        const check = () => (engine.get(job.id)?.state === 'paused' ? resolve() : setTimeout(check, 5));
        check();
      });
      const t0 = performance.now();
      await engine.close();
      const t1 = performance.now();
      engine = await open();
      const t2 = performance.now();
      await engine.close();
      const t3 = performance.now();
      queue = { closeMs: t1 - t0, openMs: t2 - t1, reopenCloseMs: t3 - t2 };
      engine = await open(); // for the finally below, and to check the job came back whole
    }
    const done = queue ? engine.get(job.id)! : await engine.waitFor(job.id);
    const elapsedMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    loop.disable();
    const result: WorkerResult = {
      state: queue
        ? done.filesTotal === input.synthetic
          ? 'completed'
          : `only ${done.filesTotal} files came back`
        : done.state,
      elapsedMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      peakRssKiB: await peakRssKiB(),
      filesDone: queue ? done.filesTotal : done.filesDone,
      filesFailed: done.filesFailed,
      bytesDone: done.progress.bytesDone,
      maxLoopDelayMs: loop.max / 1e6,
      ...(queue ? { queue } : {}),
      ...(done.error ? { error: `${done.error.code}: ${done.error.message}` } : {}),
    };
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
  } finally {
    await engine.close();
    history?.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`transfer-worker failed: ${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
