// The transfer history on this machine: history.db (SQLite, WAL) in the data folder, one record per file a
// job moved. Several processes write it at once (the app's engine, a command-line run, a background sync):
// WAL lets readers go on while one writes, and each batch is one BEGIN IMMEDIATE transaction that waits for
// another process's (busy timeout) rather than failing. Records are upserted by their stable id, so writing
// one again (its end after its start, a retry) replaces it.
//
// While replication is on (a Cosmos DB account is connected), every record written also goes into the
// outbox in the same transaction: a crash between the two cannot lose a record's way to the account.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  HISTORY_PAGE_DEFAULT,
  HISTORY_PAGE_MAX,
  type HistoryFilter,
  type HistoryPage,
  type HistoryQuery,
  type HistoryRecord,
  type HistoryResult,
} from '../../../shared/history';
import { FerryError } from '../../../shared/errors';
import {
  isDamagedDatabase,
  migrate,
  openDatabase,
  setAsideDatabase,
  type SqlDatabase,
  type SqlValue,
} from '../db/sqlite';
import { HISTORY_MIGRATIONS } from './schema';

export const HISTORY_FILE = 'history.db';

export interface OpenedHistory {
  store: HistoryStore;
  /** Where a damaged history.db was moved (a fresh one took its place), for the user to be told. */
  setAside?: string;
}

/** Columns in HistoryRecord order; the row mapping below follows it. */
const COLUMNS = [
  'id',
  'job_id',
  'sync_run_id',
  'source',
  'destination',
  'source_connection',
  'destination_connection',
  'size',
  'bytes_done',
  'started_at',
  'ended_at',
  'duration_ms',
  'rate',
  'result',
  'error_code',
  'error_message',
  'check_type',
  'check_value',
  'device_id',
  'device_name',
  'app_version',
  'updated_at',
] as const;

type Row = Record<(typeof COLUMNS)[number], SqlValue>;

const UPSERT = `INSERT INTO history (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})
  ON CONFLICT (id) DO UPDATE SET ${COLUMNS.filter((c) => c !== 'id')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`;

export class HistoryStore {
  private constructor(
    private readonly db: SqlDatabase,
    readonly file: string,
  ) {}

  /** Which SQLite the runtime gave (node:sqlite in Electron, better-sqlite3 on Node 20). */
  get driver(): SqlDatabase['driver'] {
    return this.db.driver;
  }

  /**
   * Opens (creating) the history in `dataDir`. A file SQLite cannot read, or one a newer FileFerry wrote, is
   * set aside rather than deleted, and a fresh history starts: the history must never keep a transfer from
   * running.
   */
  static async open(dataDir: string): Promise<OpenedHistory> {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const file = join(dataDir, HISTORY_FILE);
    try {
      return { store: HistoryStore.openFile(file) };
    } catch (error) {
      if (!isDamagedDatabase(error)) throw error;
      const setAside = await setAsideDatabase(file);
      return { store: HistoryStore.openFile(file), setAside };
    }
  }

  private static openFile(file: string): HistoryStore {
    const db = openDatabase(file);
    try {
      migrate(db, HISTORY_MIGRATIONS, 'transfer history');
    } catch (error) {
      db.close();
      throw error;
    }
    return new HistoryStore(db, file);
  }

  /** Writes (inserts or replaces) records in one transaction, queueing them for replication while it is on. */
  write(records: readonly HistoryRecord[]): void {
    if (records.length === 0) return;
    const upsert = this.db.prepare(UPSERT);
    // queued_at moves forward on every write of a record, even twice in one millisecond: the replicator removes
    // an entry only while it still has the queued_at it uploaded (acknowledge), so a change made during the
    // upload stays queued.
    const enqueue = this.db.prepare(
      'INSERT INTO outbox (id, queued_at) VALUES (?, ?) ' +
        'ON CONFLICT (id) DO UPDATE SET queued_at = max(excluded.queued_at, outbox.queued_at + 1)',
    );
    this.db.transaction(() => {
      // Read inside the transaction: another process may have turned replication on a moment ago.
      const replicating = this.meta('replicate') === '1';
      const now = Date.now();
      for (const record of records) {
        upsert.run(toRow(record));
        if (replicating) enqueue.run([record.id, now]);
      }
    });
  }

  /** One page of records matching `query`, newest first. */
  query(query: HistoryQuery = {}): HistoryPage {
    const asked = Number.isFinite(query.limit) ? Math.floor(query.limit!) : HISTORY_PAGE_DEFAULT;
    const limit = Math.min(Math.max(1, asked), HISTORY_PAGE_MAX);
    const { where, params } = whereClause(query);
    if (query.after !== undefined) {
      const { startedAt, id } = parseCursor(query.after);
      where.push('(started_at < ? OR (started_at = ? AND id < ?))');
      params.push(startedAt, startedAt, id);
    }
    const sql =
      `SELECT * FROM history ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ` +
      'ORDER BY started_at DESC, id DESC LIMIT ?';
    const rows = this.db.prepare(sql).all<Row>([...params, limit + 1]);
    const records = rows.slice(0, limit).map(fromRow);
    const last = records[records.length - 1];
    return rows.length > limit && last ? { records, next: `${last.startedAt}:${last.id}` } : { records };
  }

  /** Every record matching `filter`, a page at a time (for exports of any size). */
  *all(filter: HistoryFilter = {}): Generator<HistoryRecord> {
    for (let after: string | undefined; ;) {
      const page = this.query({ ...filter, limit: HISTORY_PAGE_MAX, ...(after ? { after } : {}) });
      yield* page.records;
      if (!page.next) return;
      after = page.next;
    }
  }

  count(filter: HistoryFilter = {}): number {
    const { where, params } = whereClause(filter);
    const sql = `SELECT COUNT(*) AS n FROM history ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
    return Number(this.db.prepare(sql).get<{ n: number }>(params)?.n ?? 0);
  }

  /**
   * Marks the job's records that are still 'running' as ended with `result` (a cancelled job's files that
   * had started; a crash's leftovers once their job is over).
   */
  endRunning(jobId: string, result: Exclude<HistoryResult, 'running'>, at = Date.now()): void {
    this.db.transaction(() => {
      const running = this.db
        // A job's records by their ids ("<jobId>:<seq>"): a range of the id index, no index of job ids to keep.
        .prepare("SELECT * FROM history WHERE id >= ? AND id < ? AND result = 'running'")
        .all<Row>([`${jobId}:`, `${jobId};`])
        .map(fromRow);
      this.write(running.map((record) => ({ ...record, ...ended(record, at), result, updatedAt: at })));
    });
  }

  /**
   * Retention: removes records that ended before `before` (ms since the epoch), except those still waiting
   * to replicate, which would otherwise never reach the account. Returns how many went.
   */
  prune(before: number): number {
    // started_at bounds the walk to the index's oldest records (a record ends after it starts); ended_at decides.
    return this.db
      .prepare(
        "DELETE FROM history WHERE started_at < ? AND COALESCE(ended_at, started_at) < ? AND result != 'running' " +
          'AND id NOT IN (SELECT id FROM outbox)',
      )
      .run([before, before]).changes;
  }

  meta(key: string): string | undefined {
    return this.db.prepare('SELECT value FROM meta WHERE key = ?').get<{ value: string }>([key])?.value;
  }

  setMeta(key: string, value: string | undefined): void {
    if (value === undefined) this.db.prepare('DELETE FROM meta WHERE key = ?').run([key]);
    else this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run([key, value]);
  }

  // Replication (replication/replicator.ts): the outbox is drained by whoever replicates, in any process; the
  // records of the user's other devices are merged in without entering it.

  /** Turns replication on and queues every record of `deviceId` already here (history from before the account). */
  startReplicating(deviceId: string): number {
    return this.db.transaction(() => {
      this.setMeta('replicate', '1');
      return this.db
        .prepare('INSERT OR IGNORE INTO outbox (id, queued_at) SELECT id, ? FROM history WHERE device_id = ?')
        .run([Date.now(), deviceId]).changes;
    });
  }

  /** Turns replication off and forgets what was still to upload (nothing would take it any more). */
  stopReplicating(): void {
    this.db.transaction(() => {
      this.setMeta('replicate', undefined);
      this.db.prepare('DELETE FROM outbox').run();
    });
  }

  /** Which of `ids` wait in the outbox (a page's worth: the view marks those rows). */
  pendingAmong(ids: readonly string[]): Set<string> {
    if (ids.length === 0) return new Set();
    const rows = this.db
      .prepare(`SELECT id FROM outbox WHERE id IN (${ids.map(() => '?').join(', ')})`)
      .all<{ id: string }>([...ids]);
    return new Set(rows.map((row) => row.id));
  }

  /** Records waiting to replicate. */
  pendingCount(): number {
    return Number(this.db.prepare('SELECT COUNT(*) AS n FROM outbox').get<{ n: number }>()?.n ?? 0);
  }

  /**
   * Up to `limit` outbox entries with their records, in id order (the outbox's own, so no sort however long
   * it grows). An entry whose record is gone has none: acknowledge it.
   */
  outboxBatch(limit: number): OutboxEntry[] {
    const rows = this.db
      .prepare(
        'SELECT o.id AS outbox_id, o.queued_at AS outbox_queued_at, h.* FROM outbox o ' +
          'LEFT JOIN history h ON h.id = o.id ORDER BY o.id LIMIT ?',
      )
      .all<Row & { outbox_id: string; outbox_queued_at: number }>([limit]);
    return rows.map((row) => ({
      id: String(row.outbox_id),
      queuedAt: Number(row.outbox_queued_at),
      ...(row.id === null ? {} : { record: fromRow(row) }),
    }));
  }

  /** Removes outbox entries that were uploaded, unless their record changed since (a newer queued_at). */
  acknowledge(entries: ReadonlyArray<Pick<OutboxEntry, 'id' | 'queuedAt'>>): void {
    if (entries.length === 0) return;
    const remove = this.db.prepare('DELETE FROM outbox WHERE id = ? AND queued_at = ?');
    this.db.transaction(() => {
      for (const entry of entries) remove.run([entry.id, entry.queuedAt]);
    });
  }

  /**
   * Merges records pulled from another device: a record new here, or newer (updatedAt) than the copy here, is
   * written; never into the outbox (they are another device's to replicate). Returns how many changed.
   */
  merge(records: readonly HistoryRecord[]): number {
    if (records.length === 0) return 0;
    const upsert = this.db.prepare(`${UPSERT} WHERE excluded.updated_at > history.updated_at`);
    return this.db.transaction(() =>
      records.reduce((changed, record) => changed + upsert.run(toRow(record)).changes, 0),
    );
  }

  close(): void {
    this.db.close();
  }
}

/** A record waiting to replicate, as the outbox holds it. */
export interface OutboxEntry {
  id: string;
  /** Changes whenever the record is written again (see write). */
  queuedAt: number;
  /** Absent when the record is no longer in the history. */
  record?: HistoryRecord;
}

/** A record's end fields as of `at`: duration and average rate from its start. */
export function ended(
  record: Pick<HistoryRecord, 'startedAt' | 'bytesDone'>,
  at: number,
): Pick<HistoryRecord, 'endedAt' | 'durationMs' | 'rate'> {
  const durationMs = Math.max(0, at - record.startedAt);
  return { endedAt: at, durationMs, rate: durationMs > 0 ? Math.round((record.bytesDone * 1000) / durationMs) : 0 };
}

function whereClause(filter: HistoryFilter): { where: string[]; params: SqlValue[] } {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (filter.result !== undefined) {
    where.push('result = ?');
    params.push(filter.result);
  }
  if (filter.since !== undefined) {
    where.push('started_at >= ?');
    params.push(filter.since);
  }
  if (filter.until !== undefined) {
    where.push('started_at < ?');
    params.push(filter.until);
  }
  if (filter.connection !== undefined) {
    where.push('(source_connection = ? OR destination_connection = ?)');
    params.push(filter.connection, filter.connection);
  }
  if (filter.device !== undefined) {
    // By id when it is one (a device's id is a UUID, a name that looks like one is unlikely), else by name: one
    // column, so the filter is tested on the index (which holds the name) and not on every record.
    const byId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(filter.device);
    where.push(byId ? 'device_id = ?' : 'device_name = ?');
    params.push(filter.device);
  }
  if (filter.text !== undefined && filter.text !== '') {
    // LIKE with the user's % and _ taken literally.
    const pattern = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push("(source LIKE ? ESCAPE '\\' OR destination LIKE ? ESCAPE '\\' OR error_message LIKE ? ESCAPE '\\')");
    params.push(pattern, pattern, pattern);
  }
  return { where, params };
}

function parseCursor(cursor: string): { startedAt: number; id: string } {
  const at = cursor.indexOf(':');
  const startedAt = Number(cursor.slice(0, at));
  if (at < 1 || !Number.isSafeInteger(startedAt)) {
    throw new FerryError(
      'InvalidInput',
      'That history page marker is not one FileFerry gave: start from the first page.',
    );
  }
  return { startedAt, id: cursor.slice(at + 1) };
}

function toRow(record: HistoryRecord): SqlValue[] {
  return [
    record.id,
    record.jobId,
    record.syncRunId ?? null,
    record.source,
    record.destination,
    record.sourceConnection,
    record.destinationConnection,
    record.size ?? null,
    record.bytesDone,
    record.startedAt,
    record.endedAt ?? null,
    record.durationMs ?? null,
    record.rate ?? null,
    record.result,
    record.errorCode ?? null,
    record.errorMessage ?? null,
    record.verification?.check ?? null,
    record.verification?.value ?? null,
    record.deviceId,
    record.deviceName,
    record.appVersion,
    record.updatedAt,
  ];
}

function fromRow(row: Row): HistoryRecord {
  const record: HistoryRecord = {
    id: String(row.id),
    jobId: String(row.job_id),
    source: String(row.source),
    destination: String(row.destination),
    sourceConnection: String(row.source_connection),
    destinationConnection: String(row.destination_connection),
    bytesDone: Number(row.bytes_done),
    startedAt: Number(row.started_at),
    result: String(row.result) as HistoryResult,
    deviceId: String(row.device_id),
    deviceName: String(row.device_name),
    appVersion: String(row.app_version),
    updatedAt: Number(row.updated_at),
  };
  if (row.sync_run_id !== null) record.syncRunId = String(row.sync_run_id);
  if (row.size !== null) record.size = Number(row.size);
  if (row.ended_at !== null) record.endedAt = Number(row.ended_at);
  if (row.duration_ms !== null) record.durationMs = Number(row.duration_ms);
  if (row.rate !== null) record.rate = Number(row.rate);
  if (row.error_code !== null) record.errorCode = String(row.error_code);
  if (row.error_message !== null) record.errorMessage = String(row.error_message);
  if (row.check_type !== null) {
    record.verification = { check: String(row.check_type) };
    if (row.check_value !== null) record.verification.value = String(row.check_value);
  }
  return record;
}
