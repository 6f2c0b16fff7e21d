// The history store on its own: filters, paging, counting, retention, the replication outbox, ending a job's
// running records, migrations from an older schema, and damaged files set aside rather than deleted.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HistoryRecord } from '../../shared/history';
import { FerryError } from '../../shared/errors';
import { migrate, openDatabase, schemaVersion, type SqlDatabase } from '../../main/core/db/sqlite';
import { HISTORY_FILE, HistoryStore } from '../../main/core/history';
import { HISTORY_MIGRATIONS } from '../../main/core/history/schema';
import { removeDirs, tempDir } from '../transfers/fixtures';

const T0 = Date.UTC(2026, 5, 1);
const DEVICE = { deviceId: '5b0b3f7e-6a55-4c36-9d1e-1f3c8b0a2d11', deviceName: 'Workstation' };

/** A finished record with every required field; `overrides` make it the one a test needs. */
function record(id: string, overrides: Partial<HistoryRecord> = {}): HistoryRecord {
  const startedAt = overrides.startedAt ?? T0;
  const full: HistoryRecord = {
    id,
    jobId: id.split(':')[0]!,
    source: `/data/${id}.bin`,
    destination: `ftp://me@files.example.com/in/${id}.bin`,
    sourceConnection: 'local',
    destinationConnection: 'ftp://me@files.example.com',
    size: 100,
    bytesDone: 100,
    startedAt,
    endedAt: startedAt + 1000,
    durationMs: 1000,
    rate: 100,
    result: 'done',
    ...DEVICE,
    appVersion: '0.1.0',
    updatedAt: startedAt + 1000,
    ...overrides,
  };
  if (full.result === 'running') {
    delete full.endedAt;
    delete full.durationMs;
    delete full.rate;
  }
  return full;
}

/** A second connection to the store's file, for what the store does not show (the outbox, the schema). */
function rawOf(store: HistoryStore): SqlDatabase {
  return openDatabase(store.file);
}

function outboxIds(store: HistoryStore): string[] {
  const db = rawOf(store);
  try {
    return db
      .prepare('SELECT id FROM outbox ORDER BY id')
      .all<{ id: string }>()
      .map((row) => row.id);
  } finally {
    db.close();
  }
}

function ids(records: readonly HistoryRecord[]): string[] {
  return records.map((r) => r.id);
}

describe('history store', () => {
  const dirs: string[] = [];
  after(() => removeDirs(...dirs));

  async function fresh(): Promise<{ store: HistoryStore; dir: string }> {
    const dir = await tempDir('ferry-history-');
    dirs.push(dir);
    const { store, setAside } = await HistoryStore.open(dir);
    assert.equal(setAside, undefined, 'a new folder has nothing to set aside');
    return { store, dir };
  }

  it('text search takes % and _ literally, is case-insensitive for ASCII, and looks in source, destination and error', async () => {
    const { store } = await fresh();
    try {
      store.write([
        record('a:0', { source: '/data/100%_done.txt' }),
        record('a:1', { source: '/data/100x_done.txt' }),
        record('a:2', { source: '/data/1000done.txt' }),
        record('a:3', { source: '/data/Quarterly REPORT.pdf' }),
        record('a:4', { destination: 's3://bucket/back\\slash' }),
        record('a:5', { result: 'failed', errorCode: 'PermissionDenied', errorMessage: 'Access Denied by policy' }),
        record('a:6', { source: '/data/Ünïcode.txt' }),
      ]);
      const found = (text: string) => ids(store.query({ text }).records).sort();
      assert.deepEqual(found('100%_'), ['a:0'], '% and _ are literal, not wildcards');
      assert.deepEqual(found('%'), ['a:0']);
      assert.deepEqual(found('0_d'), [], 'as a wildcard, _ would match 1000done');
      assert.deepEqual(found('00d'), ['a:2']);
      assert.deepEqual(found('x_'), ['a:1']);
      assert.deepEqual(found('quarterly report'), ['a:3'], 'ASCII letters match in either case');
      assert.deepEqual(found('K\\S'), ['a:4'], 'a backslash is literal too');
      assert.deepEqual(found('access denied'), ['a:5'], 'the error message is searched');
      assert.deepEqual(found('Ünï'), ['a:6']);
      assert.equal(found('').length, 7, 'an empty text filters nothing');
      assert.equal(store.count({ text: '%' }), 1);
    } finally {
      store.close();
    }
  });

  it('filters by result, start time (since inclusive, until exclusive), either side’s connection, and device name or id', async () => {
    const { store } = await fresh();
    try {
      const other = { deviceId: '0c9a0b44-3d1f-4b8e-8f5e-7c2d9e4b6a10', deviceName: 'Laptop' };
      store.write([
        record('j:0', { startedAt: T0 }),
        record('j:1', { startedAt: T0 + 10, result: 'failed', errorCode: 'Network', errorMessage: 'reset' }),
        record('j:2', { startedAt: T0 + 20, result: 'skipped', bytesDone: 0 }),
        record('j:3', { startedAt: T0 + 30, sourceConnection: 'work', destinationConnection: 'local' }),
        record('j:4', { startedAt: T0 + 40, ...other }),
        record('j:5', { startedAt: T0 + 50, result: 'cancelled', ...other }),
      ]);
      const found = (filter: Parameters<HistoryStore['query']>[0]) => ids(store.query(filter).records);
      assert.deepEqual(found({ result: 'failed' }), ['j:1']);
      assert.deepEqual(found({ result: 'done' }), ['j:4', 'j:3', 'j:0']);
      assert.deepEqual(found({ since: T0 + 20 }), ['j:5', 'j:4', 'j:3', 'j:2'], 'since includes its own instant');
      assert.deepEqual(found({ until: T0 + 20 }), ['j:1', 'j:0'], 'until excludes its own instant');
      assert.deepEqual(found({ since: T0 + 10, until: T0 + 40 }), ['j:3', 'j:2', 'j:1']);
      assert.deepEqual(found({ connection: 'work' }), ['j:3'], 'the source side');
      assert.deepEqual(found({ connection: 'local' }).length, 6, 'either side: every record has local on one');
      assert.deepEqual(found({ connection: 'ftp://me@files.example.com' }), ['j:5', 'j:4', 'j:2', 'j:1', 'j:0']);
      assert.deepEqual(found({ connection: 'ftp://me@files.example' }), [], 'a connection matches exactly');
      assert.deepEqual(found({ device: 'Laptop' }), ['j:5', 'j:4'], 'by name');
      assert.deepEqual(found({ device: other.deviceId }), ['j:5', 'j:4'], 'by id');
      assert.deepEqual(found({ device: 'Workstation', result: 'done' }), ['j:3', 'j:0'], 'filters combine');
      assert.equal(store.count(), 6);
      assert.equal(store.count({ device: 'Laptop' }), 2);
      assert.equal(store.count({ result: 'done', since: T0 + 1 }), 2);
    } finally {
      store.close();
    }
  });

  it('pages through many records sharing one start time: none lost, none twice, newest first', async () => {
    const { store } = await fresh();
    try {
      const same = Array.from({ length: 250 }, (_, i) => record(`tie:${i}`, { startedAt: T0 + 5000 }));
      const spread = Array.from({ length: 60 }, (_, i) => record(`old:${i}`, { startedAt: T0 + (i % 7) }));
      store.write([...same, ...spread]);

      const seen: HistoryRecord[] = [];
      let pages = 0;
      for (let after: string | undefined; ; pages++) {
        const page = store.query({ limit: 7, ...(after ? { after } : {}) });
        assert.ok(page.records.length <= 7);
        seen.push(...page.records);
        if (!page.next) break;
        after = page.next;
      }
      assert.equal(pages, Math.ceil(310 / 7) - 1);
      assert.equal(seen.length, 310);
      assert.equal(new Set(ids(seen)).size, 310, 'no record twice');
      for (let i = 1; i < seen.length; i++) {
        assert.ok(seen[i - 1]!.startedAt >= seen[i]!.startedAt, `newest first at ${i}`);
      }
      assert.deepEqual(
        ids(seen.slice(0, 250)).sort(),
        ids(same).sort(),
        'the 250 that share the newest start come first',
      );
      // The same with a filter, and through all() (which pages by HISTORY_PAGE_MAX).
      const filtered: string[] = [];
      for (let after: string | undefined; ;) {
        const page = store.query({ text: 'tie:', limit: 33, ...(after ? { after } : {}) });
        filtered.push(...ids(page.records));
        if (!page.next) break;
        after = page.next;
      }
      assert.equal(new Set(filtered).size, 250);
      assert.equal(filtered.length, 250);
      assert.equal([...store.all()].length, 310);
      assert.equal(store.count({ text: 'tie:' }), 250);
      // The last page says it is the last.
      assert.equal(store.query({ limit: 310 }).next, undefined);
      assert.ok(store.query({ limit: 309 }).next);
    } finally {
      store.close();
    }
  });

  it('refuses a page marker it did not give with an InvalidInput FerryError', async () => {
    const { store } = await fresh();
    try {
      store.write([record('p:0')]);
      for (const after of ['', 'garbage', ':p:0', 'abc:p:0', 'NaN:x', '1.5:p:0', '99999999999999999999:p:0']) {
        assert.throws(
          () => store.query({ after }),
          (error: unknown) =>
            error instanceof FerryError && error.code === 'InvalidInput' && /page marker/.test(error.message),
          `after=${JSON.stringify(after)}`,
        );
      }
      assert.equal(store.query({ limit: 1 }).next, undefined, 'one record, one page, no marker');
    } finally {
      store.close();
    }
  });

  it('prune removes only ended records older than the cutoff, and keeps those still in the outbox', async () => {
    const { store } = await fresh();
    try {
      const cutoff = T0 + 100_000;
      store.write([
        record('old:done', { startedAt: T0, endedAt: T0 + 10 }),
        record('old:failed', { startedAt: T0, endedAt: T0 + 10, result: 'failed', errorCode: 'Network' }),
        record('old:running', { startedAt: T0, result: 'running' }),
        record('old:ended-after', { startedAt: T0, endedAt: cutoff + 1 }),
        record('new:done', { startedAt: cutoff, endedAt: cutoff + 10 }),
      ]);
      store.setMeta('replicate', '1');
      store.write([record('old:queued', { startedAt: T0, endedAt: T0 + 10 })]);
      store.setMeta('replicate', undefined);

      assert.equal(store.prune(cutoff), 2);
      assert.deepEqual(ids([...store.all()]).sort(), ['new:done', 'old:ended-after', 'old:queued', 'old:running']);
      assert.equal(store.prune(cutoff), 0, 'nothing more to remove');
    } finally {
      store.close();
    }
  });

  it('writes the outbox only while replication is on, from any process, in the record’s own transaction', async () => {
    const { store, dir } = await fresh();
    try {
      store.write([record('o:0')]);
      assert.deepEqual(outboxIds(store), [], 'replication off: no outbox');

      // Another process (a second store on the same file) turns replication on: the next write sees it.
      const { store: other } = await HistoryStore.open(dir);
      other.setMeta('replicate', '1');
      other.close();
      assert.equal(store.meta('replicate'), '1');
      store.write([record('o:1'), record('o:2')]);
      assert.deepEqual(outboxIds(store), ['o:1', 'o:2']);

      store.setMeta('replicate', '0');
      store.write([record('o:3')]);
      assert.deepEqual(outboxIds(store), ['o:1', 'o:2'], "'0' is off");
      store.setMeta('replicate', '1');

      // An outbox that refuses the row takes the record down with it: one transaction, or neither.
      const raw = rawOf(store);
      raw.exec("CREATE TRIGGER refuse BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'outbox refused'); END");
      assert.throws(() => store.write([record('o:4'), record('o:5')]), /outbox refused/);
      assert.equal(store.count({ text: 'o:4' }), 0, 'the record went with its outbox row');
      assert.equal(store.count({ text: 'o:5' }), 0);
      raw.exec('DROP TRIGGER refuse');
      raw.close();

      store.write([record('o:4')]);
      assert.deepEqual(outboxIds(store), ['o:1', 'o:2', 'o:4']);
      assert.equal(store.count(), 5);
    } finally {
      store.close();
    }
  });

  it('endRunning ends only that job’s running records, from their start, and queues them when replicating', async () => {
    const { store } = await fresh();
    try {
      store.write([
        record('j1:0', { result: 'running', startedAt: T0, bytesDone: 40 }),
        record('j1:1', { result: 'running', startedAt: T0 + 500, bytesDone: 0 }),
        record('j1:2', { result: 'done', startedAt: T0 }),
        record('j2:0', { result: 'running', startedAt: T0 }),
      ]);
      store.setMeta('replicate', '1');
      const at = T0 + 2000;
      store.endRunning('j1', 'cancelled', at);

      const byId = new Map([...store.all()].map((r) => [r.id, r]));
      assert.equal(byId.get('j1:0')!.result, 'cancelled');
      assert.equal(byId.get('j1:0')!.endedAt, at);
      assert.equal(byId.get('j1:0')!.durationMs, 2000);
      assert.equal(byId.get('j1:0')!.rate, 20, '40 bytes in 2 s');
      assert.equal(byId.get('j1:0')!.updatedAt, at);
      assert.equal(byId.get('j1:1')!.result, 'cancelled');
      assert.equal(byId.get('j1:1')!.durationMs, 1500);
      assert.equal(byId.get('j1:2')!.result, 'done', 'an ended record keeps its result');
      assert.equal(byId.get('j2:0')!.result, 'running', 'another job is left alone');
      assert.deepEqual(outboxIds(store), ['j1:0', 'j1:1'], 'the changed records go out');
      assert.equal(store.count({ result: 'running' }), 1);
    } finally {
      store.close();
    }
  });

  it('migrates a schema-1 history to the current schema with its records intact and queryable', async () => {
    const dir = await tempDir('ferry-history-');
    dirs.push(dir);
    const old = openDatabase(join(dir, HISTORY_FILE));
    migrate(old, HISTORY_MIGRATIONS.slice(0, 1), 'transfer history');
    assert.equal(schemaVersion(old), 1);
    const insert = old.prepare(
      `INSERT INTO history (id, job_id, source, destination, source_connection, destination_connection, size,
        bytes_done, started_at, ended_at, duration_ms, rate, result, error_code, error_message, check_type,
        check_value, device_id, device_name, app_version, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    insert.run([
      'old:0',
      'old',
      '/a.txt',
      'ftp://h/a.txt',
      'local',
      'ftp://h',
      5,
      5,
      T0,
      T0 + 10,
      10,
      500,
      'done',
      null,
      null,
      'sha256',
      'ab12',
      DEVICE.deviceId,
      DEVICE.deviceName,
      '0.0.9',
      T0 + 10,
    ]);
    insert.run([
      'old:1',
      'old',
      '/b.txt',
      'ftp://h/b.txt',
      'local',
      'ftp://h',
      7,
      3,
      T0 + 1,
      T0 + 20,
      19,
      157,
      'failed',
      'Network',
      'Connection reset',
      null,
      null,
      DEVICE.deviceId,
      DEVICE.deviceName,
      '0.0.9',
      T0 + 20,
    ]);
    old.close();

    const { store, setAside } = await HistoryStore.open(dir);
    try {
      assert.equal(setAside, undefined, 'an older schema is migrated, not set aside');
      const raw = rawOf(store);
      assert.ok(HISTORY_MIGRATIONS.length >= 2);
      assert.equal(schemaVersion(raw), HISTORY_MIGRATIONS.length, 'every later migration ran');
      const indexes = raw
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'history_by_%'")
        .all<{ name: string }>()
        .map((row) => row.name);
      raw.close();
      // Migration 2 replaced the order's index with the one every filter reads.
      assert.ok(indexes.includes('history_by_time') && !indexes.includes('history_by_start'), `${indexes}`);

      assert.equal(store.count(), 2);
      const [failed] = store.query({ connection: 'ftp://h', result: 'failed' }).records;
      assert.deepEqual(failed, {
        id: 'old:1',
        jobId: 'old',
        source: '/b.txt',
        destination: 'ftp://h/b.txt',
        sourceConnection: 'local',
        destinationConnection: 'ftp://h',
        size: 7,
        bytesDone: 3,
        startedAt: T0 + 1,
        endedAt: T0 + 20,
        durationMs: 19,
        rate: 157,
        result: 'failed',
        errorCode: 'Network',
        errorMessage: 'Connection reset',
        ...DEVICE,
        appVersion: '0.0.9',
        updatedAt: T0 + 20,
      });
      assert.deepEqual(store.query({ device: DEVICE.deviceName, text: 'a.txt' }).records[0]?.verification, {
        check: 'sha256',
        value: 'ab12',
      });
      // And it goes on working: a new record beside the old ones.
      store.write([record('new:0')]);
      assert.equal(store.count(), 3);
    } finally {
      store.close();
    }
  });

  it('sets a file of garbage aside (same bytes, new name), reports it, and starts a fresh history', async () => {
    const dir = await tempDir('ferry-history-');
    dirs.push(dir);
    const garbage = randomBytes(64 * 1024);
    await writeFile(join(dir, HISTORY_FILE), garbage);

    const { store, setAside } = await HistoryStore.open(dir);
    try {
      assert.ok(setAside, 'the set-aside file is reported');
      assert.match(setAside, /history\.db\.damaged-\d+$/);
      assert.ok((await readFile(setAside)).equals(garbage), 'kept byte for byte under its new name');
      store.write([record('after:0')]);
      assert.deepEqual(ids(store.query().records), ['after:0']);
    } finally {
      store.close();
    }
    const names = await readdir(dir);
    assert.ok(names.includes(HISTORY_FILE));
    assert.equal(names.filter((n) => n.includes('.damaged-')).length, 1, names.join());
    // The fresh one opens again without being set aside.
    const again = await HistoryStore.open(dir);
    assert.equal(again.setAside, undefined);
    assert.equal(again.store.count(), 1);
    again.store.close();
  });

  it('sets aside a history a newer FileFerry wrote (user_version 99)', async () => {
    const dir = await tempDir('ferry-history-');
    dirs.push(dir);
    const newer = openDatabase(join(dir, HISTORY_FILE));
    migrate(newer, HISTORY_MIGRATIONS, 'transfer history');
    newer.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(['from', 'the future']);
    newer.exec('PRAGMA user_version = 99');
    newer.close();

    const { store, setAside } = await HistoryStore.open(dir);
    try {
      assert.ok(setAside, 'reported');
      assert.equal(store.meta('from'), undefined, 'a fresh history');
      assert.equal(store.count(), 0);
    } finally {
      store.close();
    }
    const kept = openDatabase(setAside);
    try {
      assert.equal(schemaVersion(kept), 99, 'the newer file is kept as it was');
      assert.equal(
        kept.prepare('SELECT value FROM meta WHERE key = ?').get<{ value: string }>(['from'])?.value,
        'the future',
      );
    } finally {
      kept.close();
    }
  });
});
