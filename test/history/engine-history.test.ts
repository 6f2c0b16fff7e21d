// The history a real TransferEngine writes: one record per file at its end (done, skipped, failed, cancelled),
// with sizes, times, the check that ran, both connections, this device and the app's version; exactly one
// record per file across a close and reopen mid-job; and no credential anywhere in history.db, its WAL or
// the records (FTP with a password, S3 with an access key, each with a distinctive canary value).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ftpSpecSchema, s3SpecSchema, type ConnectionRef, type SecretField } from '../../shared/connection';
import { FerryError } from '../../shared/errors';
import type { HistoryRecord } from '../../shared/history';
import type { Provider, ReadOptions } from '../../shared/provider';
import type { TransferRequest } from '../../shared/transfers';
import { openHistory, readDevice, type OpenHistory } from '../../main/core/history';
import { createLogger } from '../../main/core/log/logger';
import { openProvider } from '../../main/core/providers';
import { TransferEngine, type TransferEngineOptions } from '../../main/core/transfers';
import { startFtpServer } from '../helpers/ftp-server';
import { scanForCanaries } from '../helpers/scan';
import { startS3rver } from '../helpers/s3rver';
import { until } from '../helpers/until';
import {
  exists,
  localRef,
  openEngine,
  openLocal,
  opener,
  removeDirs,
  slowReads,
  tempDir,
  writeRandomFile,
  wrapProvider,
  type ReadLog,
} from '../transfers/fixtures';

const APP_VERSION = '9.8.7-history-test';
const log = createLogger({ test: 'engine-history' });

/** An engine and its history on one data folder, as the app opens them. */
async function openWithHistory(
  data: string,
  named: Record<string, () => Promise<Provider>> = {},
  options: Partial<TransferEngineOptions> = {},
): Promise<{ engine: TransferEngine; history: OpenHistory; close(): Promise<void> }> {
  const history = await openHistory(data, APP_VERSION, log, { savedName: (id) => `saved ${id}` });
  const { engine } = await openEngine(data, named, { history: history.options, ...options });
  return {
    engine,
    history,
    close: async () => {
      await engine.close();
      history.close();
    },
  };
}

function recordsOf(history: OpenHistory, jobId: string): HistoryRecord[] {
  return [...history.store.all()].filter((r) => r.jobId === jobId).sort((a, b) => a.id.localeCompare(b.id));
}

describe('history written by the transfer engine', () => {
  const dirs: string[] = [];
  after(() => removeDirs(...dirs));

  async function folders(): Promise<[string, string, string]> {
    const made = [await tempDir(), await tempDir(), await tempDir('ferry-history-data-')] as const;
    dirs.push(...made);
    return [...made];
  }

  it('a local folder copy records one done record per file, with size, time, check, connections, device and version', async () => {
    const [src, dst, data] = await folders();
    const sizes: Record<string, number> = { '/tree/a.bin': 1000, '/tree/sub/b.bin': 300 * 1024, '/tree/empty.txt': 0 };
    for (const [path, size] of Object.entries(sizes)) await writeRandomFile(join(src, path), size);
    const opened = await openWithHistory(data);
    const before = Date.now();
    const job = opened.engine.add({
      source: { connection: localRef(src), path: '/tree' },
      target: { connection: localRef(dst), path: '/copy' },
      recursive: true,
    });
    const done = await opened.engine.waitFor(job.id);
    assert.equal(done.state, 'completed');
    const records = recordsOf(opened.history, job.id);
    await opened.close();

    const device = await readDevice(data);
    assert.equal(records.length, 3, JSON.stringify(records));
    // Named where they are on disk: the connections' roots (src, dst) joined with the paths under them.
    assert.deepEqual(
      records.map((r) => r.source).sort(),
      Object.keys(sizes)
        .map((path) => join(src, path))
        .sort(),
    );
    for (const record of records) {
      const path = record.source.slice(src.length);
      const size = sizes[path]!;
      assert.equal(record.result, 'done', record.id);
      assert.equal(record.size, size, `${record.source} size`);
      assert.equal(record.bytesDone, size, `${record.source} bytesDone`);
      assert.equal(record.destination, join(dst, path.replace('/tree', '/copy')));
      assert.equal(record.sourceConnection, 'local');
      assert.equal(record.destinationConnection, 'local');
      assert.ok(record.startedAt >= before && record.startedAt <= Date.now(), 'started during the test');
      assert.equal(typeof record.endedAt, 'number');
      assert.equal(record.durationMs, record.endedAt! - record.startedAt);
      assert.equal(typeof record.rate, 'number');
      assert.ok(record.verification, `${record.source} says how it was checked`);
      assert.match(record.verification.check, /^(size|md5|sha1|sha256|crc32c?|crc64nvme)$/);
      assert.equal(record.deviceId, device.id);
      assert.equal(record.deviceName, device.name);
      assert.equal(record.appVersion, APP_VERSION);
      assert.match(record.id, new RegExp(`^${job.id}:\\d+$`));
      assert.equal(record.errorCode, undefined);
      assert.equal(record.errorMessage, undefined);
    }
  });

  it('a file the skip policy leaves records skipped with the reason', async () => {
    const [src, dst, data] = await folders();
    await writeFile(join(src, 'f.txt'), 'NEW CONTENT');
    await writeFile(join(dst, 'f.txt'), 'old');
    const opened = await openWithHistory(data);
    const job = opened.engine.add({
      source: { connection: localRef(src), path: '/f.txt' },
      target: { connection: localRef(dst), path: '/f.txt' },
      overwrite: 'skip',
    });
    assert.equal((await opened.engine.waitFor(job.id)).filesSkipped, 1);
    const records = recordsOf(opened.history, job.id);
    await opened.close();
    assert.equal(records.length, 1);
    assert.equal(records[0]!.result, 'skipped');
    assert.equal(records[0]!.bytesDone, 0);
    assert.match(records[0]!.errorMessage ?? '', /exists.*skip/i);
    assert.equal(records[0]!.errorCode, undefined);
  });

  it('a job that fails before it finds a file records that failure once, naming its source and target', async () => {
    const [src, dst, data] = await folders();
    const opened = await openWithHistory(data);
    const job = opened.engine.add({
      source: { connection: localRef(src), path: '/no-such-folder' },
      target: { connection: localRef(dst), path: '/copy' },
      recursive: true,
    });
    const final = await opened.engine.waitFor(job.id);
    const records = recordsOf(opened.history, job.id);
    await opened.close();
    assert.equal(final.state, 'failed');
    assert.equal(records.length, 1, JSON.stringify(records));
    assert.equal(records[0]!.id, `${job.id}:job`);
    assert.equal(records[0]!.result, 'failed');
    assert.equal(records[0]!.errorCode, 'NotFound');
    assert.equal(records[0]!.source, join(src, 'no-such-folder'));
    assert.equal(records[0]!.destination, join(dst, 'copy'));
    assert.equal(typeof records[0]!.endedAt, 'number');
  });

  it('a failed file records failed with its error code and message', async () => {
    const [src, dst, data] = await folders();
    await writeRandomFile(join(src, 'ok.bin'), 2000);
    await writeRandomFile(join(src, 'refused.bin'), 2000);
    const named = {
      guarded: async () => {
        const local = await openLocal(src);
        return wrapProvider(local, {
          read: async (path: string, options?: ReadOptions) => {
            if (path.endsWith('refused.bin'))
              throw new FerryError('PermissionDenied', `Permission denied reading ${path}.`);
            return local.read(path, options);
          },
        });
      },
    };
    const opened = await openWithHistory(data, named);
    const job = opened.engine.add({
      source: { connection: { savedId: 'guarded' }, path: '/' },
      target: { connection: localRef(dst), path: '/out' },
      recursive: true,
    });
    const done = await opened.engine.waitFor(job.id);
    const records = recordsOf(opened.history, job.id);
    await opened.close();
    assert.equal(done.filesFailed, 1);
    assert.equal(records.length, 2);
    const failed = records.find((r) => r.source.endsWith('refused.bin'))!;
    assert.equal(failed.result, 'failed');
    assert.equal(failed.errorCode, 'PermissionDenied');
    assert.match(failed.errorMessage ?? '', /Permission denied reading \/refused\.bin/);
    assert.equal(failed.sourceConnection, 'saved guarded', 'a saved connection by its name');
    assert.equal(failed.source, 'saved guarded:/refused.bin');
    assert.equal(typeof failed.endedAt, 'number');
    const ok = records.find((r) => r.source !== failed.source)!;
    assert.equal(ok.result, 'done');
    assert.equal(ok.bytesDone, 2000);
  });

  it('a cancelled job leaves no record running: the files it had started read cancelled', async () => {
    const [src, dst, data] = await folders();
    for (const name of ['one.bin', 'two.bin', 'three.bin']) await writeRandomFile(join(src, name), 2 * 1024 * 1024);
    const reads: ReadLog = { offsets: [], bytes: 0 };
    const opened = await openWithHistory(data, {
      slow: async () => slowReads(await openLocal(src), reads, 64 * 1024, 20),
    });
    const job = opened.engine.add({
      source: { connection: { savedId: 'slow' }, path: '/' },
      target: { connection: localRef(dst), path: '/' },
      recursive: true,
    });
    // The start is in the history (its batch written) while the copy is still running.
    await until(() => opened.history.store.count({ result: 'running' }) > 0, 10_000, 'a record running');
    opened.engine.cancel(job.id);
    const done = await opened.engine.waitFor(job.id);
    const records = recordsOf(opened.history, job.id);
    await opened.close();
    assert.equal(done.state, 'cancelled');
    assert.ok(records.length >= 1);
    assert.deepEqual(
      records.filter((r) => r.result === 'running'),
      [],
      'nothing left running',
    );
    for (const record of records) {
      assert.equal(record.result, 'cancelled', record.id);
      assert.equal(typeof record.endedAt, 'number');
      assert.ok(record.bytesDone < 2 * 1024 * 1024);
    }
  });

  it('an engine closed mid-job and reopened on the same data folder ends with exactly one done record per file', async () => {
    const [src, dst, data] = await folders();
    const FILES = 100;
    for (let i = 0; i < FILES; i++) await writeRandomFile(join(src, `f${String(i).padStart(3, '0')}.bin`), 1500);
    const reads: ReadLog = { offsets: [], bytes: 0 };
    const named = { slow: async () => slowReads(await openLocal(src), reads, 64 * 1024, 20) };
    const request: TransferRequest = {
      source: { connection: { savedId: 'slow' }, path: '/' },
      target: { connection: localRef(dst), path: '/' },
      recursive: true,
    };

    const first = await openWithHistory(data, named, { perSiteConcurrency: 2 });
    const job = first.engine.add(request);
    await until(() => (first.engine.get(job.id)?.filesDone ?? 0) >= 10, 20_000, '10 files done');
    await first.close();

    const second = await openWithHistory(data, named);
    const restored = second.engine.get(job.id);
    assert.equal(restored?.state, 'paused');
    assert.ok((restored?.filesDone ?? 0) < FILES, `closed mid-job (${restored?.filesDone} done)`);
    assert.ok(recordsOf(second.history, job.id).length < FILES, 'some files have no record yet');
    second.engine.resume(job.id);
    const done = await second.engine.waitFor(job.id);
    const records = recordsOf(second.history, job.id);
    await second.close();

    assert.equal(done.state, 'completed');
    assert.equal(records.length, FILES);
    assert.deepEqual(
      records.map((r) => r.id).sort(),
      Array.from({ length: FILES }, (_, seq) => `${job.id}:${seq}`).sort(),
      'ids are jobId:seq, each once',
    );
    assert.deepEqual(
      records.filter((r) => r.result !== 'done' || r.bytesDone !== 1500).map((r) => `${r.id} ${r.result}`),
      [],
    );
    assert.equal(new Set(records.map((r) => r.source)).size, FILES, 'one record per file');
  });

  it('keeps no credential in history.db, its WAL or the records (FTP password, S3 secret key)', async () => {
    const CANARY_FTP = 'ftp-canary-pw-Qz8#Lm2!vR';
    const CANARY_S3 = 's3-canary-secret-K7pX9wT4yB2nV6cJ';
    const FTP_USER = 'history-canary-user';
    const [ftp, s3] = await Promise.all([
      startFtpServer({ user: FTP_USER, password: CANARY_FTP }),
      startS3rver({ buckets: ['canary'], accessKey: { id: 'AKIAHISTORYCANARY01', secret: CANARY_S3 } }),
    ]);
    const [src, dst, data] = await folders();
    // The history in a folder of its own, so the scan reads it alone (the queue's files come and go meanwhile).
    const historyDir = await tempDir('ferry-history-only-');
    dirs.push(historyDir);
    try {
      const secrets: Partial<Record<SecretField, string>> = { password: CANARY_FTP, secretAccessKey: CANARY_S3 };
      const ftpRef: ConnectionRef = { spec: ftpSpecSchema.parse(ftp.spec()), secretsKey: 'canary-ftp' };
      const s3Ref: ConnectionRef = { spec: s3SpecSchema.parse(s3.spec('canary')), secretsKey: 'canary-s3' };
      const local = opener();
      const openConnection: TransferEngineOptions['openConnection'] = async (ref, signal) =>
        'spec' in ref && ref.spec.kind !== 'local'
          ? openProvider(ref.spec, { secrets: async (field) => secrets[field], log })
          : local(ref, signal);
      await writeRandomFile(join(src, 'up', 'one.bin'), 4000);
      await writeRandomFile(join(src, 'up', 'two.bin'), 70_000);
      await mkdir(join(ftp.root, 'clash', 'two.bin'), { recursive: true });

      const history = await openHistory(historyDir, APP_VERSION, log);
      const { engine } = await openEngine(data, {}, { history: history.options, openConnection });
      const run = async (request: TransferRequest) => {
        const job = engine.add({ recursive: true, ...request });
        return engine.waitFor(job.id);
      };
      const side = (connection: ConnectionRef, path: string) => ({ connection, path });
      const results = [
        await run({ source: side(localRef(src), '/up'), target: side(ftpRef, '/up') }),
        await run({ source: side(ftpRef, '/up'), target: side(localRef(dst), '/from-ftp') }),
        await run({ source: side(localRef(src), '/up'), target: side(s3Ref, '/up') }),
        await run({ source: side(s3Ref, '/up'), target: side(localRef(dst), '/from-s3') }),
        await run({ source: side(ftpRef, '/up'), target: side(s3Ref, '/ftp-copy') }),
        await run({
          source: side(s3Ref, '/up/one.bin'),
          target: side(ftpRef, '/up/one.bin'),
          overwrite: 'skip',
          recursive: false,
        }),
        // A failed file too (a folder where it would go): its error goes into the record.
        await run({ source: side(s3Ref, '/up'), target: side(ftpRef, '/clash') }),
      ];
      assert.deepEqual(
        results.map((r) => r.state),
        ['completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'failed'],
      );
      assert.ok(await exists(join(dst, 'from-s3', 'two.bin')));

      const records = [...history.store.all()];
      assert.equal(records.length, 13);
      assert.deepEqual(
        records
          .filter((r) => r.result !== 'done')
          .map((r) => `${r.result} ${r.errorCode ?? ''}`)
          .sort(),
        ['failed AlreadyExists', 'skipped '],
      );
      const ftpLabel = `ftp://${FTP_USER}@127.0.0.1:${ftp.port}`;
      assert.ok(records.some((r) => r.sourceConnection === ftpLabel && r.source === `${ftpLabel}/up/two.bin`));
      assert.ok(records.some((r) => r.destinationConnection === `${s3.endpoint}/canary`));

      // While the store is open its latest pages sit in the WAL: both files are read as they are on disk.
      const files = [join(historyDir, 'history.db'), join(historyDir, 'history.db-wal')];
      assert.ok(await exists(files[1]!), 'the WAL is there to be scanned');
      const scanned = async () =>
        (await scanForCanaries([historyDir], [CANARY_FTP, CANARY_S3, FTP_USER])).filter((hit) =>
          files.includes(hit.file),
        );
      const whileOpen = await scanned();
      // The scan reads these files: the user name (not a secret) is found, so a secret would be too.
      assert.ok(whileOpen.some((hit) => hit.canary === FTP_USER));
      assert.deepEqual(
        whileOpen.filter((hit) => hit.canary !== FTP_USER),
        [],
      );
      const asText = JSON.stringify(records);
      assert.ok(!asText.includes(CANARY_FTP) && !asText.includes(CANARY_S3), 'no secret in the records');

      await engine.close();
      history.close();
      assert.deepEqual(
        (await scanned()).filter((hit) => hit.canary !== FTP_USER),
        [],
        'nor after the WAL is checkpointed into history.db',
      );
    } finally {
      await Promise.all([ftp.stop(), s3.stop()]);
    }
  });
});
