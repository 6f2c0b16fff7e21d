// The history database's schema, one migration per version (db/sqlite.ts migrate() runs each once, in order,
// with its version bump). Append a migration for every change; never edit one that has shipped.
import type { SqlDatabase } from '../db/sqlite';

export const HISTORY_MIGRATIONS: ReadonlyArray<(db: SqlDatabase) => void> = [
  // 1: the records, the outbox of records still to replicate, and small facts (replication on/off, watermarks).
  (db) =>
    db.exec(`
      CREATE TABLE history (
        id TEXT NOT NULL UNIQUE,
        job_id TEXT NOT NULL,
        sync_run_id TEXT,
        source TEXT NOT NULL,
        destination TEXT NOT NULL,
        source_connection TEXT NOT NULL,
        destination_connection TEXT NOT NULL,
        size INTEGER,
        bytes_done INTEGER NOT NULL,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        duration_ms INTEGER,
        rate REAL,
        result TEXT NOT NULL,
        error_code TEXT,
        error_message TEXT,
        check_type TEXT,
        check_value TEXT,
        device_id TEXT NOT NULL,
        device_name TEXT NOT NULL,
        app_version TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      -- The view's order (newest first) and its paging: every query walks this index from the top.
      CREATE INDEX history_by_start ON history (started_at DESC, id DESC);
      CREATE TABLE outbox (id TEXT PRIMARY KEY, queued_at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    `),
  // 2: one index for the view's order and every filter it has. Every query walks it newest first and tests the
  // filters on its own columns, looking up only the records that match: a search or a filter that matches
  // little scans this index (at 100,000 records ~30 ms), never every whole record. One index, not one per
  // filter: each index costs every record written, and the engine writes one per file (at 100,000 files a
  // run, seven indexes took more CPU than the copies).
  (db) =>
    db.exec(`
      DROP INDEX history_by_start;
      CREATE INDEX history_by_time ON history (
        started_at DESC, id DESC, result, source_connection, destination_connection, device_name, source,
        destination, error_message
      );
    `),
];
