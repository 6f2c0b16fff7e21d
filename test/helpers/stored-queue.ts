// Reads what an engine persisted in its data folder (queue.db), from a connection of the test's own: what a
// restarted engine — or one after a crash — would find. Works while the engine still has the file open.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../main/core/db/sqlite';
import type { FileRecord } from '../../main/core/transfers/job-model';

export interface StoredJob {
  id: string;
  state: string;
  planned: boolean;
  files: FileRecord[];
}

/** Every stored job with its stored files (in order); an empty list when the engine has saved nothing yet. */
export function storedQueue(dataDir: string): StoredJob[] {
  const file = join(dataDir, 'queue.db');
  if (!existsSync(file)) return [];
  const db = openDatabase(file);
  try {
    const hasJobs = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'jobs'").get();
    if (!hasJobs) return [];
    const jobs = db.prepare('SELECT id, state, planned FROM jobs ORDER BY position').all<{
      id: string;
      state: string;
      planned: number;
    }>();
    return jobs.map((job) => ({
      id: job.id,
      state: job.state,
      planned: job.planned === 1,
      files: db
        .prepare('SELECT seq, state, body FROM files WHERE job_id = ? ORDER BY seq')
        .all<{ seq: number; state: string; body: string }>([job.id])
        .map((row) => ({
          ...(JSON.parse(row.body) as FileRecord),
          seq: row.seq,
          state: row.state as FileRecord['state'],
        })),
    }));
  } finally {
    db.close();
  }
}
