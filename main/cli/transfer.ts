// Runs one transfer through the TransferEngine and reports it: what `cp` and a cross-site `mv` do.
// The CLI gives the engine a queue folder of its own per run (under dataDir()/cli-runs), so a command
// line never picks up — or disturbs — the desktop app's persisted queue, and removes it when it ends. Nothing
// reopens that folder, so it is a scratch queue (TransferEngineOptions.scratchQueue): no last good copy, no
// fsync. The empty cli-runs folder stays for the next run: after a large write to the same disk, removing
// it waited up to 55 ms for the file system's journal (measured with strace after 512 MiB uploads to a local
// vsftpd), at the end of every command.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { JobSnapshot, TransferEvent, TransferRequest } from '../../shared/transfers';
import { dataDir } from '../core/app-paths';
import { openHistory, type OpenHistory, type SavedName } from '../core/history';
import { createLogger } from '../core/log/logger';
import { TransferEngine } from '../core/transfers';
import { asFerryError } from '../core/transfers/file-transfer';
import { EXIT } from './exit-codes';
import { failureText } from './failure-text';
import { printable } from './format';
import { extraCaPem, type CliConnections } from './locations';
import { createReporter, type ReporterKind, type TransferSummary } from './progress';
import { askOverwrite } from './prompt';

export interface TransferRun {
  exitCode: number;
  job: JobSnapshot;
}

/**
 * The signals that stop a copy: each cancels the job, so that S3 multipart uploads are aborted and
 * temporaries removed before the process exits, rather than left behind as by Node's default of exiting at
 * once. A second one of them gets that default.
 */
const STOP_SIGNALS = { SIGINT: EXIT.interrupted, SIGTERM: EXIT.terminated, SIGHUP: EXIT.hangup } as const;
type StopSignal = keyof typeof STOP_SIGNALS;

/**
 * 0 when all went, 3 when some files went and some failed or were refused (skipped with an error: a name one
 * side cannot hold), 1 when nothing useful happened; 130, 143 or 129 when Ctrl-C, SIGTERM or SIGHUP stopped it.
 */
export function exitCodeFor(job: JobSnapshot, filesRefused: number, stoppedBy: StopSignal | undefined): number {
  // A stop that came as the last file finished stopped nothing: the job completed.
  if (stoppedBy && job.state !== 'completed') return STOP_SIGNALS[stoppedBy];
  if (job.state === 'cancelled') return EXIT.interrupted;
  const failed = job.filesFailed + filesRefused;
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
  const history = await openCliHistory(connections.savedName);
  const engine = await TransferEngine.open({
    dataDir: runDir,
    openConnection: connections.openConnection,
    scratchQueue: true,
    ...(history ? { history: history.options } : {}),
  }).catch((error: unknown) => {
    history?.close();
    throw error;
  });
  let filesRefused = 0;
  let stoppedBy: StopSignal | undefined;
  let questions = Promise.resolve();

  const onEvent = (event: TransferEvent) => {
    reporter.event(event);
    if (event.type === 'files') {
      for (const change of event.changes) if (change.state === 'skipped' && change.error) filesRefused++;
    }
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
  const onStop = (signal: StopSignal) => {
    stoppedBy ??= signal;
    // After a hang-up, writing to the closed terminal fails (EIO): that must not end the process before the
    // cancel has cleaned up.
    if (signal === 'SIGHUP') for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
    engine.cancel();
  };

  const started = Date.now();
  const unsubscribe = engine.on(onEvent);
  for (const signal of Object.keys(STOP_SIGNALS) as StopSignal[]) process.once(signal, onStop);
  try {
    const job = engine.add(request);
    const final = await engine.waitFor(job.id);
    const exitCode = exitCodeFor(final, filesRefused, stoppedBy);
    const summary: TransferSummary = {
      state: final.state,
      filesDone: final.filesDone,
      filesFailed: final.filesFailed,
      // The engine counts a refused file as skipped; the summary tells it from one the policy skipped.
      filesSkipped: final.filesSkipped - filesRefused,
      filesRefused,
      // What arrived: a file that failed moved bytes that are not there.
      bytes: final.progress.bytesDone - (final.progress.bytesFailed ?? 0),
      seconds: (Date.now() - started) / 1000,
      exitCode,
      ...(final.error ? { error: final.error } : {}),
    };
    reporter.finish(summary);
    if (final.error && !options.json)
      process.stderr.write(`fileferry: ${printable(failureText(final.error), { lines: true })}\n`);
    return { exitCode, job: final };
  } finally {
    for (const signal of Object.keys(STOP_SIGNALS) as StopSignal[]) process.off(signal, onStop);
    unsubscribe();
    await engine.close();
    // A copy stopped by a signal ends now; otherwise this run's records go up to the account, briefly.
    if (history && !stoppedBy) await pushHistory(history);
    history?.close();
    await rm(runDir, { recursive: true, force: true });
  }
}

/** Seconds a run spends uploading its records to a connected account before leaving the rest for later. */
const PUSH_SECONDS = 5;

/**
 * Pushes the history to the connected Cosmos DB account (nothing without one), for at most PUSH_SECONDS; what
 * did not go up waits in the history for the next run, the app or `fileferry history sync`, and the person
 * is told so.
 */
async function pushHistory(history: OpenHistory): Promise<void> {
  const { pushAfterRun } = await import('../core/history/replication');
  const pushed = await pushAfterRun(
    { store: history.store, device: history.options.device },
    { dataDir: dataDir(), timeoutMs: PUSH_SECONDS * 1000, ...(await caOption()) },
  );
  if (!pushed || pushed.pending === 0) return;
  const why = pushed.error ? ` (${asFerryError(pushed.error).message})` : '';
  process.stderr.write(
    `fileferry: ${printable(`${pushed.pending} history record(s) not uploaded yet${why}; they go with the next run, or now with: fileferry history sync`, { lines: true })}\n`,
  );
}

async function caOption(): Promise<{ extraCaPem?: string }> {
  const pem = await extraCaPem().catch(() => undefined);
  return pem ? { extraCaPem: pem } : {};
}

/**
 * The data folder's history, the one the app shows (the run's own queue is thrown away), or none when it
 * cannot be opened: the history never keeps a copy from running, but the person is told.
 */
async function openCliHistory(savedName: SavedName): Promise<OpenHistory | undefined> {
  const warn = (text: string) => process.stderr.write(`fileferry: warning: ${printable(text)}\n`);
  try {
    const { default: pkg } = await import('../../package.json', { with: { type: 'json' } });
    let warned = false;
    const history = await openHistory(dataDir(), pkg.version, createLogger({ component: 'history' }), {
      savedName,
      onError: (error) => {
        if (!warned) warn(`could not record this transfer in the history: ${asFerryError(error).message}`);
        warned = true;
      },
    });
    if (history.setAside) {
      warn(`the transfer history could not be read and was set aside as ${history.setAside}; a new one was started.`);
    }
    return history;
  } catch (error) {
    warn(`this transfer is not recorded in the history: ${asFerryError(error).message}`);
    return undefined;
  }
}
