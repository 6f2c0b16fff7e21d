// The transfer engine's pen for the history: a record when a file starts and again when it ends, whoever runs
// the engine (the app, a command line, a background sync). Records are written in batches, one transaction
// every FLUSH_MS, so a job of 100,000 small files costs a few hundred transactions, not 200,000; a small file
// that starts and ends within one batch is written once, already ended. A crash loses at most the last
// batch, and the queue runs those files again on restart, which records them again.
import type { HistoryRecord, HistoryResult } from '../../../shared/history';
import type { JobState } from '../../../shared/transfers';
import { redact } from '../../../shared/redact';
import type { FileRecord, JobRecord } from '../transfers/job-model';
import type { Verified } from '../transfers/verification';
import { recordSide, type RecordSide, type SavedName } from './addresses';
import type { Device } from './device';
import { ended, type HistoryStore } from './store';

const FLUSH_MS = 250;
/**
 * At most this many records per transaction: a fast job (small files, thousands a second) would otherwise hold
 * the event loop for one long write every FLUSH_MS.
 */
const MAX_BATCH = 500;

export interface HistoryOptions {
  store: HistoryStore;
  device: Device;
  appVersion: string;
  /** Names saved connections in the records (default: "saved:<id>"). */
  savedName?: SavedName;
  /** A batch that could not be written (the disk is full, another process holds the file too long). */
  onError?: (error: unknown) => void;
}

interface JobSides {
  source: RecordSide;
  destination: RecordSide;
}

export class HistoryRecorder {
  private pending = new Map<string, HistoryRecord>();
  /** The records of files in flight, by id: what their end completes. */
  private readonly inFlight = new Map<string, HistoryRecord>();
  private readonly sides = new WeakMap<JobRecord, JobSides>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: HistoryOptions) {}

  /** A file's transfer started (again, after a pause or a restart: the same record). */
  started(job: JobRecord, file: FileRecord): void {
    const now = Date.now();
    const record = this.recordOf(job, file, now);
    record.startedAt = now;
    record.result = 'running';
    delete record.endedAt;
    delete record.durationMs;
    delete record.rate;
    delete record.errorCode;
    delete record.errorMessage;
    this.inFlight.set(record.id, record);
    this.queue(record);
  }

  /** A file ended: done, failed or skipped (also one refused while the job was planned, never started). */
  ended(job: JobRecord, file: FileRecord, verification?: Verified): void {
    const result = file.state as HistoryResult;
    if (result !== 'done' && result !== 'failed' && result !== 'skipped' && result !== 'cancelled') return;
    const now = Date.now();
    const id = recordId(job, file);
    const record = this.inFlight.get(id) ?? this.recordOf(job, file, now);
    this.inFlight.delete(id);
    record.result = result;
    record.bytesDone = result === 'skipped' ? 0 : file.bytesDone;
    Object.assign(record, ended(record, now));
    if (file.error) {
      record.errorCode = file.error.code;
      record.errorMessage = redact(file.error.message);
    } else if (file.note && result === 'skipped') {
      record.errorMessage = redact(file.note);
    }
    if (verification) record.verification = verification;
    this.queue(record);
  }

  /**
   * The job finished (completed, failed or cancelled): whatever of it still reads 'running' — a cancelled
   * job's files that had started, a crash's leftovers — ends now as cancelled. A job that failed before it
   * found a single file (its source missing, a target folder it could not create) gets one record of its own,
   * so that failure is in the history too.
   */
  jobFinished(job: JobRecord, state: JobState): void {
    this.flush();
    for (const [id, record] of this.inFlight) if (record.jobId === job.id) this.inFlight.delete(id);
    this.guard(() => this.options.store.endRunning(job.id, 'cancelled'));
    if (state === 'failed' && job.error && job.counts.total === 0) {
      const now = Date.now();
      const record: HistoryRecord = {
        ...this.recordOf(job, { seq: -1, source: job.request.source.path, target: job.request.target.path }, now),
        id: `${job.id}:job`,
        startedAt: job.createdAt,
        result: 'failed',
        errorCode: job.error.code,
        errorMessage: redact(job.error.message),
      };
      Object.assign(record, ended(record, now));
      this.queue(record);
      this.flush();
    }
  }

  /** Writes what is waiting now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.guard(() => this.options.store.write(batch));
  }

  close(): void {
    this.flush();
  }

  private queue(record: HistoryRecord): void {
    record.updatedAt = Date.now();
    // A copy: the in-flight record changes on, the batch keeps what it was when queued.
    this.pending.set(record.id, { ...record });
    if (this.pending.size >= MAX_BATCH) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  private recordOf(
    job: JobRecord,
    file: Pick<FileRecord, 'seq' | 'source' | 'target' | 'size'>,
    now: number,
  ): HistoryRecord {
    const { device, appVersion } = this.options;
    const sides = this.sidesOf(job);
    const record: HistoryRecord = {
      id: recordId(job, file),
      jobId: job.id,
      source: sides.source.address(file.source),
      destination: sides.destination.address(file.target),
      sourceConnection: sides.source.label,
      destinationConnection: sides.destination.label,
      bytesDone: 0,
      startedAt: now,
      result: 'running',
      deviceId: device.id,
      deviceName: device.name,
      appVersion,
      updatedAt: now,
    };
    if (file.size !== undefined) record.size = file.size;
    return record;
  }

  private sidesOf(job: JobRecord): JobSides {
    let sides = this.sides.get(job);
    if (!sides) {
      const { source, target } = job.request;
      sides = {
        source: recordSide(source.connection, this.options.savedName),
        destination: recordSide(target.connection, this.options.savedName),
      };
      this.sides.set(job, sides);
    }
    return sides;
  }

  /** The history must never stop a transfer: a write that fails is reported and the transfer goes on. */
  private guard(write: () => void): void {
    try {
      write();
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}

/** Stable across devices and rewrites: a job's id is unique, and a file keeps its place in the job. */
function recordId(job: JobRecord, file: Pick<FileRecord, 'seq'>): string {
  return `${job.id}:${file.seq}`;
}
