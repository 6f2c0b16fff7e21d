// Replication to Cosmos DB with Entra ID sign-in (issue 17, point 2), in process: the Azure connections' MSAL
// adapter against the local OpenID Connect stub, and @vercel/cosmosdb-server behind a front door that demands
// `type=aad&ver=1.0&sig=<token>` with a token the stub issued and that has not expired (the server itself
// checks no credential; the front door is the judge). The device code is approved at the stub, as a person
// would. What this proves for the app: its replicator only ever signs in silently, and a sign-in that is
// missing or expired shows as status 'error' saying to sign in again, at once, without waiting for anyone.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CosmosClient } from '@azure/cosmos';
import type { HistoryRecord } from '../../shared/history';
import { KeychainCredentialStore } from '../../main/core/credentials';
import { HistoryStore, setDeviceName, type Device } from '../../main/core/history';
import {
  connectRemote,
  cosmosScope,
  disconnectRemote,
  openReplicator,
  readRemoteSettings,
  readReplicationStatus,
  REMOTE_FILE,
  type ReplicationContext,
} from '../../main/core/history/replication';
import type { EntraInteraction } from '../../main/core/providers/azure-blob/msal-credential';
import { COSMOS_TEST_KEY, startCosmosServer, type CosmosTestServer } from '../helpers/cosmos-server';
import { requireKeyring, testKeychainService } from '../helpers/keyring';
import { startOidcStub, type OidcStub } from '../helpers/oidc-stub';
import { scanForCanaries } from '../helpers/scan';
import { until, within } from '../helpers/until';
import { removeDirs, tempDir } from '../transfers/fixtures';

const SIGN_IN_AGAIN =
  /Entra ID sign-in for the history account .* is missing or has expired.*fileferry history remote set --endpoint .* --auth entra --tenant \S+ --client-id \S+/;

describe('history replication to Cosmos DB with Entra ID sign-in', () => {
  let stub: OidcStub;
  let server: CosmosTestServer;
  let credentials: KeychainCredentialStore;
  let reader: CosmosClient;
  const dirs: string[] = [];
  const stores: HistoryStore[] = [];

  before(async () => {
    stub = await startOidcStub();
    server = await startCosmosServer({ acceptToken: (token) => stub.isValidAccessToken(token) });
    credentials = new KeychainCredentialStore(await requireKeyring(), testKeychainService());
    // The test's own reads go past the front door (it would refuse a key).
    reader = server.reader({ direct: true });
  });

  after(async () => {
    for (const store of stores) store.close();
    reader?.dispose();
    await server?.stop();
    await stub?.stop();
    await removeDirs(...dirs);
  });

  async function newDevice(name: string): Promise<ReplicationContext & { device: Device }> {
    const dataDir = await tempDir('ferry-history-entra-');
    dirs.push(dataDir);
    const { store } = await HistoryStore.open(dataDir);
    stores.push(store);
    const device = await setDeviceName(dataDir, name);
    return { dataDir, store, device, credentials };
  }

  function account() {
    const suffix = randomUUID().slice(0, 8);
    return {
      endpoint: server.endpoint,
      database: `db-${suffix}`,
      container: `history-${suffix}`,
      caPem: server.certificate.certPem,
      tenantId: stub.tenantId,
      clientId: stub.clientId,
      authority: stub.authority,
    };
  }

  /** The device-code flow, with the code approved at the stub as soon as it is shown. */
  const approving = (): EntraInteraction => ({
    flow: 'device-code',
    onDeviceCode: (prompt) => stub.approveDeviceCode(prompt.userCode),
    networkClient: stub.networkClient,
  });
  /** What the app gives: MSAL's HTTP client only, no way to sign in. */
  const silentOnly = (): EntraInteraction => ({ networkClient: stub.networkClient });

  function records(device: Device, count: number): HistoryRecord[] {
    const jobId = randomUUID();
    const now = Date.now();
    return Array.from({ length: count }, (_, i) => ({
      id: `${jobId}:${i}`,
      jobId,
      source: `/home/me/doc-${i}.txt`,
      destination: `/backup/doc-${i}.txt`,
      sourceConnection: 'local',
      destinationConnection: 'local',
      size: 10,
      bytesDone: 10,
      startedAt: now,
      endedAt: now + 5,
      durationMs: 5,
      rate: 2000,
      result: 'done' as const,
      deviceId: device.id,
      deviceName: device.name,
      appVersion: '0.1.0',
      updatedAt: now + 5,
    }));
  }

  async function documentCount(target: { database: string; container: string }): Promise<number> {
    const { resources } = await reader
      .database(target.database)
      .container(target.container)
      .items.query<number>('SELECT VALUE COUNT(1) FROM c')
      .fetchAll();
    return resources[0] ?? 0;
  }

  it('asks for the account scope of an emulator and the global Cosmos DB scope on Azure', () => {
    assert.equal(cosmosScope('https://acct.documents.azure.com:443/'), 'https://cosmos.azure.com/.default');
    assert.equal(cosmosScope('https://acct.documents.azure.cn:443/'), 'https://acct.documents.azure.cn/.default');
    assert.equal(cosmosScope('https://127.0.0.1:8081/'), 'https://127.0.0.1:8081/.default');
  });

  it('connects with one device-code sign-in; the replicator then pushes with the cached token, kept in the keychain only', async () => {
    const laptop = await newDevice('laptop');
    laptop.store.write(records(laptop.device, 3));
    const target = account();
    const codes = stub.counts.deviceCode;
    const { settings, queued } = await connectRemote(laptop, target, { entra: approving() });
    assert.equal(queued, 3);
    assert.equal(stub.counts.deviceCode, codes + 1, 'one device code when connecting');
    assert.equal(settings.auth, 'entra');

    const cache = await credentials.get(settings.secretId, 'tokenCache');
    assert.ok(cache, 'the token cache is in the keychain under the account');
    const secrets = Object.values(
      (JSON.parse(cache) as { RefreshToken: Record<string, { secret: string }> }).RefreshToken,
    ).map((entry) => entry.secret);
    assert.equal(secrets.length, 1);
    const saved = await readFile(join(laptop.dataDir, REMOTE_FILE), 'utf8');
    assert.doesNotMatch(saved, /token/i, 'the settings carry no token');

    const replicator = await openReplicator(laptop, { entra: silentOnly() });
    assert.ok(replicator);
    try {
      assert.deepEqual(await replicator.sync(), { pushed: 3, pulled: 0 });
      laptop.store.write(records(laptop.device, 2));
      assert.deepEqual(await replicator.sync(), { pushed: 2, pulled: 0 });
    } finally {
      await replicator.close();
    }
    assert.equal(await documentCount(target), 5);
    assert.equal(stub.counts.deviceCode, codes + 1, 'no further device code');
    assert.equal(server.unauthorized, 0, 'every request carried a token the stub issued');
    assert.deepEqual(await scanForCanaries([laptop.dataDir], secrets), [], 'the refresh token is in no file');

    assert.equal(await disconnectRemote(laptop), true);
    assert.equal(await credentials.get(settings.secretId, 'tokenCache'), undefined, 'rm deletes the token cache');
  });

  it("the app's replicator never starts a sign-in: without a cached one it fails at once, and the status says to sign in again", async () => {
    const laptop = await newDevice('laptop');
    laptop.store.write(records(laptop.device, 1));
    const target = account();
    const { settings } = await connectRemote(laptop, target, { entra: approving() });
    await credentials.delete(settings.secretId, 'tokenCache');
    const codes = stub.counts.deviceCode;

    // No options at all, as service.ts opens it: MSAL would not even be reachable here.
    await assert.rejects(
      within(2000, openReplicator(laptop), 'openReplicator'),
      (error: Error & { code?: string }) => error.code === 'AuthFailed' && SIGN_IN_AGAIN.test(error.message),
    );
    const status = await readReplicationStatus(laptop);
    assert.equal(status.state, 'error');
    assert.match(status.lastError?.message ?? '', SIGN_IN_AGAIN);
    assert.equal(stub.counts.deviceCode, codes, 'no device code was asked for');

    // Signing in again (what the message asks) answers that error: the status no longer shows it.
    await connectRemote(laptop, target, { entra: approving() });
    assert.equal(stub.counts.deviceCode, codes + 1);
    const after = await readReplicationStatus(laptop);
    assert.equal(after.state, 'idle');
    assert.equal(after.lastError, undefined);
    await disconnectRemote(laptop);
  });

  it('an expired sign-in fails the background cycle at once (status error, sign in again, no device code) and the loop recovers after a new sign-in', async () => {
    const laptop = await newDevice('laptop');
    laptop.store.write(records(laptop.device, 2));
    const target = account();
    // Access tokens that are already due for renewal (MSAL renews five minutes ahead), then refresh tokens
    // the identity provider no longer honours: the cached sign-in has expired.
    stub.accessTokenLifetime = 60;
    try {
      await connectRemote(laptop, target, { entra: approving() });
      stub.revokeRefreshTokens();
      const codes = stub.counts.deviceCode;
      const replicator = await openReplicator(laptop, {
        entra: silentOnly(),
        replicator: { pollMs: 20, backoffMs: 50 },
      });
      assert.ok(replicator);
      try {
        replicator.start();
        await until(async () => (await readReplicationStatus(laptop)).state === 'error', 5000, 'status error');
        const status = replicator.status();
        assert.equal(status.state === 'error' || status.state === 'pushing', true);
        assert.equal(status.lastError?.code, 'AuthFailed');
        assert.match(status.lastError?.message ?? '', SIGN_IN_AGAIN);
        assert.equal(status.pending, 2);
        assert.equal(stub.counts.deviceCode, codes, 'the background loop asked for no device code');
        assert.equal(server.unauthorized, 0, 'no request went out without a token');

        // The person signs in again (the command line does this); the running loop picks the new cache up.
        stub.accessTokenLifetime = 3600;
        await connectRemote(laptop, target, { entra: approving() });
        await until(() => replicator.status().lastSuccess !== undefined, 5000, 'a successful cycle');
        assert.equal(laptop.store.pendingCount(), 0, 'the outbox drained');
        assert.equal(replicator.status().state, 'idle');
      } finally {
        await replicator.close();
      }
      assert.equal(await documentCount(target), 2);
    } finally {
      stub.accessTokenLifetime = 3600;
      await disconnectRemote(laptop);
    }
  });

  it('the account refuses a request without an Entra ID token (401), so a key-signed one fails AuthFailed', async () => {
    const laptop = await newDevice('laptop');
    laptop.store.write(records(laptop.device, 1));
    const { endpoint, database, container, caPem } = account();
    await connectRemote(laptop, { endpoint, database, container, caPem }, COSMOS_TEST_KEY);
    assert.equal((await readRemoteSettings(laptop.dataDir))?.auth, 'key');
    const refusedBefore = server.unauthorized;
    const replicator = await openReplicator(laptop);
    assert.ok(replicator);
    try {
      await assert.rejects(replicator.sync(), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'AuthFailed');
        assert.match(error.message, /refused the key \(401\)/);
        return true;
      });
    } finally {
      await replicator.close();
    }
    assert.ok(server.unauthorized > refusedBefore);
    assert.equal(laptop.store.pendingCount(), 1, 'the record stays queued');
    await disconnectRemote(laptop);
  });
});
