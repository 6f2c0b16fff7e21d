// Entra ID sign-in from the app's window, through the API: the real service (as web mode builds it, with the real
// keychain) in a process trusting the OIDC stub's certificate, driven over its WebSocket by the renderer's own
// client, against Azurite in its OAuth mode (HTTPS, bearer tokens checked) and the local OIDC stub standing in
// for Entra ID. Opening a saved Entra connection in a pane, or testing it, asks for a device code with a
// 'signin' event; the listing goes on once the "person" enters the code at the stub; the token cache lands in
// the connection's keychain entry and in no file; connections.cancelSignIn ends the wait with Cancelled.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import type { FileFerryApi, ListingPage, SignInEvent } from '../../shared/api';
import { WIRE_PATH } from '../../shared/api/wire';
import type { ConnectionDraftInput } from '../../shared/connections';
import { DEFAULT_SERVICE, KeychainCredentialStore } from '../../main/core/credentials';
import { createApiClient } from '../../renderer/src/api/client';
import { expectClientError } from '../helpers/expect-error';
import { connectWebSocket } from '../../renderer/src/api/ws-transport';
import { cleanEnv, expectExit, runCli } from '../cli/run-cli';
import { AZURITE_ACCOUNT, type AzuriteServer } from '../helpers/azurite';
import { entraAzureSpec, startEntraAzurite } from '../helpers/entra-azurite';
import { requireKeyring } from '../helpers/keyring';
import { startOidcStub, type OidcStub } from '../helpers/oidc-stub';
import { scanForCanaries } from '../helpers/scan';
import { until } from '../helpers/until';
import { admit } from '../server/web-client';
import { removeDirs, tempDir } from '../transfers/fixtures';

const CONTAINER = 'signin-box';

interface MsalCache {
  AccessToken: Record<string, { secret: string }>;
  RefreshToken: Record<string, { secret: string }>;
  Account: Record<string, unknown>;
}

type Prompt = Extract<SignInEvent, { type: 'prompt' }>;

/** Starts the service in a process of its own (see entra-sign-in-server.ts); resolves with the address it prints. */
async function startService(
  home: string,
  rendererDir: string,
  caPath: string,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/api/entra-sign-in-server.ts', rendererDir], {
    env: { ...cleanEnv(), FILEFERRY_HOME: home, NODE_EXTRA_CA_CERTS: caPath },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const line = /^(http:\/\/127\.0\.0\.1:\d+\/\S+)$/m.exec(stdout);
      if (line) resolve(line[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the service exited ${code}: ${output}`)));
  });
  return { url, child };
}

describe('Entra ID sign-in through the API (device code as events, token cache in the keychain)', () => {
  const dirs: string[] = [];
  let stub: OidcStub;
  let azurite: AzuriteServer;
  let credentials: KeychainCredentialStore;
  let service: ChildProcess;
  let socket: WebSocket;
  let api: FileFerryApi;
  let home: string;
  const signIns: SignInEvent[] = [];
  const pages: ListingPage[] = [];
  const data = randomBytes(4096);
  const connectionIds: string[] = [];

  const entraDraft = (name: string): ConnectionDraftInput => ({
    name,
    spec: entraAzureSpec(azurite, stub),
  });
  const addEntra = async (name: string) => {
    const { connection } = await api.connections.add({ draft: entraDraft(name) });
    connectionIds.push(connection.id);
    return connection.id;
  };
  const prompted = async (connectionId: string): Promise<Prompt> => {
    let found: Prompt | undefined;
    await until(
      () =>
        (found = signIns.find((e): e is Prompt => e.type === 'prompt' && e.connectionId === connectionId)) !==
        undefined,
      30_000,
      'the device-code prompt',
    );
    return found!;
  };
  const ended = (signInId: string) => signIns.filter((e) => e.type !== 'prompt' && e.signInId === signInId);
  const storedCache = async (id: string): Promise<MsalCache | undefined> => {
    const text = await credentials.get(id, 'tokenCache');
    return text === undefined ? undefined : (JSON.parse(text) as MsalCache);
  };

  before(async () => {
    credentials = new KeychainCredentialStore(await requireKeyring(), DEFAULT_SERVICE);
    stub = await startOidcStub();
    azurite = await startEntraAzurite(stub);
    home = await tempDir('ferry-api-entra-');
    const rendererDir = await tempDir('ferry-api-entra-renderer-');
    dirs.push(home, rendererDir);
    await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>FileFerry</title>');

    // A blob to list, put there with the account key (Azurite's OAuth mode accepts it too).
    const file = join(rendererDir, 'data.bin');
    await writeFile(file, data);
    const keyEnv = {
      NODE_EXTRA_CA_CERTS: stub.certificate.certPath,
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    };
    const cliHome = await tempDir('ferry-api-entra-cli-');
    dirs.push(cliHome);
    expectExit(await runCli(cliHome, ['mkdir', `az://${AZURITE_ACCOUNT}/${CONTAINER}`], keyEnv), 0);
    expectExit(await runCli(cliHome, ['cp', file, `az://${AZURITE_ACCOUNT}/${CONTAINER}/`], keyEnv), 0);

    const started = await startService(home, rendererDir, stub.certificate.certPath);
    service = started.child;
    const cookie = await admit(started.url);
    socket = new WebSocket(`${new URL(started.url).origin.replace(/^http/, 'ws')}${WIRE_PATH}`, {
      headers: { Cookie: cookie },
    });
    api = createApiClient(await connectWebSocket(socket));
    api.on('signin', (event) => void signIns.push(event));
    api.on('listing', (page) => void pages.push(page));
  });

  after(async () => {
    // Removing a connection through the API deletes its keychain entries; a failed test may have left some.
    for (const id of connectionIds) await api?.connections.remove({ id }).catch(() => undefined);
    for (const id of connectionIds) await credentials?.delete(id).catch(() => undefined);
    socket?.close();
    if (service && service.exitCode === null) {
      service.kill('SIGTERM');
      await new Promise((resolve) => service.once('exit', resolve));
    }
    await azurite?.stop();
    await stub?.stop();
    await removeDirs(...dirs);
  });

  it('asks for a device code when a pane lists the connection, and lists once the code is entered; the token cache goes to the keychain only', async () => {
    const id = await addEntra('Entra storage');
    const grantsBefore = stub.counts.tokens.device_code ?? 0;
    const listing = api.browse.list({
      listingId: 'entra-1',
      location: { connection: { savedId: id }, path: `/${CONTAINER}` },
    });

    const prompt = await prompted(id);
    assert.equal(prompt.connectionName, 'Entra storage');
    assert.match(prompt.userCode, /^U[0-9A-Z]{6}$/);
    assert.equal(prompt.verificationUri, `${new URL(stub.authority).origin}/device`);
    assert.ok(prompt.message.includes(prompt.userCode), prompt.message);
    assert.ok(Math.abs(prompt.expiresAt - (Date.now() + 900_000)) < 60_000, 'the code expires in 15 minutes');
    // The listing waits for the person: nothing listed, nothing stored, no token granted yet.
    await until(() => stub.counts.pendingPolls > 0, 10_000, 'MSAL polling for the code');
    assert.equal(pages.filter((p) => p.listingId === 'entra-1').length, 0);
    assert.equal(await storedCache(id), undefined);
    assert.equal(ended(prompt.signInId).length, 0);

    stub.approveDeviceCode(prompt.userCode);
    assert.deepEqual(await listing, { count: 1 });
    const listed = pages.filter((p) => p.listingId === 'entra-1');
    assert.deepEqual(
      listed.flatMap((p) => p.entries.map((e) => [e.name, e.size])),
      [['data.bin', data.length]],
    );
    assert.equal(listed.at(-1)!.done, 'complete');
    assert.equal(stub.counts.tokens.device_code, grantsBefore + 1);
    await until(() => ended(prompt.signInId).length > 0, 10_000, 'the end of the sign-in');
    assert.deepEqual(
      ended(prompt.signInId).map((e) => e.type),
      ['completed'],
    );

    const cache = await storedCache(id);
    assert.ok(cache, 'the token cache is in the keychain, under the connection');
    const tokens = [
      ...Object.values(cache.AccessToken).map((e) => e.secret),
      ...Object.values(cache.RefreshToken).map((e) => e.secret),
    ];
    assert.equal(tokens.length, 2);
    assert.deepEqual((await api.connections.get({ id })).storedSecrets, ['tokenCache']);
    // Not in connections.json, nor in any other file of the data folder (logs, queue, settings).
    assert.doesNotMatch(await readFile(join(home, 'connections.json'), 'utf8'), /tokenCache|RefreshToken|secret/);
    assert.deepEqual(await scanForCanaries([home], tokens), []);

    // The manager's Test, and a later listing, sign in silently from the keychain: no prompt, no new grant.
    const test = await api.connections.test({ id });
    assert.equal(test.ok, true, JSON.stringify(test));
    assert.deepEqual(
      await api.browse.list({ listingId: 'entra-2', location: { connection: { savedId: id }, path: '/' } }),
      {
        count: 1,
      },
    );
    assert.equal(signIns.filter((e) => e.type === 'prompt' && e.connectionId === id).length, 1);
    assert.equal(stub.counts.tokens.device_code, grantsBefore + 1);
  });

  it('ends the wait with Cancelled when the sign-in is cancelled, and saves nothing', async () => {
    const id = await addEntra('Entra cancelled');
    const deviceCodesBefore = stub.counts.deviceCode;
    // The manager's Test button waits for the sign-in too.
    const testing = api.connections.test({ id });
    const prompt = await prompted(id);
    await api.connections.cancelSignIn({ signInId: prompt.signInId });
    const result = await testing;
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.error.code, 'Cancelled', JSON.stringify(result));
    await until(() => ended(prompt.signInId).length > 0, 10_000, 'the end of the sign-in');
    const [end] = ended(prompt.signInId);
    assert.equal(end?.type === 'failed' && end.error.code, 'Cancelled', JSON.stringify(end));
    // MSAL stopped polling: the code, entered now, signs nobody in.
    stub.approveDeviceCode(prompt.userCode);
    const polls = stub.counts.pendingPolls;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.equal(stub.counts.pendingPolls, polls, 'no more polls');
    assert.equal(await storedCache(id), undefined);
    assert.deepEqual((await api.connections.get({ id })).storedSecrets, []);

    // A pane's listing: cancelled while it waits, it fails with Cancelled (and the pane can try again).
    const listing = api.browse.list({ listingId: 'entra-3', location: { connection: { savedId: id }, path: '/' } });
    let again: Prompt | undefined;
    await until(
      () =>
        (again = signIns.find(
          (e): e is Prompt => e.type === 'prompt' && e.connectionId === id && e.signInId !== prompt.signInId,
        )) !== undefined,
      30_000,
      'a second prompt',
    );
    assert.equal(stub.counts.deviceCode, deviceCodesBefore + 2);
    await api.connections.cancelSignIn({ signInId: again!.signInId });
    await expectClientError(listing, 'Cancelled');
    assert.equal(pages.filter((p) => p.listingId === 'entra-3').at(-1)?.error?.code, 'Cancelled');

    // Cancelling one that has ended changes nothing; a malformed request is refused before anything happens.
    await api.connections.cancelSignIn({ signInId: prompt.signInId });
    await expectClientError(api.connections.cancelSignIn({ signInId: '' }), 'InvalidInput');
    await expectClientError(
      api.connections.cancelSignIn({ signInId: 'x', extra: 1 } as unknown as { signInId: string }),
      'InvalidInput',
    );
  });
});
