// What the queue persists per job and per file (queue-store.ts keeps them in SQLite). Only the request
// (connection refs hold no secrets), the per-file state, bytes done, temporary names and provider resume
// tokens — enough for a restarted engine to continue every file from its last byte. A job's files live in the
// store, not in memory: the engine holds only the files in flight, so a job of a million files costs what a
// job of a thousand does.
import type { SerializedError } from '../../../shared/errors';
import type { Entry, HashAlgorithm, ResumeToken } from '../../../shared/provider';
import type { FileState, JobState, OverwriteAnswer, TransferRequest } from '../../../shared/transfers';

/** How a file's transfer was decided, once, so a restart neither asks again nor renames twice. */
export type FilePlan =
  /** Write from the start (any partial temporary of an earlier run is replaced). */
  | 'transfer'
  /** Continue the temporary (or resume token) an earlier run left. */
  | 'resume'
  /** The final file is a prefix of the source: append the rest to it in place. */
  | 'append-final';

export interface FileRecord {
  /** The file's place in its job (0, 1, 2…): its key in the store, and the order files are copied in. */
  seq: number;
  /** Source path. */
  source: string;
  /** Final target path (changes once when the rename policy picks a free name). */
  target: string;
  /** Source size and modification time when the job was planned, to notice a source that changed. */
  size?: number;
  modified?: number;
  /** Hashes the source's listing or stat named (hex), for verification where nothing better is at hand. */
  hashes?: Partial<Record<HashAlgorithm, string>>;
  /**
   * Whether something already existed under the final name when the file was planned. An atomic target that
   * committed a corrupt copy has then replaced it: the copy is not removed, and the error says so.
   */
  targetExisted?: boolean;
  /**
   * What the walk's listing of the target folder said about this file, where it listed one: one listing per
   * folder instead of a stat (or two, with the temporary) per file — 2,000 small files into an empty S3 prefix
   * cost one request, not 4,000. Kept with the file rather than in memory, so a job of a million files holds
   * none of it; `at` says when, since only the listing of the run that uses it is fresh enough to decide on.
   */
  listed?: ListedTarget;
  state: FileState;
  bytesDone: number;
  /** Attempts made so far, across restarts (informational; the retry limit counts per run). */
  attempts: number;
  plan?: FilePlan;
  /** The temporary on the target while the file is unfinished (non-atomic targets). */
  tempPath?: string;
  /** Whether this job left bytes on the target (a temporary, an appended final, an upload token) to continue from. */
  partial?: boolean;
  /** The target provider's resume state (resumableWrite 'token'). */
  resumeToken?: ResumeToken;
  error?: SerializedError;
  note?: string;
}

/** A job's counters, kept with its row so that opening a queue never has to count a million files. */
/** The target listing's word on one file: its entry and its temporary's (absent: not there). */
export interface ListedTarget {
  final?: Entry;
  temp?: Entry;
  /** When the listing was taken (ms since the epoch). */
  at: number;
}

export interface JobCounts {
  /** Files planned. */
  total: number;
  done: number;
  failed: number;
  skipped: number;
  /** Bytes moved of the files not skipped (including a resume's bytes already on the target). */
  bytesDone: number;
  /** Bytes of the failed files among bytesDone: a retry starts them again. */
  bytesFailed: number;
  /** Bytes to move; undefined until the job is planned. */
  bytesTotal?: number;
}

export interface JobRecord {
  id: string;
  /** Order in the queue (creation order). */
  position: number;
  request: TransferRequest;
  state: JobState;
  createdAt: number;
  finishedAt?: number;
  error?: SerializedError;
  /** The source has been walked and every file is in the store. */
  planned: boolean;
  counts: JobCounts;
  /** An "ask" answered with apply-to-all. */
  answerForAll?: OverwriteAnswer;
}

export function emptyCounts(): JobCounts {
  return { total: 0, done: 0, failed: 0, skipped: 0, bytesDone: 0, bytesFailed: 0 };
}

export const UNFINISHED: ReadonlySet<JobState> = new Set<JobState>(['queued', 'running', 'paused']);
export const FINISHED: ReadonlySet<JobState> = new Set<JobState>(['completed', 'failed', 'cancelled']);
