// `fileferry history remote set|show|rm` and `history sync` through the real command (issue 17, point 4),
// against @vercel/cosmosdb-server on 127.0.0.1 with its own certificate (trusted with FILEFERRY_CA_FILE, as
// for FTPS): two data folders are two devices; each copies a file, connects the same account and syncs, and
// then lists both devices' records. The key never lands in a file of either data folder (canary).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HistoryRecord } from '../../shared/history';
import { COSMOS_TEST_KEY, startCosmosServer, type CosmosTestServer } from '../helpers/cosmos-server';
import { scanForCanaries } from '../helpers/scan';
import { expectExit, runCli, type CliEnv } from './run-cli';

describe('fileferry history remote and history sync', () => {
  let server: CosmosTestServer;
  let work: string;
  let env: CliEnv;

  before(async () => {
    server = await startCosmosServer();
    work = await mkdtemp(path.join(tmpdir(), 'ferry-history-remote-e2e-'));
    env = { FILEFERRY_CA_FILE: server.certificate.certPath };
  });

  after(async () => {
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** A data folder (one device) named `name`, with one local copy recorded in its history. */
  async function deviceWithACopy(name: string): Promise<string> {
    const home = path.join(work, name);
    const source = path.join(work, `${name}-source.txt`);
    await mkdir(home, { recursive: true });
    await writeFile(source, `made on ${name}\n`);
    expectExit(await runCli(home, ['history', 'device', name]), 0);
    expectExit(await runCli(home, ['cp', source, path.join(work, `${name}-copy.txt`)]), 0);
    return home;
  }

  async function listed(home: string): Promise<HistoryRecord[]> {
    const result = await runCli(home, ['history', '--json']);
    expectExit(result, 0);
    return JSON.parse(result.stdout) as HistoryRecord[];
  }

  it('connects two data folders to one account; each sync says how many went each way; each lists both devices', async () => {
    const laptop = await deviceWithACopy('laptop');
    const desktop = await deviceWithACopy('desktop');
    const remote = ['--endpoint', server.endpoint, '--database', 'cli', '--container', 'history'];

    for (const home of [laptop, desktop]) {
      const set = await runCli(home, ['history', 'remote', 'set', ...remote], {
        ...env,
        FILEFERRY_SECRET: COSMOS_TEST_KEY,
      });
      expectExit(set, 0);
      assert.match(
        set.stdout,
        /History replicates to https:\/\/127\.0\.0\.1:\d+\/ \(database cli, container history\)/,
      );
      assert.match(set.stdout, /1 record of this device queued to upload/, 'the copy made before connecting');
    }

    // No FILEFERRY_SECRET from here on: the key comes from the keychain.
    const first = await runCli(laptop, ['history', 'sync'], env);
    expectExit(first, 0);
    assert.match(first.stdout, /Uploaded 1 record of this device; brought in 0 records of other devices\./);
    const second = await runCli(desktop, ['history', 'sync'], env);
    expectExit(second, 0);
    assert.match(second.stdout, /Uploaded 1 record of this device; brought in 1 record of other devices\./);
    const third = await runCli(laptop, ['history', 'sync', '--json'], env);
    expectExit(third, 0);
    assert.deepEqual(JSON.parse(third.stdout), { pushed: 0, pulled: 1, pending: 0 });

    for (const home of [laptop, desktop]) {
      const records = await listed(home);
      assert.deepEqual(records.map((record) => record.deviceName).sort(), ['desktop', 'laptop']);
      assert.deepEqual(records.map((record) => path.basename(record.destination)).sort(), [
        'desktop-copy.txt',
        'laptop-copy.txt',
      ]);
      assert.ok(records.every((record) => record.result === 'done'));
    }

    const show = await runCli(laptop, ['history', 'remote', 'show'], env);
    expectExit(show, 0);
    assert.match(show.stdout, /^state {9}idle$/m);
    assert.match(show.stdout, /^pending {7}0 records to upload$/m);
    assert.match(show.stdout, /^this device {3}laptop \(/m);
    const shown = await runCli(desktop, ['history', 'remote', 'show', '--json'], env);
    expectExit(shown, 0);
    const status = JSON.parse(shown.stdout) as {
      account: { endpoint: string; privateCa: boolean };
      status: { state: string };
    };
    assert.equal(status.account.endpoint, server.endpoint);
    assert.equal(status.account.privateCa, true);
    assert.equal(status.status.state, 'idle');

    // Once connected, a copy uploads its own records as it ends: the other device brings them in, no sync needed
    // on this side.
    const later = path.join(work, 'later.txt');
    await writeFile(later, 'copied once connected\n');
    const copied = await runCli(laptop, ['cp', later, path.join(work, 'later-copy.txt')], env);
    expectExit(copied, 0);
    assert.doesNotMatch(copied.stderr, /not uploaded/);
    const pulled = await runCli(desktop, ['history', 'sync', '--json'], env);
    expectExit(pulled, 0);
    assert.deepEqual(JSON.parse(pulled.stdout), { pushed: 0, pulled: 1, pending: 0 });
    assert.ok((await listed(desktop)).some((record) => path.basename(record.destination) === 'later-copy.txt'));

    // Canary: the key is in no file of either data folder (settings, history.db and its WAL, the logs).
    assert.deepEqual(await scanForCanaries([laptop, desktop], [COSMOS_TEST_KEY]), []);
    assert.ok(!show.stdout.includes(COSMOS_TEST_KEY) && !shown.stdout.includes(COSMOS_TEST_KEY));
  });

  it('history sync exits 1 with the reason when the account cannot be reached, and show then says offline', async () => {
    const home = await deviceWithACopy('traveller');
    expectExit(
      await runCli(home, ['history', 'remote', 'set', '--endpoint', server.endpoint, '--database', 'cli-offline'], {
        ...env,
        FILEFERRY_SECRET: COSMOS_TEST_KEY,
      }),
      0,
    );
    await server.goOffline();
    try {
      const sync = await runCli(home, ['history', 'sync'], env);
      expectExit(sync, 1);
      assert.match(
        sync.stderr,
        /the Cosmos DB account at https:\/\/127\.0\.0\.1:\d+\/ cannot be reached \(ECONN(REFUSED|RESET)\)/,
      );
      const show = await runCli(home, ['history', 'remote', 'show'], env);
      assert.match(show.stdout, /^state {9}offline$/m);
      assert.match(show.stdout, /^pending {7}1 record to upload$/m);
      assert.match(show.stdout, /^last error {4}.*Network: .*cannot be reached/m);
    } finally {
      await server.goOnline();
    }
    const sync = await runCli(home, ['history', 'sync'], env);
    expectExit(sync, 0);
    assert.match(sync.stdout, /Uploaded 1 record of this device/);
  });

  it('refuses a key on the command line and a non-https endpoint; rm disconnects and removes the key', async () => {
    const home = path.join(work, 'strict');
    const fresh = await runCli(home, ['history', 'remote', 'show']);
    expectExit(fresh, 0);
    assert.match(fresh.stdout, /No history account is set/);
    assert.deepEqual(
      (await readdir(home).catch(() => [])).filter((name) => /history\.db|device\.json/.test(name)),
      [],
      'looking makes no history and no device',
    );
    const typedKey = 'typed-key-canary-7f3a9c';
    const keyFlag = await runCli(home, ['history', 'remote', 'set', '--endpoint', server.endpoint, '--key', typedKey]);
    expectExit(keyFlag, 2);
    assert.deepEqual(await scanForCanaries([home], [typedKey]), [], 'a key typed on the command line is not logged');
    const plain = await runCli(home, ['history', 'remote', 'set', '--endpoint', 'http://127.0.0.1:1/'], {
      FILEFERRY_SECRET: COSMOS_TEST_KEY,
    });
    expectExit(plain, 2);
    assert.match(plain.stderr, /https:\/\//);
    const entra = await runCli(home, ['history', 'remote', 'set', '--endpoint', server.endpoint, '--auth', 'entra']);
    expectExit(entra, 2);
    assert.match(entra.stderr, /--auth entra needs --tenant ID and --client-id ID/);

    expectExit(
      await runCli(home, ['history', 'remote', 'set', '--endpoint', server.endpoint], {
        ...env,
        FILEFERRY_SECRET: COSMOS_TEST_KEY,
      }),
      0,
    );
    const removed = await runCli(home, ['history', 'remote', 'rm'], env);
    expectExit(removed, 0);
    assert.match(removed.stdout, /no longer replicates/);
    const show = await runCli(home, ['history', 'remote', 'show']);
    expectExit(show, 0);
    assert.match(show.stdout, /No history account is set/);
    const sync = await runCli(home, ['history', 'sync']);
    expectExit(sync, 1);
    assert.match(sync.stderr, /No history account is set/);
  });
});
