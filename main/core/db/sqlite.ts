// One small SQLite interface over the two drivers FileFerry runs on. One node_modules serves plain Node (the
// CLI, the tests: Node 20 here, where better-sqlite3 12 is the only SQLite) and Electron (whose Node has
// node:sqlite built in). A native module built for one runtime's ABI fails to load in the other, so the
// built-in one is preferred wherever it exists and better-sqlite3 is only loaded where it does not: the app
// never needs a native SQLite of its own. Both are synchronous, so callers keep each statement small (a batch
// of rows, never a whole table) to keep the event loop free.
import { rename } from 'node:fs/promises';
import { createRequire } from 'node:module';

/** A value SQLite stores; booleans and undefined are not among them (the callers map them to 0/1 and null). */
export type SqlValue = string | number | bigint | Uint8Array | null;
export type SqlParams = Record<string, SqlValue> | readonly SqlValue[];

export interface SqlStatement {
  run(params?: SqlParams): { changes: number };
  get<T = Record<string, SqlValue>>(params?: SqlParams): T | undefined;
  all<T = Record<string, SqlValue>>(params?: SqlParams): T[];
}

export interface SqlDatabase {
  /** Which driver opened it, for logs and tests. */
  readonly driver: 'node:sqlite' | 'better-sqlite3';
  exec(sql: string): void;
  /** Prepared once per SQL text and cached: callers may pass the same text again and again. */
  prepare(sql: string): SqlStatement;
  /** Runs `work` in one transaction (BEGIN IMMEDIATE: a writer waits for another process's writer, never fails). */
  transaction<T>(work: () => T): T;
  close(): void;
}

export interface OpenOptions {
  /** Milliseconds a statement waits for another process's write lock before failing (default 5000). */
  busyTimeoutMs?: number;
  /**
   * false: never wait for the disk (synchronous = OFF), for a database nothing opens again after a crash (a
   * scratch queue, QueueOpenOptions.scratch). A crash of the process still loses nothing committed; a crash of the
   * machine may leave the file damaged. Default true.
   */
  durable?: boolean;
}

interface RawStatement {
  run(...args: unknown[]): { changes: number | bigint };
  get(...args: unknown[]): unknown;
  all(...args: unknown[]): unknown[];
}

interface RawDatabase {
  exec(sql: string): unknown;
  prepare(sql: string): RawStatement;
  close(): unknown;
}

type Driver = { name: SqlDatabase['driver']; open: (file: string) => RawDatabase };

let driver: Driver | undefined;

function loadDriver(): Driver {
  if (driver) return driver;
  const builtin = process.getBuiltinModule?.('node:sqlite') as
    { DatabaseSync: new (file: string) => RawDatabase } | undefined;
  if (builtin) {
    driver = { name: 'node:sqlite', open: (file) => new builtin.DatabaseSync(file) };
  } else {
    // Bundled to CommonJS (the benchmark's worker, a packaged main process) import.meta.url is empty.
    const require = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);
    const BetterSqlite = require('better-sqlite3') as new (file: string) => RawDatabase;
    driver = { name: 'better-sqlite3', open: (file) => new BetterSqlite(file) };
  }
  return driver;
}

/** Opens (creating) a database file in WAL mode: readers never wait for the writer, a crash loses no commit. */
export function openDatabase(file: string, options: OpenOptions = {}): SqlDatabase {
  const { name, open } = loadDriver();
  const raw = open(file);
  const statements = new Map<string, SqlStatement>();
  let depth = 0;
  const db: SqlDatabase = {
    driver: name,
    exec: (sql) => void raw.exec(sql),
    prepare(sql) {
      let statement = statements.get(sql);
      if (!statement) {
        statement = wrapStatement(raw.prepare(sql));
        statements.set(sql, statement);
      }
      return statement;
    },
    transaction(work) {
      // Nested calls join the outer transaction.
      if (depth > 0) return work();
      raw.exec('BEGIN IMMEDIATE');
      depth++;
      try {
        const result = work();
        raw.exec('COMMIT');
        return result;
      } catch (error) {
        raw.exec('ROLLBACK');
        throw error;
      } finally {
        depth--;
      }
    },
    close: () => {
      statements.clear();
      raw.close();
    },
  };
  try {
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    // In WAL mode NORMAL loses no committed transaction when the process dies, only (at worst) the last ones
    // when the machine loses power; FULL would fsync every commit. Set before the switch to WAL, which writes
    // (and, unless OFF, syncs) a new file's first page.
    db.exec(`PRAGMA synchronous = ${options.durable === false ? 'OFF' : 'NORMAL'}`);
    db.exec('PRAGMA journal_mode = WAL');
  } catch (error) {
    raw.close();
    throw error;
  }
  return db;
}

function wrapStatement(raw: RawStatement): SqlStatement {
  const args = (params?: SqlParams): unknown[] =>
    params === undefined ? [] : Array.isArray(params) ? [...params] : [params];
  return {
    run: (params) => ({ changes: Number(raw.run(...args(params)).changes) }),
    get: <T>(params?: SqlParams) => (raw.get(...args(params)) ?? undefined) as T | undefined,
    all: <T>(params?: SqlParams) => raw.all(...args(params)) as T[],
  };
}

/** The schema version kept in the file (PRAGMA user_version). */
export function schemaVersion(db: SqlDatabase): number {
  return Number(db.prepare('PRAGMA user_version').get<{ user_version: number }>()?.user_version ?? 0);
}

/**
 * Brings a database to the newest schema: each migration runs once, in order, in its own transaction with the
 * version bump, so a crash between two leaves a consistent older version that the next open continues from.
 * A file newer than this build knows is refused rather than misread.
 */
export function migrate(db: SqlDatabase, migrations: ReadonlyArray<(db: SqlDatabase) => void>, what: string): void {
  const refuseNewer = (version: number) => {
    if (version > migrations.length) {
      throw new Error(
        `The ${what} was written by a newer FileFerry (schema ${version}; this one knows ${migrations.length}).`,
      );
    }
  };
  let version = schemaVersion(db);
  refuseNewer(version);
  while (version < migrations.length) {
    // Read again under the write lock: another process opening the same new file at the same moment (the app
    // and a command line) may have run this migration while this one waited for the lock.
    version = db.transaction(() => {
      const now = schemaVersion(db);
      refuseNewer(now);
      if (now === migrations.length) return now;
      migrations[now]!(db);
      db.exec(`PRAGMA user_version = ${now + 1}`);
      return now + 1;
    });
  }
}

/**
 * Moves a damaged database (and its WAL and shared-memory files) aside, never deleting it: what it held may
 * still be recovered by hand. Returns the new name of the main file.
 */
export async function setAsideDatabase(file: string): Promise<string> {
  const aside = `${file}.damaged-${Date.now()}`;
  await rename(file, aside).catch(() => undefined);
  for (const suffix of ['-wal', '-shm']) await rename(file + suffix, aside + suffix).catch(() => undefined);
  return aside;
}

/** Whether opening failed because the file is damaged or from a newer FileFerry (set it aside, start afresh). */
export function isDamagedDatabase(error: unknown): boolean {
  const text = `${(error as { code?: string })?.code ?? ''} ${(error as Error)?.message ?? ''}`;
  return /SQLITE_(CORRUPT|NOTADB)|file is not a database|malformed|written by a newer FileFerry/i.test(text);
}
