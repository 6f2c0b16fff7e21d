// How `cp` (and a cross-site `mv`) reports progress. Three shapes of the same events:
//   tty   — one self-rewriting progress line on stderr (bar, bytes, rate, ETA), file errors above it;
//   plain — one line per finished file and a progress line every few seconds, for logs and pipes;
//   json  — one JSON object per engine event on stdout, then a summary object.
// Names and messages come from servers: the human-readable shapes print them through printable(), so a name
// holding terminal escapes is shown, not obeyed; JSON keeps them exact.
import type { FileChange, JobSnapshot, PlanningProgress, Progress, TransferEvent } from '../../shared/transfers';
import { formatBytes, formatDuration, printable } from './format';

export interface TransferSummary {
  state: JobSnapshot['state'];
  filesDone: number;
  filesFailed: number;
  filesSkipped: number;
  /** Files not copied because their names cannot be used (skipped with an error; see exitCodeFor). */
  filesRefused: number;
  bytes: number;
  seconds: number;
  exitCode: number;
  error?: { code: string; message: string };
}

export interface ProgressReporter {
  event(event: TransferEvent): void;
  /** Hides the progress line while a question is on screen. */
  suspend(): void;
  resumeOutput(): void;
  finish(summary: TransferSummary): void;
}

export type ReporterKind = 'tty' | 'plain' | 'json';

export function createReporter(kind: ReporterKind, streams = { stdout: process.stdout, stderr: process.stderr }) {
  if (kind === 'json') return jsonReporter(streams.stdout);
  return kind === 'tty' ? ttyReporter(streams.stderr) : plainReporter(streams.stderr);
}

function progressText(progress: Progress): string {
  const parts: string[] = [];
  if (progress.bytesTotal) parts.push(`${Math.floor((100 * progress.bytesDone) / progress.bytesTotal)}%`);
  parts.push(
    progress.bytesTotal
      ? `${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)}`
      : formatBytes(progress.bytesDone),
  );
  parts.push(`${formatBytes(progress.rate)}/s`);
  if (progress.etaSeconds !== undefined && Number.isFinite(progress.etaSeconds))
    parts.push(`ETA ${formatDuration(progress.etaSeconds)}`);
  return parts.join('  ');
}

function summaryText(s: TransferSummary): string {
  const files = `${s.filesDone} file${s.filesDone === 1 ? '' : 's'} copied`;
  const extra = [
    s.filesSkipped ? `${s.filesSkipped} skipped` : '',
    s.filesRefused ? `${s.filesRefused} refused` : '',
    s.filesFailed ? `${s.filesFailed} failed` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const rate = s.seconds > 0 ? `, ${formatBytes(s.bytes / s.seconds)}/s` : '';
  return `${files}${extra ? `, ${extra}` : ''} (${formatBytes(s.bytes)} in ${formatDuration(s.seconds)}${rate})`;
}

/** The walk of a folder source, before the bytes to copy are known. */
function planningText(planning: PlanningProgress): string {
  const folders = `${planning.folders} folder${planning.folders === 1 ? '' : 's'}`;
  return `looking through the source: ${folders}, ${planning.files} file${planning.files === 1 ? '' : 's'} found`;
}

/** Whether a change is worth a line above the progress bar: a failure, or a name refused. */
function isProblem(change: FileChange): boolean {
  return change.state === 'failed' || (change.state === 'skipped' && change.error !== undefined);
}

/** A line about one finished file, or undefined when it is not worth a line. */
function fileLine(event: FileChange): string | undefined {
  const reason = event.error?.message ?? event.note;
  switch (event.state) {
    case 'failed':
      return printable(`failed: ${event.path}${reason ? `: ${reason}` : ''}`);
    case 'skipped':
      // Skipped with an error: refused before it started (a name one side cannot hold), not by the policy.
      return printable(
        event.error ? `refused: ${event.path}: ${reason}` : `skipped: ${event.path}${reason ? ` (${reason})` : ''}`,
      );
    case 'done':
      return printable(`copied: ${event.path}`);
    default:
      return undefined;
  }
}

function logLine(event: Extract<TransferEvent, { type: 'log' | 'queue' }>): string {
  return printable(`${event.level}: ${event.message}`);
}

function ttyReporter(out: NodeJS.WriteStream): ProgressReporter {
  let line = '';
  let hidden = false;
  const width = () => Math.max(20, (out.columns || 80) - 1);
  const draw = () => {
    if (!hidden && line) out.write(`\r${line.slice(0, width())}\x1b[K`);
  };
  const clear = () => {
    if (line) out.write('\r\x1b[K');
  };
  const above = (text: string) => {
    clear();
    out.write(text + '\n');
    draw();
  };
  return {
    event(event) {
      if (event.type === 'progress' && event.planning) {
        line = planningText(event.planning);
        draw();
      } else if (event.type === 'progress') {
        const total = event.progress.bytesTotal;
        const fraction = total ? Math.min(1, event.progress.bytesDone / total) : 0;
        const cells = 20;
        const filled = Math.round(fraction * cells);
        const bar = total ? `[${'#'.repeat(filled)}${'-'.repeat(cells - filled)}] ` : '';
        line = `${bar}${progressText(event.progress)}${event.file ? `  ${printable(event.file)}` : ''}`;
        draw();
      } else if (event.type === 'files') {
        for (const change of event.changes) if (isProblem(change)) above(fileLine(change)!);
      } else if ((event.type === 'log' || event.type === 'queue') && event.level !== 'info') {
        above(logLine(event));
      }
    },
    suspend() {
      clear();
      hidden = true;
    },
    resumeOutput() {
      hidden = false;
      draw();
    },
    finish(summary) {
      clear();
      line = '';
      out.write(summaryText(summary) + '\n');
    },
  };
}

const PLAIN_PROGRESS_EVERY_MS = 5000;

function plainReporter(out: NodeJS.WriteStream): ProgressReporter {
  let lastProgressAt = Date.now();
  return {
    event(event) {
      if (event.type === 'files') {
        // One write per batch: a folder of many small files ends hundreds of them between two batches.
        const lines = event.changes.flatMap((change) => fileLine(change) ?? []);
        if (lines.length > 0) out.write(lines.join('\n') + '\n');
      } else if (event.type === 'progress' && Date.now() - lastProgressAt >= PLAIN_PROGRESS_EVERY_MS) {
        lastProgressAt = Date.now();
        out.write(`${event.planning ? planningText(event.planning) : `progress: ${progressText(event.progress)}`}\n`);
      } else if ((event.type === 'log' || event.type === 'queue') && event.level !== 'info') {
        out.write(logLine(event) + '\n');
      }
    },
    suspend() {},
    resumeOutput() {},
    finish(summary) {
      out.write(summaryText(summary) + '\n');
    },
  };
}

function jsonReporter(out: NodeJS.WriteStream): ProgressReporter {
  return {
    event(event) {
      // A batch of file changes becomes a line per file, as scripts reading one event a line expect.
      const lines =
        event.type === 'files'
          ? event.changes.map((change) => JSON.stringify({ type: 'file', jobId: event.jobId, ...change }))
          : [JSON.stringify(event)];
      out.write(lines.join('\n') + '\n');
    },
    suspend() {},
    resumeOutput() {},
    finish(summary) {
      out.write(JSON.stringify({ type: 'summary', ...summary }) + '\n');
    },
  };
}
