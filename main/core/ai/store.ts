// summaries.db in the data folder: the summaries already written (so asking again for an unchanged file makes no
// call) and the connections whose files the person agreed to send. Its own file rather than a table in the
// history: it is a cache, never replicated, and a damaged one is set aside without touching anything else.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SummaryResult } from '../../../shared/summaries';
import { isDamagedDatabase, migrate, openDatabase, setAsideDatabase, type SqlDatabase } from '../db/sqlite';

export const SUMMARIES_FILE = 'summaries.db';

const MIGRATIONS: ReadonlyArray<(db: SqlDatabase) => void> = [
  (db) => {
    db.exec(`CREATE TABLE summaries (
      cache_key TEXT PRIMARY KEY,
      result TEXT NOT NULL,
      created_at INTEGER NOT NULL
    ) WITHOUT ROWID`);
    db.exec(`CREATE TABLE consents (
      connection TEXT PRIMARY KEY,
      granted_at INTEGER NOT NULL
    ) WITHOUT ROWID`);
  },
];

/** Summaries beyond this many are dropped, oldest first: a cache must not grow for ever. */
const MAX_CACHED = 5000;

export class SummaryStore {
  private constructor(private readonly db: SqlDatabase) {}

  /** Opens (creating) the store; a damaged file is set aside and a fresh one takes its place. */
  static async open(dataDir: string): Promise<{ store: SummaryStore; setAside?: string }> {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const file = join(dataDir, SUMMARIES_FILE);
    try {
      return { store: SummaryStore.openFile(file) };
    } catch (error) {
      if (!isDamagedDatabase(error)) throw error;
      const setAside = await setAsideDatabase(file);
      return { store: SummaryStore.openFile(file), setAside };
    }
  }

  private static openFile(file: string): SummaryStore {
    const db = openDatabase(file);
    try {
      migrate(db, MIGRATIONS, 'summary cache');
    } catch (error) {
      db.close();
      throw error;
    }
    return new SummaryStore(db);
  }

  cached(key: string): SummaryResult | undefined {
    const row = this.db.prepare('SELECT result FROM summaries WHERE cache_key = ?').get<{ result: string }>([key]);
    if (!row) return undefined;
    try {
      return JSON.parse(row.result) as SummaryResult;
    } catch {
      return undefined;
    }
  }

  save(key: string, result: SummaryResult): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT OR REPLACE INTO summaries (cache_key, result, created_at) VALUES (?, ?, ?)')
        .run([key, JSON.stringify(result), result.createdAt]);
      this.db
        .prepare(
          `DELETE FROM summaries WHERE cache_key IN
             (SELECT cache_key FROM summaries ORDER BY created_at DESC LIMIT -1 OFFSET ${MAX_CACHED})`,
        )
        .run();
    });
  }

  hasConsent(connection: string): boolean {
    return this.db.prepare('SELECT 1 AS yes FROM consents WHERE connection = ?').get([connection]) !== undefined;
  }

  grantConsent(connection: string): void {
    this.db
      .prepare('INSERT OR REPLACE INTO consents (connection, granted_at) VALUES (?, ?)')
      .run([connection, Date.now()]);
  }

  consentCount(): number {
    return Number(this.db.prepare('SELECT count(*) AS n FROM consents').get<{ n: number }>()?.n ?? 0);
  }

  /** Forgets every consent (the person turned summaries off, or asked to be asked again). */
  revokeConsents(): void {
    this.db.prepare('DELETE FROM consents').run();
  }

  close(): void {
    this.db.close();
  }
}
