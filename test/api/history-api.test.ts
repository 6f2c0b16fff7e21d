// The API's `history` service as any transport drives it: a transfer made through the API is in its pages (with
// the count and each row's standing with the account), the status names this device, exports land in the
// Downloads folder without ever replacing a file there, a shorter retention applies at once, and arguments
// outside the schema are refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { HistoryExported, HistoryPage, HistoryStatus } from '../../shared/history';
import type { JobSnapshot } from '../../shared/transfers';
import { createApiService } from '../../main/core/api/service';
import { ApiCallError, type ApiService, type CallContext } from '../../main/core/api/types';
import { ConnectionStore } from '../../main/core/connections';
import { SessionCredentialStore } from '../../main/core/credentials';
import { HistoryStore } from '../../main/core/history';
import { until } from '../helpers/until';
import { removeDirs, tempDir } from '../transfers/fixtures';

const context: CallContext = { emit: () => undefined };

describe('the API’s history service', () => {
  const dirs: string[] = [];
  let service: ApiService;
  let dataDir: string;
  let source: string;
  let target: string;

  before(async () => {
    dataDir = await tempDir('ferry-api-history-');
    source = await tempDir('ferry-api-history-src-');
    target = await tempDir('ferry-api-history-dst-');
    dirs.push(dataDir, source, target);
    const connections = new ConnectionStore({ dataDir, credentials: new SessionCredentialStore('test') });
    service = await createApiService({ dataDir, version: '9.9.9', shell: 'web', connections });
  });
  after(async () => {
    await service?.close();
    await removeDirs(...dirs);
  });

  it('pages the records of a transfer made through the API, counts them, and names this device', async () => {
    await writeFile(join(source, 'ledger.csv'), 'a,b\n1,2\n');
    const local = { spec: { kind: 'local' } };
    const job = (await service.call(
      'transfers.add',
      {
        source: { connection: local, path: join(source, 'ledger.csv') },
        target: { connection: local, path: join(target, 'ledger.csv') },
      },
      context,
    )) as JobSnapshot;
    await until(
      async () =>
        ((await service.call('transfers.list', undefined, context)) as JobSnapshot[]).find((j) => j.id === job.id)
          ?.state === 'completed',
      10_000,
      'the copy to complete',
    );

    const page = (await service.call('history.query', { text: 'ledger' }, context)) as HistoryPage;
    assert.equal(page.total, 1);
    assert.equal(page.records.length, 1);
    const [record] = page.records;
    assert.equal(record!.source, join(source, 'ledger.csv'));
    assert.equal(record!.result, 'done');
    assert.equal(record!.bytesDone, 8);
    assert.equal(record!.appVersion, '9.9.9');
    assert.equal(record!.replication, 'local', 'no account: kept on this device');

    assert.equal(await service.call('history.count', { text: 'ledger' }, context), 1);
    assert.equal(await service.call('history.count', { text: 'no such name' }, context), 0);
    const none = (await service.call('history.query', { result: 'failed' }, context)) as HistoryPage;
    assert.deepEqual([none.total, none.records.length], [0, 0]);

    const status = (await service.call('history.status', undefined, context)) as HistoryStatus;
    assert.equal(status.records, 1);
    assert.equal(status.device.id, record!.deviceId);
    assert.equal(status.replication.state, 'off');
  });

  it('exports into the Downloads folder, a new file each time', async () => {
    const first = (await service.call('history.export', { filter: {}, format: 'csv' }, context)) as HistoryExported;
    const second = (await service.call('history.export', { filter: {}, format: 'csv' }, context)) as HistoryExported;
    const json = (await service.call('history.export', { filter: {}, format: 'json' }, context)) as HistoryExported;
    assert.equal(join(first.path, '..'), join(homedir(), 'Downloads'));
    assert.notEqual(first.path, second.path);
    for (const exported of [first, second]) {
      assert.equal(exported.records, 1);
      const lines = (await readFile(exported.path, 'utf8')).trim().split('\r\n');
      assert.equal(lines.length, 2);
      assert.match(lines[1]!, /ledger\.csv/);
    }
    const parsed = JSON.parse(await readFile(json.path, 'utf8')) as Array<{ source: string }>;
    assert.deepEqual(
      parsed.map((r) => r.source),
      [join(source, 'ledger.csv')],
    );
  });

  it('a shorter retention set in the settings removes older records at once', async () => {
    // An old record, written as another process would (the command line a while ago).
    const { store } = await HistoryStore.open(dataDir);
    const old = Date.now() - 10 * 86_400_000;
    store.write([
      {
        id: 'old-job:0',
        jobId: 'old-job',
        source: '/old/report.txt',
        destination: '/copy/report.txt',
        sourceConnection: 'local',
        destinationConnection: 'local',
        bytesDone: 5,
        startedAt: old,
        endedAt: old + 10,
        result: 'done',
        deviceId: 'another-device',
        deviceName: 'old laptop',
        appVersion: '0.0.1',
        updatedAt: old + 10,
      },
    ]);
    store.close();
    const before = (await service.call('history.query', {}, context)) as HistoryPage;
    assert.ok(before.records.some((record) => record.id === 'old-job:0'));

    await service.call('settings.set', { historyRetentionDays: 7 }, context);
    const after = (await service.call('history.query', {}, context)) as HistoryPage;
    assert.ok(!after.records.some((record) => record.id === 'old-job:0'), 'the 10-day-old record is gone');
    assert.ok(
      after.records.some((record) => record.source.endsWith('ledger.csv')),
      'today’s record is kept',
    );
    await service.call('settings.set', { historyRetentionDays: null }, context);
  });

  it('refuses arguments outside the schema with InvalidInput', async () => {
    for (const [method, arg] of [
      ['history.query', { limit: 5000 }],
      ['history.query', { result: 'bogus' }],
      ['history.query', { text: 'x', extra: true }],
      ['history.query', { since: -1 }],
      ['history.count', { limit: 5 }],
      ['history.export', { filter: {}, format: 'xml' }],
      ['history.export', { filter: { device: '' }, format: 'csv' }],
    ] as const) {
      await assert.rejects(
        service.call(method, arg, context),
        (error) => error instanceof ApiCallError && error.error.code === 'InvalidInput',
        `${method} ${JSON.stringify(arg)}`,
      );
    }
  });
});
