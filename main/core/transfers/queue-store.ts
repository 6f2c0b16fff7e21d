// The persisted queue, in SQLite (db/sqlite.ts): one row per job, one per file. A change writes only the rows
// that changed, so a job of a million files costs no more per save than a job of one. Writes are batched:
// progress (bytes, resume tokens) is written at most once a second; a file's end state is committed at once
// (one transaction for every file that finished in the same turn of the event loop) and the engine waits for
// that commit before it moves on, so a crash never forgets a finished file. No statement touches more than
// a batch of rows, so the event loop is never held for long, whatever the size of the queue.
//
// A failed save is retried with backoff and reported (onProblem), never silently dropped; close() always
// returns. A damaged database is set aside (never deleted), the last good copy (made when the queue closes
// and after each job that ends, while the queue is small) takes its place, and the caller is told which jobs
// came back or that they are lost. A scratch queue (QueueOpenOptions.scratch) has no last good copy.
import { copyFile, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { FerryError, type SerializedError } from '../../../shared/errors';
import type { JobState, OverwriteAnswer } from '../../../shared/transfers';
import { migrate, openDatabase, setAsideDatabase, type SqlDatabase } from '../db/sqlite';
import type { Logger } from '../log/logger';
import type { FileRecord, JobCounts, JobRecord } from './job-model';
import { parseTransferRequest } from './request-schema';

const FILE = 'queue.db';
const LAST_GOOD = 'queue.last-good.db';
/** Rows per statement batch: small enough to keep each synchronous step a few milliseconds. */
export const BATCH = 2000;
const PROGRESS_INTERVAL_MS = 1000;
/** End states wait at most this long for their commit, so that files ending together share one. */
const END_STATE_MS = 50;
const MAX_RETRY_DELAY_MS = 30_000;
/**
 * The last good copy is refreshed only while the queue holds this little: the copy (VACUUM INTO) holds the
 * event loop, about 10 ms per MiB here. A queue of finished jobs holds next to nothing (their files go).
 */
const LAST_GOOD_MAX_BYTES = 2 * 1024 * 1024;

const JOB_STATES: ReadonlySet<string> = new Set<JobState>([
  'queued',
  'running',
  'paused',
  'completed',
  'failed',
  'cancelled',
]);

const MIGRATIONS: ReadonlyArray<(db: SqlDatabase) => void> = [
  (db) =>
    db.exec(`
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        position INTEGER NOT NULL,
        request TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        finished_at INTEGER,
        error TEXT,
        planned INTEGER NOT NULL,
        answer_for_all TEXT,
        counts TEXT NOT NULL
      );
      CREATE TABLE files (
        job_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        state TEXT NOT NULL,
        leftover INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (job_id, seq)
      ) WITHOUT ROWID;
      -- Queries name these indexes (INDEXED BY): without statistics SQLite would rather walk a job's files by
      -- the primary key and filter them, a million rows for the few that are failed or left over.
      CREATE INDEX files_by_state ON files (job_id, state, seq);
      CREATE INDEX files_leftover ON files (job_id, seq) WHERE leftover = 1;
    `),
];

/** Something the user should know about the queue (the UI shows it; the CLI prints it). */
export interface QueueProblem {
  kind: 'recovered' | 'lost' | 'skipped-job' | 'save-failed' | 'saved-again';
  message: string;
}

export interface QueueOpenOptions {
  /**
   * The queue of one run that nothing opens again (the `fileferry` command's, removed when its run ends; a later
   * `cp --overwrite resume` continues from the partial file on the target, never from this queue). It skips
   * what only a later run could use: the last good copy (a VACUUM INTO and three fsyncs, twice per command) and
   * waiting for the disk (synchronous = OFF; the process's own reads still see every commit). Measured after a
   * 512 MiB upload to a server on the same disk: the copy's first fsync waited 0.33 s behind that server's
   * writeback, a third of the command's wall time.
   */
  scratch?: boolean;
}

export interface OpenedQueue {
  store: QueueStore;
  jobs: JobRecord[];
  /** What opening found wrong and did about it (a damaged file set aside, a job record skipped). */
  problems: QueueProblem[];
}

interface FileRow {
  seq: number;
  state: string;
  body: string;
}

interface JobRow {
  id: string;
  position: number;
  request: string;
  state: string;
  created_at: number;
  finished_at: number | null;
  error: string | null;
  planned: number;
  answer_for_all: string | null;
  counts: string;
}

export class QueueStore {
  private readonly dirtyFiles = new Map<string, { jobId: string; file: FileRecord }>();
  private readonly dirtyJobs = new Map<string, JobRecord>();
  private committed: Array<() => void> = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ending: ReturnType<typeof setTimeout> | undefined;
  private soon = false;
  private failures = 0;
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly db: SqlDatabase,
    private readonly log: Logger,
    private readonly onProblem: (problem: QueueProblem) => void,
    private readonly scratch: boolean,
  ) {}

  /** Opens the queue in `dir`, recovering from a damaged file as described above. */
  static async open(
    dir: string,
    log: Logger,
    onProblem: (problem: QueueProblem) => void = () => {},
    options: QueueOpenOptions = {},
  ): Promise<OpenedQueue> {
    await mkdir(dir, { recursive: true });
    const problems: QueueProblem[] = [];
    const scratch = options.scratch === true;
    let loaded: { db: SqlDatabase; jobs: JobRecord[] };
    try {
      // Nothing reads a scratch queue after a crash, so nothing waits for the disk.
      loaded = loadFrom(join(dir, FILE), problems, !scratch);
    } catch (error) {
      const aside = await setAsideDatabase(join(dir, FILE));
      log.error('The transfer queue could not be read; it was set aside', { aside, error });
      loaded = await recover(dir, aside, problems, log);
    }
    const store = new QueueStore(dir, loaded.db, log, onProblem, scratch);
    await store.removeLeftovers();
    return { store, jobs: loaded.jobs, problems };
  }

  /** Saves a job's row: at once when `urgent` (a state change), else with the next batch. */
  saveJob(job: JobRecord, urgent = true): void {
    this.dirtyJobs.set(job.id, job);
    this.schedule(urgent);
  }

  /** A file's progress (bytes, temporary, resume token): written with the next batch, within a second. */
  touchFile(jobId: string, file: FileRecord): void {
    this.dirtyFiles.set(`${jobId}\n${file.seq}`, { jobId, file });
    this.schedule(false);
  }

  /**
   * A file's end state: committed within END_STATE_MS, with every other file that ended meanwhile (one
   * transaction for many files). A crash in between leaves it as it was, and the file's final copy is then
   * recognised by the next run (file-transfer.ts finishedBefore).
   */
  endFile(jobId: string, file: FileRecord): void {
    this.dirtyFiles.set(`${jobId}\n${file.seq}`, { jobId, file });
    if (this.ending || this.closed) return this.schedule(this.closed);
    this.ending = setTimeout(() => {
      this.ending = undefined;
      this.flushNow();
    }, END_STATE_MS);
    this.ending.unref?.();
  }

  /** A change a crash must not lose (a file's new name under "rename"): resolves once it is committed. */
  settleFile(jobId: string, file: FileRecord): Promise<void> {
    this.dirtyFiles.set(`${jobId}\n${file.seq}`, { jobId, file });
    return new Promise((resolve) => {
      this.committed.push(resolve);
      this.schedule(true);
    });
  }

  /**
   * Adds a job's files (one batch; the walker hands them over a folder page at a time). The job cannot go on
   * without them, so a failure here fails the job, saying why.
   */
  addFiles(jobId: string, files: readonly FileRecord[]): void {
    const insert = this.db.prepare(
      'INSERT OR REPLACE INTO files (job_id, seq, state, leftover, body) VALUES (?, ?, ?, ?, ?)',
    );
    try {
      this.db.transaction(() => {
        for (const file of files) insert.run([jobId, file.seq, file.state, leftoverOf(file), bodyOf(file)]);
      });
    } catch (error) {
      throw new FerryError(
        'Protocol',
        `The files of this transfer could not be saved in the queue (${(error as Error).message}). Try again; ` +
          `if it keeps failing, check the disk holding ${this.dir}.`,
        { cause: error },
      );
    }
  }

  /** Up to `limit` of a job's files in one state after `afterSeq`, in order. */
  files(jobId: string, state: FileRecord['state'] | 'leftover', afterSeq: number, limit = BATCH): FileRecord[] {
    this.flushNow();
    const rows =
      state === 'leftover'
        ? this.db
            .prepare(
              'SELECT seq, state, body FROM files INDEXED BY files_leftover WHERE job_id = ? AND leftover = 1 AND seq > ? ORDER BY seq LIMIT ?',
            )
            .all<FileRow>([jobId, afterSeq, limit])
        : this.db
            .prepare(
              'SELECT seq, state, body FROM files INDEXED BY files_by_state WHERE job_id = ? AND state = ? AND seq > ? ORDER BY seq LIMIT ?',
            )
            .all<FileRow>([jobId, state, afterSeq, limit]);
    return rows.map(fileOf);
  }

  /** Every file of a job after `afterSeq`, whatever its state (for a UI's job view), `limit` at a time. */
  allFiles(jobId: string, afterSeq: number, limit = BATCH): FileRecord[] {
    this.flushNow();
    return this.db
      .prepare('SELECT seq, state, body FROM files WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all<FileRow>([jobId, afterSeq, limit])
      .map(fileOf);
  }

  /**
   * Runs `change` over a job's files of `state` a batch at a time, each batch in its own transaction with a
   * turn of the event loop in between; `change` returns the new row or undefined to delete it.
   */
  async rewriteFiles(
    jobId: string,
    state: FileRecord['state'] | 'any',
    change: (file: FileRecord) => FileRecord | undefined,
  ): Promise<void> {
    this.flushNow();
    const update = this.db.prepare('UPDATE files SET state = ?, leftover = ?, body = ? WHERE job_id = ? AND seq = ?');
    const remove = this.db.prepare('DELETE FROM files WHERE job_id = ? AND seq = ?');
    for (let after = -1; ;) {
      const batch = state === 'any' ? this.allFiles(jobId, after) : this.files(jobId, state, after);
      if (batch.length === 0) return;
      this.db.transaction(() => {
        for (const file of batch) {
          const next = change(file);
          if (next) update.run([next.state, leftoverOf(next), bodyOf(next), jobId, file.seq]);
          else remove.run([jobId, file.seq]);
        }
      });
      after = batch[batch.length - 1]!.seq;
      await nextTurn();
    }
  }

  /** Removes a job and its files, a batch at a time. */
  async removeJob(jobId: string): Promise<void> {
    this.dirtyJobs.delete(jobId);
    for (const key of this.dirtyFiles.keys()) if (key.startsWith(`${jobId}\n`)) this.dirtyFiles.delete(key);
    const batch = this.db.prepare(
      'DELETE FROM files WHERE job_id = ? AND seq IN (SELECT seq FROM files WHERE job_id = ? LIMIT ?)',
    );
    while (batch.run([jobId, jobId, BATCH]).changes > 0) await nextTurn();
    this.db.prepare('DELETE FROM jobs WHERE id = ?').run([jobId]);
  }

  /** Removes a job's files only (its row stays, e.g. a completed job's in the finished list). */
  async removeFiles(jobId: string): Promise<void> {
    for (const key of this.dirtyFiles.keys()) if (key.startsWith(`${jobId}\n`)) this.dirtyFiles.delete(key);
    const batch = this.db.prepare(
      'DELETE FROM files WHERE job_id = ? AND seq IN (SELECT seq FROM files WHERE job_id = ? LIMIT ?)',
    );
    while (batch.run([jobId, jobId, BATCH]).changes > 0) await nextTurn();
  }

  /** Resolves when everything saved so far is committed (or its failure reported). */
  async flush(): Promise<void> {
    this.flushNow();
  }

  /**
   * Commits what is pending, refreshes the last good copy and closes the file. Always returns: a save that
   * still fails is reported and given up.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.ending) clearTimeout(this.ending);
    this.timer = this.ending = undefined;
    this.flushNow();
    if (this.dirtyFiles.size > 0 || this.dirtyJobs.size > 0) {
      this.report({
        kind: 'save-failed',
        message: 'The last changes to the transfer queue could not be saved; they will be missing at the next start.',
      });
    }
    await this.keepLastGood().catch((error: unknown) =>
      this.log.warn("Could not refresh the queue's last good copy", { error }),
    );
    try {
      this.db.close();
    } catch (error) {
      this.log.warn('Closing the transfer queue failed', { error });
    }
    this.release();
  }

  /** Copies the queue to its last good copy while what it holds is small (see LAST_GOOD_MAX_BYTES). */
  async keepLastGood(): Promise<void> {
    // A scratch queue is never opened again, so a copy of it would be removed unread.
    if (this.scratch) return;
    // What the pages in use hold, not the file's size: the file keeps the space of the rows removed.
    const pages = this.db
      .prepare('SELECT page_count - freelist_count AS used FROM pragma_page_count(), pragma_freelist_count()')
      .get<{ used: number }>();
    const pageSize = this.db.prepare('PRAGMA page_size').get<{ page_size: number }>()?.page_size ?? 4096;
    if ((pages?.used ?? Infinity) * pageSize > LAST_GOOD_MAX_BYTES) return;
    const temp = join(this.dir, `${LAST_GOOD}.${process.pid}.tmp`);
    await rm(temp, { force: true });
    this.db.exec(`VACUUM INTO '${temp.replace(/'/g, "''")}'`);
    await rename(temp, join(this.dir, LAST_GOOD));
    await syncFolder(this.dir);
  }

  // ── batching ───────────────────────────────────────────────────────────────────────────────────────

  private schedule(urgent: boolean): void {
    if (this.closed) return this.flushNow();
    if (urgent) {
      if (this.soon) return;
      this.soon = true;
      // After the current turn: every file that ends in it shares one commit.
      setImmediate(() => {
        this.soon = false;
        this.flushNow();
      });
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flushNow();
      }, this.retryDelay());
      this.timer.unref?.();
    }
  }

  private retryDelay(): number {
    return this.failures === 0 ? PROGRESS_INTERVAL_MS : Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** this.failures);
  }

  private flushNow(): void {
    if (this.dirtyFiles.size === 0 && this.dirtyJobs.size === 0) return this.release();
    const files = [...this.dirtyFiles.values()];
    const jobs = [...this.dirtyJobs.values()];
    this.dirtyFiles.clear();
    this.dirtyJobs.clear();
    try {
      this.write(files, jobs);
      if (this.failures > 0) {
        this.failures = 0;
        this.report({ kind: 'saved-again', message: 'The transfer queue is being saved again.' });
      }
    } catch (error) {
      // Put back what is not newer already, and try again later; say so once per failure streak.
      for (const entry of files) {
        const key = `${entry.jobId}\n${entry.file.seq}`;
        if (!this.dirtyFiles.has(key)) this.dirtyFiles.set(key, entry);
      }
      for (const job of jobs) if (!this.dirtyJobs.has(job.id)) this.dirtyJobs.set(job.id, job);
      this.failures++;
      this.log.error('The transfer queue could not be saved', { error, attempt: this.failures });
      if (this.failures === 1) {
        this.report({
          kind: 'save-failed',
          message: `The transfer queue could not be saved (${(error as Error)?.message ?? String(error)}); FileFerry keeps trying. Until it succeeds, a crash would lose the latest progress.`,
        });
      }
      if (!this.closed) this.schedule(false);
    }
    this.release();
  }

  private write(files: Array<{ jobId: string; file: FileRecord }>, jobs: JobRecord[]): void {
    const update = this.db.prepare('UPDATE files SET state = ?, leftover = ?, body = ? WHERE job_id = ? AND seq = ?');
    const upsert = this.db.prepare(
      `INSERT INTO jobs (id, position, request, state, created_at, finished_at, error, planned, answer_for_all, counts)
       VALUES (@id, @position, @request, @state, @created_at, @finished_at, @error, @planned, @answer_for_all, @counts)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, finished_at = excluded.finished_at,
         error = excluded.error, planned = excluded.planned, answer_for_all = excluded.answer_for_all,
         counts = excluded.counts, request = excluded.request, position = excluded.position`,
    );
    this.db.transaction(() => {
      for (const job of jobs) upsert.run(jobRowOf(job));
      for (const { jobId, file } of files) update.run([file.state, leftoverOf(file), bodyOf(file), jobId, file.seq]);
    });
  }

  /** Waiters resolve after each flush, committed or reported. */
  private release(): void {
    const waiting = this.committed;
    this.committed = [];
    for (const resolve of waiting) resolve();
  }

  private report(problem: QueueProblem): void {
    try {
      this.onProblem(problem);
    } catch (error) {
      this.log.error('A queue problem listener threw', { error });
    }
  }

  /** Temporaries of an earlier process that died while copying the last good queue. */
  private async removeLeftovers(): Promise<void> {
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      if (name.startsWith(`${LAST_GOOD}.`) && name.endsWith('.tmp')) await rm(join(this.dir, name), { force: true });
    }
  }
}

// ── opening and recovery ───────────────────────────────────────────────────────────────────────────────

/**
 * Only this engine writes its queue (queue-lock.ts): a lock held by anyone else (a backup tool) is worth
 * waiting for briefly, never long, since every wait holds the event loop. A save that meets it is retried.
 */
const BUSY_TIMEOUT_MS = 100;

function loadFrom(file: string, problems: QueueProblem[], durable = true): { db: SqlDatabase; jobs: JobRecord[] } {
  const db = openDatabase(file, { busyTimeoutMs: BUSY_TIMEOUT_MS, durable });
  try {
    migrate(db, MIGRATIONS, 'transfer queue');
    const jobs: JobRecord[] = [];
    const damaged: string[] = [];
    for (const row of db.prepare('SELECT * FROM jobs ORDER BY position').all<JobRow>()) {
      try {
        jobs.push(jobOf(row));
      } catch (error) {
        damaged.push(row.id);
        problems.push({
          kind: 'skipped-job',
          message: `A transfer in the saved queue could not be read and was dropped (${(error as Error).message}).`,
        });
      }
    }
    for (const id of damaged) {
      db.transaction(() => {
        db.prepare('DELETE FROM files WHERE job_id = ?').run([id]);
        db.prepare('DELETE FROM jobs WHERE id = ?').run([id]);
      });
    }
    // Files that were running when the last process stopped continue as pending (their bytes stay). Job by
    // job, so the index finds them: a scan of every file of a million-file queue held the event loop 0.5 s.
    const resume = db.prepare(
      "UPDATE files INDEXED BY files_by_state SET state = 'pending' WHERE job_id = ? AND state = 'running'",
    );
    for (const job of jobs) if (job.state !== 'completed' && job.state !== 'cancelled') resume.run([job.id]);
    return { db, jobs };
  } catch (error) {
    db.close();
    throw error;
  }
}

async function recover(
  dir: string,
  aside: string,
  problems: QueueProblem[],
  log: Logger,
): Promise<{ db: SqlDatabase; jobs: JobRecord[] }> {
  const copy = join(dir, LAST_GOOD);
  const copiedAt = (await stat(copy).catch(() => undefined))?.mtime;
  if (copiedAt) {
    try {
      await copyFile(copy, join(dir, FILE));
      const loaded = loadFrom(join(dir, FILE), problems);
      problems.push({
        kind: 'recovered',
        message:
          `The transfer queue was damaged and was set aside as ${aside}. It was restored from the copy saved ` +
          `${copiedAt.toISOString()}: ${loaded.jobs.length} transfer(s) are back; changes after that time are lost.`,
      });
      return loaded;
    } catch (error) {
      log.error('The last good copy of the queue could not be read either', { error });
      await rm(join(dir, FILE), { force: true });
    }
  }
  problems.push({
    kind: 'lost',
    message:
      `The transfer queue was damaged and was set aside as ${aside}; no good copy was available, so the queue ` +
      'starts empty. Unfinished transfers must be started again (their partial files may remain on the targets).',
  });
  return loadFrom(join(dir, FILE), problems);
}

async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems cannot fsync a folder; the rename itself is still atomic.
  } finally {
    await handle.close();
  }
}

// ── rows ───────────────────────────────────────────────────────────────────────────────────────────────

function leftoverOf(file: FileRecord): number {
  return file.partial || file.resumeToken ? 1 : 0;
}

/** The row's body: everything but the columns (seq, state). */
function bodyOf(file: FileRecord): string {
  const { seq: _seq, state: _state, ...rest } = file;
  return JSON.stringify(rest);
}

function fileOf(row: FileRow): FileRecord {
  return {
    ...(JSON.parse(row.body) as Omit<FileRecord, 'seq' | 'state'>),
    seq: row.seq,
    state: row.state as FileRecord['state'],
  };
}

function jobRowOf(job: JobRecord): Record<string, string | number | null> {
  return {
    id: job.id,
    position: job.position,
    request: JSON.stringify(job.request),
    state: job.state,
    created_at: job.createdAt,
    finished_at: job.finishedAt ?? null,
    error: job.error ? JSON.stringify(job.error) : null,
    planned: job.planned ? 1 : 0,
    answer_for_all: job.answerForAll ?? null,
    counts: JSON.stringify(job.counts),
  };
}

function jobOf(row: JobRow): JobRecord {
  if (!JOB_STATES.has(row.state)) throw new Error(`unknown state "${row.state}"`);
  const counts = JSON.parse(row.counts) as JobCounts;
  if (typeof counts?.total !== 'number') throw new Error('no file counts');
  const job: JobRecord = {
    id: row.id,
    position: row.position,
    request: parseTransferRequest(JSON.parse(row.request)),
    state: row.state as JobState,
    createdAt: row.created_at,
    planned: row.planned === 1,
    counts,
  };
  if (row.finished_at !== null) job.finishedAt = row.finished_at;
  if (row.error !== null) job.error = JSON.parse(row.error) as SerializedError;
  if (row.answer_for_all !== null) job.answerForAll = row.answer_for_all as OverwriteAnswer;
  return job;
}
