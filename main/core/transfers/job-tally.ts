// A job's counters — files done, failed and skipped, bytes done and to do — kept in step with its file
// records as they change (recomputed from scratch only after planning, a restore or a retry), and what the
// UI and the CLI see of a job: its snapshot and, when it failed, its error.
import { FerryError } from '../../../shared/errors';
import type { FileState, JobSnapshot } from '../../../shared/transfers';
import type { FileRecord, JobRecord } from './job-model';
import { progressOf } from './progress-meter';

export class JobTally {
  bytesDone = 0;
  /** Undefined until the job is planned (its files are known). */
  bytesTotal: number | undefined;
  filesDone = 0;
  filesFailed = 0;
  filesSkipped = 0;

  constructor(record: JobRecord) {
    this.recount(record);
  }

  /** Recomputes every counter from the job's files. */
  recount(record: JobRecord): void {
    let done = 0;
    let total: number | undefined = record.planned ? 0 : undefined;
    this.filesDone = this.filesFailed = this.filesSkipped = 0;
    for (const file of record.files) {
      if (file.state === 'done') this.filesDone++;
      else if (file.state === 'failed') this.filesFailed++;
      else if (file.state === 'skipped') this.filesSkipped++;
      if (file.state !== 'skipped') {
        done += file.bytesDone;
        if (total !== undefined && file.size !== undefined) total += file.size;
      }
    }
    this.bytesDone = done;
    this.bytesTotal = total;
  }

  /** Sets a file's bytes done. */
  setBytes(file: FileRecord, bytes: number): void {
    this.bytesDone += bytes - file.bytesDone;
    file.bytesDone = bytes;
  }

  /** Moves a file to `state`; false when it was in that state already. */
  setState(file: FileRecord, state: FileState): boolean {
    const before = file.state;
    if (before === state) return false;
    if (before === 'done') this.filesDone--;
    else if (before === 'failed') this.filesFailed--;
    else if (before === 'skipped') this.filesSkipped--;
    if (state === 'done') this.filesDone++;
    else if (state === 'failed') this.filesFailed++;
    else if (state === 'skipped') {
      this.filesSkipped++;
      // A skipped file no longer counts toward the bytes to move.
      this.bytesDone -= file.bytesDone;
      file.bytesDone = 0;
      if (this.bytesTotal !== undefined && file.size !== undefined) this.bytesTotal -= file.size;
    }
    file.state = state;
    return true;
  }

  /** The job as the UI and the CLI see it; `rate` in bytes per second. */
  snapshot(record: JobRecord, rate: number): JobSnapshot {
    const snapshot: JobSnapshot = {
      id: record.id,
      request: record.request,
      state: record.state,
      progress: progressOf(this.bytesDone, this.bytesTotal, rate),
      filesTotal: record.files.length,
      filesDone: this.filesDone,
      filesFailed: this.filesFailed,
      filesSkipped: this.filesSkipped,
      createdAt: record.createdAt,
    };
    if (record.error) snapshot.error = record.error;
    if (record.finishedAt !== undefined) snapshot.finishedAt = record.finishedAt;
    return snapshot;
  }
}

/** The error of a job whose files failed: its one file's, or a count naming the first failure. */
export function jobFailure(record: JobRecord): FerryError {
  const failed = record.files.filter((f) => f.state === 'failed');
  const first = failed[0]?.error;
  if (record.files.length === 1 && first) return new FerryError(first.code, first.message);
  return new FerryError(
    first?.code ?? 'Protocol',
    `${failed.length} of ${record.files.length} files failed; the first: ${failed[0]?.source}: ${first?.message ?? 'unknown error'}`,
  );
}
