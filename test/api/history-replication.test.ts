// The app's replication: with a Cosmos DB account connected to its data folder, the API service (the app and
// web mode) uploads a transfer's records in the background as the job ends, and its history service says so:
// the footer's status (idle, this account, nothing pending) and each row's standing (uploaded).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CosmosClient } from '@azure/cosmos';
import type { HistoryPage, HistoryStatus } from '../../shared/history';
import type { JobSnapshot } from '../../shared/transfers';
import { createApiService } from '../../main/core/api/service';
import type { ApiService, CallContext } from '../../main/core/api/types';
import { ConnectionStore } from '../../main/core/connections';
import { KeychainCredentialStore } from '../../main/core/credentials';
import { HistoryStore, readDevice } from '../../main/core/history';
import { connectRemote } from '../../main/core/history/replication';
import { COSMOS_TEST_KEY, startCosmosServer, type CosmosTestServer } from '../helpers/cosmos-server';
import { requireKeyring, testKeychainService } from '../helpers/keyring';
import { until } from '../helpers/until';
import { removeDirs, tempDir } from '../transfers/fixtures';

const context: CallContext = { emit: () => undefined };

describe('the app replicates its history in the background', () => {
  const dirs: string[] = [];
  let server: CosmosTestServer;
  let service: ApiService;
  let reader: CosmosClient;
  let folder: string;

  before(async () => {
    server = await startCosmosServer();
    const dataDir = await tempDir('ferry-api-replication-');
    folder = await tempDir('ferry-api-replication-files-');
    dirs.push(dataDir, folder);
    const credentials = new KeychainCredentialStore(await requireKeyring(), testKeychainService());
    // Connected beforehand, as `fileferry history remote set` does.
    const { store } = await HistoryStore.open(dataDir);
    const endpoint = {
      endpoint: server.endpoint,
      database: 'app',
      container: 'history',
      caPem: server.certificate.certPem,
    };
    await connectRemote({ dataDir, store, device: await readDevice(dataDir), credentials }, endpoint, COSMOS_TEST_KEY);
    store.close();
    const connections = new ConnectionStore({ dataDir, credentials });
    service = await createApiService({ dataDir, version: '9.9.9', shell: 'web', connections });
    reader = server.reader();
  });
  after(async () => {
    await service?.close();
    reader?.dispose();
    await server?.stop();
    await removeDirs(...dirs);
  });

  it('uploads a finished job’s records without being asked, and the status and rows say so', async () => {
    await writeFile(join(folder, 'budget.xlsx'), 'numbers');
    const local = { spec: { kind: 'local' } };
    const job = (await service.call(
      'transfers.add',
      {
        source: { connection: local, path: join(folder, 'budget.xlsx') },
        target: { connection: local, path: join(folder, 'budget copy.xlsx') },
      },
      context,
    )) as JobSnapshot;

    const documents = async () => {
      const { resources } = await reader
        .database('app')
        .container('history')
        .items.query<{ id: string; source: string }>('SELECT c.id, c.source FROM c')
        .fetchAll()
        .catch(() => ({ resources: [] as Array<{ id: string; source: string }> }));
      return resources;
    };
    await until(async () => (await documents()).length === 1, 20_000, 'the record in the account');
    const [document] = await documents();
    assert.equal(document!.source, join(folder, 'budget.xlsx'));
    assert.match(document!.id, new RegExp(job.id));

    // The cycle that uploaded it goes on to pull the other devices' records (state "pushing") before it is idle.
    await until(
      async () => {
        const { replication } = (await service.call('history.status', undefined, context)) as HistoryStatus;
        return replication.pending === 0 && replication.state === 'idle';
      },
      10_000,
      'nothing pending, and the cycle over',
    );
    const status = (await service.call('history.status', undefined, context)) as HistoryStatus;
    assert.equal(status.replication.state, 'idle');
    assert.equal(status.replication.endpoint, server.endpoint);
    assert.equal(typeof status.replication.lastSuccess, 'number');
    const page = (await service.call('history.query', {}, context)) as HistoryPage;
    assert.deepEqual(
      page.records.map((record) => record.replication),
      ['replicated'],
    );
  });
});
