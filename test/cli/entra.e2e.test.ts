// A saved Entra ID connection from the command line, end to end: the real `fileferry` against Azurite in its
// OAuth mode (over HTTPS, bearer tokens checked) and a local OpenID Connect stub standing in for Entra ID. The
// first command prints MSAL's device-code instruction on stderr and succeeds once the "person" approves the
// code at the stub; the token cache then sits in the real keychain (gnome-keyring in the test's D-Bus
// session), read back through the credential store, and in no file; later commands sign in from it silently.
// Also: a refresh through the stored refresh token, `connections test`, the browser flow through a stand-in
// xdg-open, and Ctrl-C while waiting, which saves nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ConnectionStore } from '../../main/core/connections';
import { DEFAULT_SERVICE, KeychainCredentialStore } from '../../main/core/credentials';
import { AZURITE_ACCOUNT, type AzuriteServer } from '../helpers/azurite';
import { entraAzureSpec, startEntraAzurite } from '../helpers/entra-azurite';
import { requireKeyring } from '../helpers/keyring';
import { startOidcStub, type OidcStub } from '../helpers/oidc-stub';
import { scanForCanaries } from '../helpers/scan';
import { CLI, cleanEnv, expectExit, jsonLines, runCli, type CliEnv, type CliResult } from './run-cli';

/** MSAL's device-code message as the stub words it; the code is what a person would type in. */
const DEVICE_CODE = /enter the code (\S+) to authenticate/;

interface MsalCache {
  AccessToken: Record<string, { secret: string }>;
  RefreshToken: Record<string, { secret: string }>;
  Account: Record<string, unknown>;
}

describe('fileferry with a saved Entra ID connection (device code, token cache in the keychain)', () => {
  let stub: OidcStub;
  let azurite: AzuriteServer;
  let credentials: KeychainCredentialStore;
  let store: ConnectionStore;
  let work: string;
  let home: string;
  let connectionId: string;
  const name = `entra-${randomBytes(3).toString('hex')}`;
  const data = randomBytes(50_000);
  /** Every CLI run trusts the stub's certificate (which Azurite serves too); TLS checks stay on. */
  const tlsEnv = (): CliEnv => ({ NODE_EXTRA_CA_CERTS: stub.certificate.certPath });

  /**
   * Runs the CLI and reads its stderr as it comes, as a person at the terminal would: `onStderr` sees all of
   * it so far and may act (approve the code at the stub, press Ctrl-C).
   */
  function runInteractive(
    args: string[],
    onStderr: (stderr: string, child: ReturnType<typeof spawn>) => void,
    env: CliEnv = {},
  ): Promise<CliResult & { signal: NodeJS.Signals | null; ms: number }> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        env: { ...cleanEnv(), FILEFERRY_HOME: home, ...tlsEnv(), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        onStderr(stderr, child);
      });
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started }));
    });
  }

  /** Approves the device code once the CLI shows it. */
  const approve = (stderr: string) => {
    const code = DEVICE_CODE.exec(stderr)?.[1];
    if (code) stub.approveDeviceCode(code);
  };

  async function storedCache(): Promise<MsalCache | undefined> {
    const text = await credentials.get(connectionId, 'tokenCache');
    return text === undefined ? undefined : (JSON.parse(text) as MsalCache);
  }

  const grants = () => ({ ...stub.counts.tokens });

  before(async () => {
    const keytar = await requireKeyring();
    credentials = new KeychainCredentialStore(keytar, DEFAULT_SERVICE);
    stub = await startOidcStub();
    azurite = await startEntraAzurite(stub);
    work = await mkdtemp(path.join(tmpdir(), 'ferry-cli-entra-'));
    home = path.join(work, 'home');

    // Content to list, put there with the account key (Azurite's OAuth mode still accepts it).
    const keyEnv = {
      ...tlsEnv(),
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    };
    const file = path.join(work, 'data.bin');
    await writeFile(file, data);
    expectExit(await runCli(home, ['mkdir', `az://${AZURITE_ACCOUNT}/entra-box`], keyEnv), 0);
    expectExit(await runCli(home, ['cp', file, `az://${AZURITE_ACCOUNT}/entra-box/`], keyEnv), 0);

    // The saved connection, in the data folder the CLI uses and with the keychain service it uses.
    store = new ConnectionStore({ dataDir: home, credentials });
    const { connection } = await store.create({
      name,
      spec: entraAzureSpec(azurite, stub),
    });
    connectionId = connection.id;
  });

  after(async () => {
    if (connectionId) await credentials.delete(connectionId).catch(() => {});
    await azurite?.stop();
    await stub?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('signs in with a device code on the first ls and keeps the token cache in the keychain only', async () => {
    assert.equal(await storedCache(), undefined);
    const before = grants();
    const listed = await runInteractive(['ls', `${name}:/`], approve);
    expectExit(listed, 0);
    assert.match(listed.stdout, /^d .* entra-box\/$/m);
    // MSAL's own instruction, on stderr (not a terminal here: scripts see it too), stdout left to the listing.
    const code = DEVICE_CODE.exec(listed.stderr)?.[1];
    assert.ok(code, `the device-code message on stderr:\n${listed.stderr}`);
    assert.ok(listed.stderr.includes(`open the page ${new URL(stub.authority).origin}/device`));
    assert.doesNotMatch(listed.stdout, DEVICE_CODE);
    assert.equal(stub.counts.tokens.device_code, (before.device_code ?? 0) + 1);

    const cache = await storedCache();
    assert.ok(cache, 'the token cache is in the keychain, under the connection');
    const refreshTokens = Object.values(cache.RefreshToken).map((entry) => entry.secret);
    const accessTokens = Object.values(cache.AccessToken).map((entry) => entry.secret);
    assert.equal(refreshTokens.length, 1);
    assert.equal(accessTokens.length, 1);
    assert.equal(Object.keys(cache.Account).length, 1);
    // Nowhere in the data folder (connections.json, logs, run folders) nor anywhere else this test wrote.
    assert.deepEqual(await scanForCanaries([work], [...refreshTokens, ...accessTokens]), []);
    assert.doesNotMatch(await readFile(path.join(home, 'connections.json'), 'utf8'), /tokenCache|RefreshToken/);
  });

  it('signs in silently from the stored cache on the next commands', async () => {
    const before = grants();
    const deviceCodesBefore = stub.counts.deviceCode;
    const listed = await runCli(home, ['ls', '--json', `${name}:/entra-box`], tlsEnv());
    expectExit(listed, 0);
    assert.deepEqual(
      jsonLines<{ name: string; size: number }>(listed.stdout).map((e) => [e.name, e.size]),
      [['data.bin', data.length]],
    );
    assert.doesNotMatch(listed.stderr, DEVICE_CODE);
    const back = path.join(work, 'back.bin');
    expectExit(await runCli(home, ['cp', `${name}:/entra-box/data.bin`, back], tlsEnv()), 0);
    assert.ok((await readFile(back)).equals(data));
    assert.deepEqual(grants(), before, 'no token was requested: the cached access token served');
    assert.equal(stub.counts.deviceCode, deviceCodesBefore);
  });

  it('renews an expiring token with the stored refresh token and keeps the new cache', async () => {
    await credentials.delete(connectionId, 'tokenCache');
    stub.accessTokenLifetime = 120; // inside MSAL's five-minute renewal window
    try {
      expectExit(await runInteractive(['ls', `${name}:/`], approve), 0);
    } finally {
      stub.accessTokenLifetime = 3600;
    }
    const signedIn = await storedCache();
    assert.ok(signedIn);
    const before = grants();
    const listed = await runCli(home, ['ls', `${name}:/entra-box`], tlsEnv());
    expectExit(listed, 0);
    assert.match(listed.stdout, /data\.bin$/m);
    assert.doesNotMatch(listed.stderr, DEVICE_CODE);
    assert.equal(stub.counts.tokens.refresh_token, (before.refresh_token ?? 0) + 1);
    assert.equal(stub.counts.tokens.device_code, before.device_code);
    const renewed = await storedCache();
    assert.ok(renewed);
    assert.notDeepEqual(
      Object.values(renewed.AccessToken).map((e) => e.secret),
      Object.values(signedIn.AccessToken).map((e) => e.secret),
      'the renewed token was saved to the keychain',
    );
  });

  it('signs in from `connections test` too', async () => {
    await credentials.delete(connectionId, 'tokenCache');
    const tested = await runInteractive(['connections', 'test', name], approve);
    expectExit(tested, 0);
    assert.match(tested.stderr, DEVICE_CODE);
    assert.ok(await storedCache(), 'connections test saved the sign-in');
  });

  it('signs in through the system browser with FILEFERRY_SIGN_IN=browser', async () => {
    await credentials.delete(connectionId, 'tokenCache');
    const bin = await fakeBrowser(work, 'sign-in');
    const before = grants();
    const listed = await runInteractive(['ls', `${name}:/`], () => {}, {
      FILEFERRY_SIGN_IN: 'browser',
      PATH: `${bin}:${process.env.PATH ?? ''}`,
    });
    expectExit(listed, 0);
    assert.match(listed.stdout, /entra-box\/$/m);
    assert.match(listed.stderr, /opening your browser to sign in/);
    assert.match(await readFile(path.join(bin, 'opened.log'), 'utf8'), /\/oauth2\/v2\.0\/authorize\?/);
    assert.equal(stub.counts.tokens.authorization_code, (before.authorization_code ?? 0) + 1);
    assert.ok(await storedCache());
  });

  it('says what FILEFERRY_SIGN_IN accepts', async () => {
    const refused = await runCli(home, ['ls', `${name}:/`], { ...tlsEnv(), FILEFERRY_SIGN_IN: 'carrier-pigeon' });
    expectExit(refused, 2);
    assert.match(
      refused.stderr,
      /FILEFERRY_SIGN_IN is "carrier-pigeon"; set it to "device-code" \(the default\) or "browser"/,
    );
  });

  it('lets a keychain write under way finish before Ctrl-C ends the command (never a cut-off secret)', async () => {
    await credentials.delete(connectionId, 'tokenCache');
    const cache = JSON.stringify({ RefreshToken: { rt: { secret: randomBytes(3000).toString('base64url') } } });
    const wentOn = path.join(work, 'went-on');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/cli/entra-save-child.ts', home, connectionId, wentOn],
      { stdio: ['pipe', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end(cache);
    const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    assert.equal(signal, 'SIGINT', `ended by the deferred Ctrl-C (code ${code}): ${stderr}`);
    assert.equal(await credentials.get(connectionId, 'tokenCache'), cache, 'the whole cache was saved');
    assert.ok(!existsSync(wentOn), 'the command stopped right after the write');
  });

  for (const flow of ['device-code', 'browser'] as const) {
    it(`cancels a waiting ${flow} sign-in on Ctrl-C during cp, promptly and saving nothing`, async () => {
      await credentials.delete(connectionId, 'tokenCache');
      const bin = await fakeBrowser(work, 'ignore');
      const before = grants();
      let interrupted = false;
      const waiting = flow === 'device-code' ? DEVICE_CODE : /opening your browser/;
      const copied = await runInteractive(
        ['cp', path.join(work, 'data.bin'), `${name}:/entra-box/again.bin`],
        (stderr, child) => {
          if (interrupted || !waiting.test(stderr)) return;
          interrupted = true;
          // A moment for the browser stand-in to have been started, as a person reads before pressing Ctrl-C.
          void delay(300).then(() => child.kill('SIGINT'));
        },
        { FILEFERRY_SIGN_IN: flow, PATH: `${bin}:${process.env.PATH ?? ''}` },
      );
      assert.ok(interrupted, `the sign-in started:\n${copied.stderr}`);
      // cp signs in while it looks at the target, before its transfer (and its own Ctrl-C handling) starts:
      // Ctrl-C then ends the process at once, as for ls. Either way is an interruption, not an error.
      assert.ok(
        copied.signal === 'SIGINT' || copied.code === 130,
        `ended by Ctrl-C (code ${copied.code}, signal ${copied.signal})\n${copied.stderr}`,
      );
      assert.doesNotMatch(copied.stderr, /^\s+at /m, 'no stack trace');
      assert.ok(copied.ms < 15_000, `ended ${copied.ms} ms after starting`);
      assert.equal(await storedCache(), undefined, 'no token cache was saved');
      assert.deepEqual(grants(), before, 'no token was issued');
    });
  }

  /**
   * A stand-in for xdg-open on PATH: "sign-in" plays the person who signs in at the stub's page (the page
   * answers with the code, which the browser posts to MSAL's loopback redirect); "ignore" a browser left
   * unattended. It records the URLs it was asked to open.
   */
  async function fakeBrowser(dir: string, mode: 'sign-in' | 'ignore'): Promise<string> {
    const bin = await mkdtemp(path.join(dir, 'bin-'));
    // CommonJS: an extensionless script outside any package is loaded as such.
    const script = `#!${process.execPath}
const { appendFileSync } = require('node:fs');
const url = process.argv[2];
appendFileSync(${JSON.stringify(path.join(bin, 'opened.log'))}, url + '\\n');
if (${JSON.stringify(mode)} === 'sign-in') {
  (async () => {
    const page = await (await fetch(url)).json();
    const redirect = new URL(page.redirect_uri);
    redirect.hostname = '127.0.0.1';
    const answer = await fetch(redirect, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ code: page.code, state: page.state }).toString(),
    });
    await answer.text();
  })().catch((error) => appendFileSync(${JSON.stringify(path.join(bin, 'errors.log'))}, String(error) + '\\n'));
}
`;
    const file = path.join(bin, 'xdg-open');
    await writeFile(file, script);
    await chmod(file, 0o755);
    return bin;
  }
});
