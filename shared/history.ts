// The transfer history's records and queries, shared by the core, the command line and (later) the UI. One
// record per file a job moved (or tried to): where from and to as addresses that hold no credentials, how
// much, how long, how it ended and how it was checked, and on which device. JSON-serialisable throughout.

export const HISTORY_RESULTS = ['running', 'done', 'failed', 'cancelled', 'skipped'] as const;
/** 'running': started and not ended yet (or ended by a crash the engine has not yet recovered from). */
export type HistoryResult = (typeof HISTORY_RESULTS)[number];

export interface HistoryRecord {
  /** Stable across devices and rewrites: the job's id and the file's place in it. */
  id: string;
  jobId: string;
  /** Set when a sync profile's run started the job. */
  syncRunId?: string;
  /** The source as an address without credentials (ftp://user@host/path, s3://bucket/key, /home/…). */
  source: string;
  destination: string;
  /** Each side's connection as the user knows it (a saved connection's name, "local", ftp://host…). */
  sourceConnection: string;
  destinationConnection: string;
  /** The file's size when the job planned it, where known. */
  size?: number;
  bytesDone: number;
  /** ms since the epoch. */
  startedAt: number;
  endedAt?: number;
  durationMs?: number;
  /** Average bytes per second from start to end. */
  rate?: number;
  result: HistoryResult;
  errorCode?: string;
  errorMessage?: string;
  /** How the copy was checked: a hash algorithm (with the value both sides agreed on) or 'size'. */
  verification?: { check: string; value?: string };
  deviceId: string;
  deviceName: string;
  appVersion: string;
  /** When the record last changed (ms since the epoch): what other devices pull by. */
  updatedAt: number;
  /**
   * Where the record stands with the account, as the history view shows it (only the API's pages say): kept
   * here only (no account), waiting to upload, uploaded, or pulled from another device.
   */
  replication?: 'local' | 'pending' | 'replicated' | 'remote';
}

export interface HistoryFilter {
  /** Found in the source, the destination or the error message (case-insensitive). */
  text?: string;
  result?: HistoryResult;
  /** Started at or after / before (ms since the epoch). */
  since?: number;
  until?: number;
  /** Either side's connection, exactly as HistoryRecord names it. */
  connection?: string;
  /** A device's name or id. */
  device?: string;
}

export interface HistoryQuery extends HistoryFilter {
  /** Records per page (default 100, at most 1000). */
  limit?: number;
  /** The `next` of the page before: the query continues after its last record. */
  after?: string;
}

export interface HistoryPage {
  /** Newest first. */
  records: HistoryRecord[];
  /** Pass as `after` for the next page; absent on the last one. */
  next?: string;
  /** How many records match in all, given with a first page that holds them all (else: history.count). */
  total?: number;
}

export const HISTORY_EXPORT_FORMATS = ['csv', 'json'] as const;
export type HistoryExportFormat = (typeof HISTORY_EXPORT_FORMATS)[number];

/** Where an export from the window went (the Downloads folder), and how many records it holds. */
export interface HistoryExported {
  path: string;
  records: number;
}

export const HISTORY_PAGE_DEFAULT = 100;
export const HISTORY_PAGE_MAX = 1000;

/**
 * Replication to a Cosmos DB account, as the UI and `fileferry history remote show` describe it:
 * off (no account connected), idle (nothing to do, or waiting for the next look), pushing (uploading or
 * pulling now), offline (the account cannot be reached: it retries with backoff), error (the account answered
 * with a refusal, e.g. a wrong key: it retries too, but a person likely has to act).
 */
export const REPLICATION_STATES = ['off', 'idle', 'pushing', 'offline', 'error'] as const;
export type ReplicationState = (typeof REPLICATION_STATES)[number];

export interface ReplicationStatus {
  state: ReplicationState;
  /** Records of this device waiting to upload. */
  pending: number;
  /** The account's endpoint, when one is connected. */
  endpoint?: string;
  /** When a cycle (upload and pull) last completed (ms since the epoch). */
  lastSuccess?: number;
  /** The last failure, when it came after the last success. */
  lastError?: { at: number; code: string; message: string };
}

/** What the history view's footer shows: this device, how many records, and the replication. */
export interface HistoryStatus {
  device: { id: string; name: string };
  records: number;
  replication: ReplicationStatus;
}
