// Transfer queue DTOs shared by the engine, the CLI and (later) the UI. Everything here is JSON-serialisable:
// it is what the queue persists and what progress events carry.
import type { Location } from './connection';
import type { SerializedError } from './errors';

export const OVERWRITE_POLICIES = [
  'overwrite',
  'skip',
  'if-newer',
  'if-size-differs',
  'resume',
  'rename',
  'ask',
] as const;
export type OverwritePolicy = (typeof OVERWRITE_POLICIES)[number];

/** What "ask" can be answered with (the UI's dialog; the CLI's prompt on a TTY). */
export type OverwriteAnswer = Exclude<OverwritePolicy, 'ask'>;

export interface TransferRequest {
  source: Location;
  /** The folder to copy into when `source` is a folder or `intoFolder` is set; else the target file path. */
  target: Location;
  /** Treat target.path as a folder and put the source (file or folder) inside it under its own name. */
  intoFolder?: boolean;
  /** Copy folders with their contents. Without it a folder source is refused. */
  recursive?: boolean;
  overwrite?: OverwritePolicy;
  /** Provider-specific upload setting (S3 storage class, Azure access tier). */
  storageClass?: string;
}

export type JobState = 'queued' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';
export type FileState = 'pending' | 'running' | 'done' | 'skipped' | 'failed' | 'cancelled';

export interface Progress {
  /** Bytes moved so far (including bytes skipped by a resume). */
  bytesDone: number;
  /**
   * Of bytesDone, those of files that failed: moved while they ran, but they did not arrive. Absent when none.
   * A summary of what a run copied counts bytesDone − bytesFailed.
   */
  bytesFailed?: number;
  /** Total bytes, when known. */
  bytesTotal?: number;
  /** Bytes per second over a recent window. */
  rate: number;
  /** Seconds left at the current rate, when computable. */
  etaSeconds?: number;
}

/** How far the walk of a folder source has got, while it runs (before bytesTotal is known). */
export interface PlanningProgress {
  folders: number;
  files: number;
}

/** Where one file of a job ended up, as a job's view lists it. */
export interface FileChange {
  /** Source path. */
  path: string;
  state: FileState;
  error?: SerializedError;
  /** Why the file was skipped (the overwrite policy's reason). */
  note?: string;
}

export interface JobSnapshot {
  id: string;
  request: TransferRequest;
  state: JobState;
  progress: Progress;
  filesTotal: number;
  filesDone: number;
  filesFailed: number;
  filesSkipped: number;
  error?: SerializedError;
  createdAt: number;
  finishedAt?: number;
  /** Set while the source is walked. */
  planning?: PlanningProgress;
}

/**
 * What the engine tells its listeners. A job's progress and its batch of file changes go out at most once per
 * progress interval (100 ms: ten a second), whatever the number of files; a job's state change goes out at
 * once, after whatever progress was still waiting. File bytes never travel in events.
 */
export type TransferEvent =
  /** The job's state changed (queued, running, paused, completed…), or its plan is complete. */
  | { type: 'job'; job: JobSnapshot }
  | {
      type: 'progress';
      jobId: string;
      /** The file bytes moved for most recently. */
      file?: string;
      progress: Progress;
      filesTotal: number;
      filesDone: number;
      filesFailed: number;
      filesSkipped: number;
      planning?: PlanningProgress;
    }
  /** Files that ended (done, skipped, failed, cancelled) since the job's last batch. */
  | { type: 'files'; jobId: string; changes: FileChange[] }
  | {
      type: 'ask';
      jobId: string;
      askId: string;
      path: string;
      source: { size?: number; modified?: number };
      target: { size?: number; modified?: number };
    }
  | { type: 'log'; jobId: string; level: 'info' | 'warn' | 'error'; message: string }
  /** The queue itself: it could not be saved (and is being retried), or was saved again. */
  | { type: 'queue'; level: 'info' | 'warn' | 'error'; message: string };
