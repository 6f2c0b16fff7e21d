// A job's counters — files done, failed and skipped, bytes done and to do — kept in step with its files as they
// change (their record is the job's JobCounts, saved with its row), and what the UI and the CLI see of a job:
// its snapshot and, when it failed, its error.
import { FerryError } from '../../../shared/errors';
import type { FileState, JobSnapshot } from '../../../shared/transfers';
import type { FileRecord, JobCounts, JobRecord } from './job-model';
import { progressOf } from './progress-meter';

export class JobTally {
  constructor(private readonly counts: JobCounts) {}

  get bytesDone(): number {
    return this.counts.bytesDone;
  }

  /** Counts a file the walk planned (pending, or refused already: failed or skipped with its reason). */
  add(file: FileRecord): void {
    const counts = this.counts;
    counts.total++;
    if (file.state === 'skipped') counts.skipped++;
    else {
      if (file.state === 'failed') {
        counts.failed++;
        counts.bytesFailed += file.bytesDone;
      } else if (file.state === 'done') counts.done++;
      counts.bytesDone += file.bytesDone;
      if (file.size !== undefined) counts.bytesTotal = (counts.bytesTotal ?? 0) + file.size;
    }
  }

  /** Sets a file's bytes done. */
  setBytes(file: FileRecord, bytes: number): void {
    this.counts.bytesDone += bytes - file.bytesDone;
    if (file.state === 'failed') this.counts.bytesFailed += bytes - file.bytesDone;
    file.bytesDone = bytes;
  }

  /** Moves a file to `state`; false when it was in that state already. */
  setState(file: FileRecord, state: FileState): boolean {
    const counts = this.counts;
    const before = file.state;
    if (before === state) return false;
    if (before === 'done') counts.done--;
    else if (before === 'failed') {
      counts.failed--;
      counts.bytesFailed -= file.bytesDone;
    } else if (before === 'skipped') counts.skipped--;
    if (state === 'done') counts.done++;
    else if (state === 'failed') {
      counts.failed++;
      counts.bytesFailed += file.bytesDone;
    } else if (state === 'skipped') {
      counts.skipped++;
      // A skipped file no longer counts toward the bytes to move.
      counts.bytesDone -= file.bytesDone;
      file.bytesDone = 0;
      if (counts.bytesTotal !== undefined && file.size !== undefined) counts.bytesTotal -= file.size;
    }
    file.state = state;
    return true;
  }

  /** The failed files were set back to pending with no bytes (a retry). */
  failedRetried(): void {
    this.counts.bytesDone -= this.counts.bytesFailed;
    this.counts.bytesFailed = 0;
    this.counts.failed = 0;
  }

  /** The walk starts again (it was interrupted): what it found so far is gone. */
  reset(): void {
    Object.assign(this.counts, { total: 0, done: 0, failed: 0, skipped: 0, bytesDone: 0, bytesFailed: 0 });
    delete this.counts.bytesTotal;
  }

  /** The job as the UI and the CLI see it; `rate` in bytes per second. */
  snapshot(record: JobRecord, rate: number): JobSnapshot {
    const counts = this.counts;
    const total = record.planned ? (counts.bytesTotal ?? 0) : undefined;
    const snapshot: JobSnapshot = {
      id: record.id,
      request: record.request,
      state: record.state,
      progress: progressOf(counts.bytesDone, total, rate, counts.bytesFailed),
      filesTotal: counts.total,
      filesDone: counts.done,
      filesFailed: counts.failed,
      filesSkipped: counts.skipped,
      createdAt: record.createdAt,
    };
    if (record.error) snapshot.error = record.error;
    if (record.finishedAt !== undefined) snapshot.finishedAt = record.finishedAt;
    return snapshot;
  }
}

/** The error of a job whose files failed: its one file's, or a count naming the first failure. */
export function jobFailure(counts: JobCounts, first: FileRecord | undefined): FerryError {
  const error = first?.error;
  if (counts.total === 1 && error) return new FerryError(error.code, error.message);
  return new FerryError(
    error?.code ?? 'Protocol',
    `${counts.failed} of ${counts.total} files failed; the first: ${first?.source}: ${error?.message ?? 'unknown error'}`,
  );
}
