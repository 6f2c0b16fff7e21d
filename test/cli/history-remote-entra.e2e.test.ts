// `fileferry history remote set --auth entra` and `history sync` through the real command (issue 17, point 2):
// the device code is shown on stderr and approved at the local OpenID Connect stub, as a person would; the
// account (@vercel/cosmosdb-server) sits behind a front door that refuses any request without an Entra ID
// token the stub issued. MSAL trusts the stub through NODE_EXTRA_CA_CERTS, the account's certificate comes in
// through FILEFERRY_CA_FILE. The token cache must be in the keychain (gnome-keyring in the test's D-Bus
// session) and in no file of the data folder; without it, a `history sync` that has no terminal fails at once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CosmosClient } from '@azure/cosmos';
import { DEFAULT_SERVICE, KeychainCredentialStore } from '../../main/core/credentials';
import { REMOTE_FILE, type RemoteSettings } from '../../main/core/history/replication';
import { startCosmosServer, type CosmosTestServer } from '../helpers/cosmos-server';
import { requireKeyring } from '../helpers/keyring';
import { startOidcStub, type OidcStub } from '../helpers/oidc-stub';
import { scanForCanaries } from '../helpers/scan';
import { expectExit, runCli, startCli, type CliEnv, type CliResult } from './run-cli';

/** MSAL's device-code message as the stub words it; the code is what a person would type in. */
const DEVICE_CODE = /enter the code (\S+) to authenticate/;

interface MsalCache {
  AccessToken: Record<string, { secret: string }>;
  RefreshToken: Record<string, { secret: string }>;
}

describe('fileferry history remote with Entra ID sign-in (device code, token cache in the keychain)', () => {
  let stub: OidcStub;
  let server: CosmosTestServer;
  let credentials: KeychainCredentialStore;
  let reader: CosmosClient;
  let work: string;
  let home: string;
  let secretId: string | undefined;
  const database = 'cli-entra';
  const env = (): CliEnv => ({
    FILEFERRY_CA_FILE: server.certificate.certPath,
    NODE_EXTRA_CA_CERTS: stub.certificate.certPath,
  });

  before(async () => {
    credentials = new KeychainCredentialStore(await requireKeyring(), DEFAULT_SERVICE);
    stub = await startOidcStub();
    server = await startCosmosServer({ acceptToken: (token) => stub.isValidAccessToken(token) });
    reader = server.reader({ direct: true });
    work = await mkdtemp(path.join(tmpdir(), 'ferry-history-entra-e2e-'));
    home = path.join(work, 'laptop');
    await mkdir(home, { recursive: true });
  });

  after(async () => {
    if (secretId) await credentials.delete(secretId).catch(() => {});
    reader?.dispose();
    await server?.stop();
    await stub?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** Runs the CLI and approves the device code at the stub once it is shown on stderr. */
  async function runApproving(args: string[]): Promise<CliResult> {
    const running = startCli(home, args, env());
    let stderr = '';
    running.child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const code = DEVICE_CODE.exec(stderr)?.[1];
      if (code) stub.approveDeviceCode(code);
    });
    return running.result;
  }

  /** One local copy, recorded in the history (and pushed when it ends, once an account is connected). */
  async function copyOnce(name: string): Promise<CliResult> {
    const source = path.join(work, `${name}.txt`);
    await writeFile(source, `${name}\n`);
    const copied = await runCli(home, ['cp', source, path.join(work, `${name}-copy.txt`)], env());
    expectExit(copied, 0);
    return copied;
  }

  async function documentCount(): Promise<number> {
    const { resources } = await reader
      .database(database)
      .container('history')
      .items.query<number>('SELECT VALUE COUNT(1) FROM c')
      .fetchAll();
    return resources[0] ?? 0;
  }

  async function settings(): Promise<RemoteSettings> {
    return JSON.parse(await readFile(path.join(home, REMOTE_FILE), 'utf8')) as RemoteSettings;
  }

  it('signs in once with a device code, syncs silently from the cached token, and fails at once without it', async () => {
    expectExit(await runCli(home, ['history', 'device', 'laptop'], env()), 0);
    await copyOnce('first');

    const codes = stub.counts.deviceCode;
    const set = await runApproving([
      'history',
      'remote',
      'set',
      ...['--endpoint', server.endpoint, '--database', database],
      ...['--auth', 'entra', '--tenant', stub.tenantId, '--client-id', stub.clientId, '--authority', stub.authority],
    ]);
    expectExit(set, 0);
    assert.match(set.stderr, DEVICE_CODE, 'the device code is shown on stderr');
    assert.doesNotMatch(set.stdout, DEVICE_CODE);
    assert.match(set.stdout, /Signed in with Entra ID\. History replicates to https:\/\/127\.0\.0\.1:\d+\//);
    assert.match(set.stdout, /1 record of this device queued to upload/);
    assert.equal(stub.counts.deviceCode, codes + 1);
    const saved = await settings();
    secretId = saved.secretId;
    assert.equal(saved.auth, 'entra');
    assert.equal(saved.clientId, stub.clientId);

    // No terminal from here on (runCli's stdio are pipes): the cached sign-in must do.
    const first = await runCli(home, ['history', 'sync'], env());
    expectExit(first, 0);
    assert.match(first.stdout, /Uploaded 1 record of this device/);
    assert.doesNotMatch(first.stderr, DEVICE_CODE);
    assert.equal(await documentCount(), 1);

    // The end of a cp pushes its record with the cached token too, with no terminal and no device code.
    const grants = stub.counts.tokens.device_code;
    const copied = await copyOnce('second');
    assert.doesNotMatch(copied.stderr, /not uploaded|enter the code/);
    assert.equal(await documentCount(), 2);
    const second = await runCli(home, ['history', 'sync', '--json'], env());
    expectExit(second, 0);
    assert.deepEqual(JSON.parse(second.stdout), { pushed: 0, pulled: 0, pending: 0 });
    assert.doesNotMatch(second.stderr, DEVICE_CODE);
    assert.equal(stub.counts.deviceCode, codes + 1, 'no new device code');
    assert.equal(stub.counts.tokens.device_code, grants);
    assert.equal(await documentCount(), 2);
    assert.equal(server.unauthorized, 0, 'every request carried a token the stub issued');

    const show = await runCli(home, ['history', 'remote', 'show'], env());
    expectExit(show, 0);
    assert.match(
      show.stdout,
      new RegExp(`^auth {10}Entra ID \\(tenant ${stub.tenantId}, client ${stub.clientId}`, 'm'),
    );
    assert.match(show.stdout, /^state {9}idle$/m);

    // The token cache: in the keychain under the account's own id, and in no file of the data folder.
    const text = await credentials.get(saved.secretId, 'tokenCache');
    assert.ok(text, 'the token cache is in the keychain');
    const cache = JSON.parse(text) as MsalCache;
    const secrets = [...Object.values(cache.RefreshToken), ...Object.values(cache.AccessToken)].map((e) => e.secret);
    assert.equal(secrets.length, 2);
    assert.deepEqual(await scanForCanaries([home], secrets), []);
    for (const output of [set, first, copied, second, show]) {
      assert.ok(secrets.every((secret) => !output.stdout.includes(secret) && !output.stderr.includes(secret)));
    }

    // Without the cache, a sync with no terminal says what to do and ends at once: no device code, no wait.
    await credentials.delete(saved.secretId, 'tokenCache');
    const unpushed = await copyOnce('third');
    assert.match(unpushed.stderr, /1 history record\(s\) not uploaded yet \(.*fileferry history remote set/);
    const started = Date.now();
    const orphan = await runCli(home, ['history', 'sync'], env());
    expectExit(orphan, 1);
    assert.ok(Date.now() - started < 10_000, 'it did not wait for a sign-in');
    assert.match(
      orphan.stderr,
      /Entra ID sign-in for the history account .* is missing or has expired.*fileferry history remote set --endpoint .* --auth entra/,
    );
    assert.doesNotMatch(orphan.stderr, DEVICE_CODE);
    assert.equal(stub.counts.deviceCode, codes + 1);
    const failed = await runCli(home, ['history', 'remote', 'show'], env());
    assert.match(failed.stdout, /^state {9}error$/m);
    assert.match(failed.stdout, /^last error {4}.*AuthFailed: .*fileferry history remote set/m);

    const removed = await runCli(home, ['history', 'remote', 'rm'], env());
    expectExit(removed, 0);
    assert.match(removed.stdout, /its sign-in was removed from the keychain/);
  });
});
