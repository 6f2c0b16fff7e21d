// Replication of the history to Cosmos DB, against @vercel/cosmosdb-server on 127.0.0.1 (test/helpers/
// cosmos-server.ts: our own certificate, trusted as a private CA; a front door that can go offline or
// throttle). Each test uses its own container; each "device" is a data folder of its own, as in real use.
import { after, before, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { CosmosClient } from '@azure/cosmos';
import type { HistoryRecord } from '../../shared/history';
import type { Logger } from '../../main/core/log/logger';
import { KeychainCredentialStore } from '../../main/core/credentials';
import { HistoryStore, setDeviceName, type Device } from '../../main/core/history';
import {
  connectRemote,
  disconnectRemote,
  openReplicator,
  pushAfterRun,
  readReplicationStatus,
  type ReplicationContext,
} from '../../main/core/history/replication';
import { COSMOS_TEST_KEY, startCosmosServer, type CosmosTestServer } from '../helpers/cosmos-server';
import { requireKeyring, testKeychainService } from '../helpers/keyring';
import { scanForCanaries } from '../helpers/scan';
import { until } from '../helpers/until';
import { removeDirs, tempDir } from '../transfers/fixtures';

const T0 = Date.UTC(2026, 11, 1);

interface TestDevice extends ReplicationContext {
  device: Device;
}

describe('history replication to Cosmos DB', () => {
  let server: CosmosTestServer;
  let credentials: KeychainCredentialStore;
  let reader: CosmosClient;
  const dirs: string[] = [];
  const stores: HistoryStore[] = [];

  before(async () => {
    server = await startCosmosServer();
    credentials = new KeychainCredentialStore(await requireKeyring(), testKeychainService());
    reader = server.reader();
  });

  after(async () => {
    for (const store of stores) store.close();
    reader?.dispose();
    await server?.stop();
    await removeDirs(...dirs);
  });

  async function newDevice(name: string): Promise<TestDevice> {
    const dataDir = await tempDir('ferry-history-device-');
    dirs.push(dataDir);
    const { store } = await HistoryStore.open(dataDir);
    stores.push(store);
    const device = await setDeviceName(dataDir, name);
    return { dataDir, store, device, credentials };
  }

  /** A fresh database and container for one test, so tests never see each other's documents. */
  function account(): { endpoint: string; database: string; container: string; caPem: string } {
    const suffix = randomUUID().slice(0, 8);
    return {
      endpoint: server.endpoint,
      database: `db-${suffix}`,
      container: `history-${suffix}`,
      caPem: server.certificate.certPem,
    };
  }

  function records(
    device: TestDevice,
    count: number,
    from = 0,
    overrides: Partial<HistoryRecord> = {},
  ): HistoryRecord[] {
    const jobId = randomUUID();
    return Array.from({ length: count }, (_, i) => ({
      id: `${jobId}:${from + i}`,
      jobId,
      source: `/home/me/photos/img-${from + i}.jpg`,
      destination: `ftp://me@files.example.com/backup/img-${from + i}.jpg`,
      sourceConnection: 'local',
      destinationConnection: 'ftp://me@files.example.com',
      size: 1000 + i,
      bytesDone: 1000 + i,
      startedAt: T0 + i * 1000,
      endedAt: T0 + i * 1000 + 500,
      durationMs: 500,
      rate: 2000,
      result: 'done' as const,
      verification: { check: 'sha256', value: 'ab'.repeat(32) },
      deviceId: device.device.id,
      deviceName: device.device.name,
      appVersion: '0.1.0',
      updatedAt: T0 + i * 1000 + 500,
      ...overrides,
    }));
  }

  async function documents(target: { database: string; container: string }): Promise<Array<Record<string, unknown>>> {
    const { resources } = await reader
      .database(target.database)
      .container(target.container)
      .items.query<Record<string, unknown>>('SELECT * FROM c')
      .fetchAll();
    return resources;
  }

  async function sync(device: TestDevice) {
    const replicator = await openReplicator(device);
    assert.ok(replicator, 'an account is connected');
    try {
      return await replicator.sync();
    } finally {
      await replicator.close();
    }
  }

  it('uploads the history recorded before the account was connected and after, one document per record, without any credential', async () => {
    const laptop = await newDevice('laptop');
    const earlier = records(laptop, 30);
    laptop.store.write(earlier);
    assert.equal(laptop.store.pendingCount(), 0, 'no outbox before an account is connected');
    assert.equal((await readReplicationStatus(laptop)).state, 'off');

    const target = account();
    const { queued } = await connectRemote(laptop, target, COSMOS_TEST_KEY);
    assert.equal(queued, 30, 'every record from before the account is queued');
    const later = records(laptop, 20);
    laptop.store.write(later);
    assert.equal(laptop.store.pendingCount(), 50);

    const first = await sync(laptop);
    assert.deepEqual(first, { pushed: 50, pulled: 0 });
    assert.equal(laptop.store.pendingCount(), 0, 'the outbox is empty once everything went up');
    const docs = await documents(target);
    assert.equal(docs.length, 50);
    assert.deepEqual(
      docs.map((doc) => doc.id).sort(),
      [...earlier, ...later].map((record) => record.id).sort(),
      'document ids are the record ids',
    );
    assert.ok(docs.every((doc) => doc.deviceId === laptop.device.id && doc.deviceName === 'laptop'));
    const sample = docs.find((doc) => doc.id === earlier[3]!.id)!;
    assert.equal(sample.source, earlier[3]!.source);
    assert.deepEqual(sample.verification, earlier[3]!.verification);

    assert.equal(
      (await connectRemote(laptop, target, COSMOS_TEST_KEY)).queued,
      0,
      'the same account again: nothing re-queued',
    );
    const again = await sync(laptop);
    assert.deepEqual(again, { pushed: 0, pulled: 0 }, 'nothing pending: nothing uploaded twice');
    assert.equal((await documents(target)).length, 50);

    const status = await readReplicationStatus(laptop);
    assert.equal(status.state, 'idle');
    assert.equal(status.pending, 0);
    assert.equal(status.endpoint, server.endpoint);
    assert.ok(status.lastSuccess !== undefined && status.lastSuccess >= Date.now() - 60_000);

    // Canary: the key is in no document and in no file of the data folder (history.db, its WAL, the settings).
    assert.ok(!JSON.stringify(docs).includes(COSMOS_TEST_KEY), 'no key in any document');
    assert.deepEqual(await scanForCanaries([laptop.dataDir], [COSMOS_TEST_KEY]), []);
    assert.equal(
      await credentials.get(JSON.parse(await readSettings(laptop.dataDir)).secretId, 'accountKey'),
      COSMOS_TEST_KEY,
    );
  });

  it("a second device pulls the first's records into its history (not into its outbox); a newer record wins", async () => {
    const laptop = await newDevice('laptop');
    const desktop = await newDevice('desktop');
    const target = account();
    const laptopRecords = records(laptop, 10);
    const desktopRecords = records(desktop, 5);
    laptop.store.write(laptopRecords);
    desktop.store.write(desktopRecords);
    await connectRemote(laptop, target, COSMOS_TEST_KEY);
    await connectRemote(desktop, target, COSMOS_TEST_KEY);

    assert.deepEqual(await sync(laptop), { pushed: 10, pulled: 0 });
    assert.deepEqual(await sync(desktop), { pushed: 5, pulled: 10 });
    assert.deepEqual(await sync(laptop), { pushed: 0, pulled: 5 });
    assert.equal((await documents(target)).length, 15, 'pulled records are never uploaded again');

    for (const { store } of [laptop, desktop]) {
      const merged = store.query({ limit: 100 }).records;
      assert.equal(merged.length, 15);
      assert.deepEqual(new Set(merged.map((record) => record.deviceName)), new Set(['laptop', 'desktop']));
      assert.equal(store.count({ device: 'laptop' }), 10);
      assert.equal(store.count({ device: desktop.device.id }), 5);
      assert.equal(store.pendingCount(), 0);
    }
    const pulled = desktop.store
      .query({ device: 'laptop', limit: 100 })
      .records.find((r) => r.id === laptopRecords[0]!.id);
    assert.deepEqual(pulled, laptopRecords[0], 'a pulled record is the record, field for field');

    // The laptop rewrites one record (a retry that now failed): the newer version replaces the desktop's copy.
    const changed = {
      ...laptopRecords[2]!,
      result: 'failed' as const,
      errorCode: 'Network',
      errorMessage: 'reset',
      updatedAt: Date.now(),
    };
    laptop.store.write([changed]);
    assert.deepEqual(await sync(laptop), { pushed: 1, pulled: 0 });
    assert.deepEqual(await sync(desktop), { pushed: 0, pulled: 1 });
    const seen = desktop.store.query({ device: 'laptop', result: 'failed' }).records;
    assert.deepEqual(
      seen.map((r) => [r.id, r.errorMessage]),
      [[changed.id, 'reset']],
    );
    // An older copy arriving late never overwrites the newer one.
    assert.equal(desktop.store.merge([laptopRecords[2]!]), 0);
    assert.equal(desktop.store.query({ device: 'laptop', result: 'failed' }).records.length, 1);
  });

  it('keeps recording while the account is offline, and drains the grown outbox to exactly one document per record when it is back', async () => {
    const laptop = await newDevice('laptop');
    const target = account();
    await connectRemote(laptop, target, COSMOS_TEST_KEY);
    const replicator = (await openReplicator(laptop, { replicator: { pollMs: 50, backoffMs: 50, pullEveryMs: 200 } }))!;
    replicator.start();
    try {
      const first = records(laptop, 5);
      laptop.store.write(first);
      await until(() => laptop.store.pendingCount() === 0, 10_000, 'the first records to go up');

      await server.goOffline();
      const written: HistoryRecord[] = [...first];
      for (let round = 0; round < 4; round++) {
        const batch = records(laptop, 25, round * 25);
        laptop.store.write(batch);
        written.push(...batch);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await until(() => replicator.status().state === 'offline', 10_000, 'the status to say offline');
      assert.equal(laptop.store.pendingCount(), 100, 'the outbox grew while the account was away');
      const offline = replicator.status();
      assert.equal(offline.lastError?.code, 'Network');
      assert.match(offline.lastError?.message ?? '', /cannot be reached/);

      await server.goOnline();
      await until(() => laptop.store.pendingCount() === 0, 30_000, 'the outbox to drain');
      await until(() => replicator.status().state === 'idle', 10_000, 'the status to say idle');
      const docs = await documents(target);
      assert.equal(docs.length, written.length, 'exactly one document per record');
      assert.deepEqual(docs.map((doc) => doc.id).sort(), written.map((r) => r.id).sort());
    } finally {
      await server.goOnline();
      await replicator.close();
    }
  });

  it('waits out 429 throttling as the account asks (five times) and ends with one document', async () => {
    const laptop = await newDevice('laptop');
    const target = account();
    const [only] = records(laptop, 1);
    laptop.store.write([only!]);
    await connectRemote(laptop, target, COSMOS_TEST_KEY);
    const waits: unknown[] = [];
    const replicator = (await openReplicator({ ...laptop, log: capturing(waits) }))!;
    try {
      // Created first, so only the record's upserts meet the throttling.
      await replicator.sync();
      only!.updatedAt = Date.now();
      only!.bytesDone = 5;
      laptop.store.write([only!]);
      const before = server.throttled;
      const upserts = () =>
        server.requests.filter((line) => line === `POST /dbs/${target.database}/colls/${target.container}/docs`).length;
      const upsertsBefore = upserts();
      server.throttle(5, 300, /^POST \/dbs\/[^/]+\/colls\/[^/]+\/docs$/);
      const started = Date.now();
      const result = await replicator.sync();
      const waited = Date.now() - started;
      assert.equal(server.throttled - before, 5, 'five 429s were answered');
      assert.equal(result.pushed, 1);
      assert.ok(waited >= 5 * 300 - 50, `waited ${waited} ms, at least the 5 × 300 ms asked for`);
      assert.equal(upserts() - upsertsBefore, 6, 'five refused upserts and the one that went through');
      // The replicator's own waits (the SDK's retries are off): it saw each 429 and the time it asked for.
      assert.deepEqual(waits, Array(5).fill({ retryAfterMs: 300 }));
      const docs = await documents(target);
      assert.equal(docs.length, 1);
      assert.equal(docs[0]!.bytesDone, 5, 'the record as it was last written');
      assert.equal(laptop.store.pendingCount(), 0);
      assert.equal(replicator.status().state, 'idle');
    } finally {
      await replicator.close();
    }
  });

  it('a replicator killed with SIGKILL mid-drain and started again loses no record and duplicates none', async () => {
    const laptop = await newDevice('laptop');
    const target = account();
    const all = records(laptop, 300);
    laptop.store.write(all);
    await connectRemote(laptop, target, COSMOS_TEST_KEY);
    const upserts = () =>
      server.requests.filter((line) => line === `POST /dbs/${target.database}/colls/${target.container}/docs`).length;

    server.delay(15);
    const child = startReplicatorChild(laptop.dataDir);
    try {
      // 65: in the middle of a batch of 10 (see replication-child.ts), not between two.
      await until(() => upserts() >= 65, 30_000, 'the child to be mid-drain');
      child.process.kill('SIGKILL');
      await child.exited;
    } finally {
      server.delay(0);
    }
    const left = laptop.store.pendingCount();
    const docsAtKill = (await documents(target)).length;
    assert.ok(left > 0 && docsAtKill < 300, `killed mid-drain (${docsAtKill} documents, ${left} pending)`);
    assert.ok(docsAtKill + left >= 300, 'every record is either uploaded or still in the outbox');

    const rerun = startReplicatorChild(laptop.dataDir);
    assert.equal(await rerun.exited, 0, rerun.output());
    assert.match(rerun.output(), /^pushed \d+/m);
    assert.equal(laptop.store.pendingCount(), 0);
    const docs = await documents(target);
    const ids = docs.map((doc) => String(doc.id));
    assert.equal(new Set(ids).size, ids.length, 'no id twice');
    assert.deepEqual(ids.sort(), all.map((r) => r.id).sort(), 'every record, once');
  });

  it('a record written again while its upload is in flight stays queued, even within the same millisecond', async () => {
    const laptop = await newDevice('laptop');
    await connectRemote(laptop, account(), COSMOS_TEST_KEY);
    const [record] = records(laptop, 1);
    // Both writes in one millisecond, as a fast machine does them.
    const clock = mock.method(Date, 'now', () => T0);
    try {
      laptop.store.write([record!]);
      const inFlight = laptop.store.outboxBatch(10);
      assert.equal(inFlight.length, 1);
      // The engine ends the file while its start is being uploaded: same id, written again at once.
      laptop.store.write([{ ...record!, result: 'failed', updatedAt: record!.updatedAt + 1 }]);
      laptop.store.acknowledge(inFlight);
    } finally {
      clock.mock.restore();
    }
    assert.equal(laptop.store.pendingCount(), 1, 'the newer version still has to go up');
    assert.equal(laptop.store.outboxBatch(10)[0]!.record?.result, 'failed');
  });

  it("pushAfterRun (a command line's end) pushes what is pending within its time, and leaves the rest when it runs out", async () => {
    const laptop = await newDevice('laptop');
    const history = { store: laptop.store, device: laptop.device };
    const options = { dataDir: laptop.dataDir, credentials, timeoutMs: 5000 };
    laptop.store.write(records(laptop, 3));
    assert.equal(await pushAfterRun(history, options), undefined, 'no account: nothing to do');

    const target = account();
    await connectRemote(laptop, target, COSMOS_TEST_KEY);
    laptop.store.write(records(laptop, 4));
    const done = await pushAfterRun(history, options);
    assert.deepEqual(done, { pushed: 7, pending: 0 });
    assert.equal((await documents(target)).length, 7);

    // A slow account: the push stops at its time limit, and what is left waits in the outbox.
    laptop.store.write(records(laptop, 40));
    server.delay(400);
    try {
      const started = Date.now();
      const cut = await pushAfterRun(history, { ...options, timeoutMs: 1000 });
      const took = Date.now() - started;
      assert.ok(took < 3000, `stopped at its time limit (${took} ms)`);
      assert.ok(cut && cut.pending > 0 && cut.pushed < 40, JSON.stringify(cut));
      assert.equal(cut.pending, laptop.store.pendingCount());
    } finally {
      server.delay(0);
    }
    // Offline: it says why and changes nothing.
    await server.goOffline();
    try {
      const offline = await pushAfterRun(history, options);
      assert.equal(offline?.pushed, 0);
      assert.match(offline?.error?.message ?? '', /cannot be reached/);
    } finally {
      await server.goOnline();
    }
    assert.equal((await pushAfterRun(history, options))?.pending, 0, 'the next run takes the rest');
    assert.equal((await documents(target)).length, 47);
  });

  it('disconnecting turns replication off, forgets pending uploads and deletes the key', async () => {
    const laptop = await newDevice('laptop');
    laptop.store.write(records(laptop, 3));
    await connectRemote(laptop, account(), COSMOS_TEST_KEY);
    const { secretId } = JSON.parse(await readSettings(laptop.dataDir)) as { secretId: string };
    assert.equal(laptop.store.pendingCount(), 3);
    assert.equal(await disconnectRemote(laptop), true);
    assert.equal(laptop.store.pendingCount(), 0);
    assert.equal(await credentials.get(secretId, 'accountKey'), undefined);
    assert.equal((await readReplicationStatus(laptop)).state, 'off');
    laptop.store.write(records(laptop, 2));
    assert.equal(laptop.store.pendingCount(), 0, 'records written after are not queued');
    assert.equal(await openReplicator(laptop), undefined);
  });
});

/** A logger that keeps the replicator's "waiting as it asked" lines' fields. */
function capturing(waits: unknown[]): Logger {
  const log: Logger = {
    debug: () => {},
    info: (message, fields) => {
      if (/throttling/.test(message)) waits.push(fields);
    },
    warn: () => {},
    error: () => {},
    child: () => log,
  };
  return log;
}

async function readSettings(dataDir: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(join(dataDir, 'history-remote.json'), 'utf8');
}

/** The replicator in a process of its own (replication-child.ts), as the app or a command line runs it. */
function startReplicatorChild(dataDir: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'replication-child.ts'), dataDir],
    {
      env: { ...process.env, FILEFERRY_SECRET: COSMOS_TEST_KEY },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { process: child, exited, output: () => output };
}
