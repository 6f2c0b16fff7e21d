// What the queue persists per job and per file. Only the request (connection refs hold no secrets), the
// per-file state, bytes done, temporary names and provider resume tokens — enough for a restarted engine
// to continue every file from its last byte.
import type { SerializedError } from '../../../shared/errors';
import type { HashAlgorithm, ResumeToken } from '../../../shared/provider';
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

export interface JobRecord {
  id: string;
  request: TransferRequest;
  state: JobState;
  createdAt: number;
  finishedAt?: number;
  error?: SerializedError;
  /** The source has been walked and `files` is complete. */
  planned: boolean;
  files: FileRecord[];
  /** An "ask" answered with apply-to-all. */
  answerForAll?: OverwriteAnswer;
}

export interface StoredQueue {
  version: 1;
  jobs: JobRecord[];
}

export const UNFINISHED: ReadonlySet<JobState> = new Set<JobState>(['queued', 'running', 'paused']);
export const FINISHED: ReadonlySet<JobState> = new Set<JobState>(['completed', 'failed', 'cancelled']);
