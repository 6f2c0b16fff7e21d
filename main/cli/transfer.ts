// Runs one transfer through the TransferEngine and reports it: what `cp` and a cross-site `mv` do.
// The CLI gives the engine a queue folder of its own per run (under dataDir()/cli-runs), so a command
// line never picks up — or disturbs — the desktop app's persisted queue, and leaves nothing behind.
import { mkdir, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { JobSnapshot, TransferEvent, TransferRequest } from '../../shared/transfers';
import { dataDir } from '../core/app-paths';
import { TransferEngine } from '../core/transfers';
import { EXIT } from './exit-codes';
import { failureText } from './failure-text';
import type { CliConnections } from './locations';
import { createReporter, type ReporterKind, type TransferSummary } from './progress';
import { askOverwrite } from './prompt';

export interface TransferRun {
  exitCode: number;
  job: JobSnapshot;
}

/** 0 when all went, 3 when some files went and some failed, 1 when nothing useful happened, 130 on Ctrl-C. */
export function exitCodeFor(job: JobSnapshot, filesWithErrors: number, interrupted: boolean): number {
  if (interrupted || job.state === 'cancelled') return EXIT.interrupted;
  const failed = Math.max(job.filesFailed, filesWithErrors);
  if (job.state === 'completed' && failed === 0) return EXIT.ok;
  return job.filesDone > 0 ? EXIT.partial : EXIT.failure;
}

export function reporterKind(json: boolean): ReporterKind {
  return json ? 'json' : process.stderr.isTTY ? 'tty' : 'plain';
}

export async function runTransfer(
  connections: CliConnections,
  request: TransferRequest,
  options: { json: boolean },
): Promise<TransferRun> {
  const runDir = path.join(dataDir(), 'cli-runs', `${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(runDir, { recursive: true });
  const reporter = createReporter(reporterKind(options.json));
  const engine = await TransferEngine.open({ dataDir: runDir, openConnection: connections.openConnection });
  let filesWithErrors = 0;
  let interrupted = false;
  let questions = Promise.resolve();

  const onEvent = (event: TransferEvent) => {
    reporter.event(event);
    if (event.type === 'file' && event.state === 'skipped' && event.error) filesWithErrors++;
    if (event.type === 'ask') {
      // One question at a time, even when several transfers hit a conflict together.
      questions = questions.then(async () => {
        reporter.suspend();
        const reply = await askOverwrite(event);
        reporter.resumeOutput();
        engine.answer(event.askId, reply?.answer ?? 'skip', reply?.applyToAll ?? false);
      });
    }
  };
  const onInterrupt = () => {
    interrupted = true;
    engine.cancel();
  };

  const started = Date.now();
  const unsubscribe = engine.on(onEvent);
  process.once('SIGINT', onInterrupt);
  try {
    const job = engine.add(request);
    const final = await engine.waitFor(job.id);
    const exitCode = exitCodeFor(final, filesWithErrors, interrupted);
    const summary: TransferSummary = {
      state: final.state,
      filesDone: final.filesDone,
      filesFailed: Math.max(final.filesFailed, filesWithErrors),
      filesSkipped: final.filesSkipped,
      bytes: final.progress.bytesDone,
      seconds: (Date.now() - started) / 1000,
      exitCode,
      ...(final.error ? { error: final.error } : {}),
    };
    reporter.finish(summary);
    if (final.error && !options.json) process.stderr.write(`fileferry: ${failureText(final.error)}\n`);
    return { exitCode, job: final };
  } finally {
    process.off('SIGINT', onInterrupt);
    unsubscribe();
    await engine.close();
    await rm(runDir, { recursive: true, force: true });
    await rmdir(path.dirname(runDir)).catch(() => {}); // only when no other run is using it
  }
}
