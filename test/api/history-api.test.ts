// The API's `history` service as any transport drives it: a transfer made through the API is in its pages (with
// the count and each row's standing with the account), the status names this device, exports land in the
// Downloads folder without ever replacing a file there, and arguments outside the schema are refused.
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
import { until } from '../helpers/until';
import { removeDirs, tempDir } from '../transfers/fixtures';

const context: CallContext = { emit: () => undefined };

describe('the API’s history service', () => {
  const dirs: string[] = [];
  let service: ApiService;
  let source: string;
  let target: string;

  before(async () => {
    const dataDir = await tempDir('ferry-api-history-');
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

  it('refuses arguments outside the schema with InvalidInput', async () => {
    for (const [method, arg] of [
      ['history.query', { limit: 5000 }],
      ['history.query', { result: 'bogus' }],
      ['history.query', { text: 'x', extra: true }],
      ['history.query', { since: -1 }],
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
