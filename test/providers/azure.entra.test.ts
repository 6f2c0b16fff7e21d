// Entra ID sign-in for Azure Blob through MSAL, against a local OpenID Connect stub over HTTPS: the device-code
// and interactive (PKCE, loopback redirect) flows, and the token cache persisted through the credential store
// (saveSecret('tokenCache')) so a new process signs in silently; a caller that gives up stops the sign-in.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import {
  openAzureBlobProvider,
  MsalTokenCredential,
  STORAGE_SCOPE,
  type DeviceCodePrompt,
} from '../../main/core/providers/azure-blob';
import { createLogger } from '../../main/core/log/logger';
import { azureSpecSchema, type SecretField } from '../../shared/connection';
import { FerryError, isFerryError } from '../../shared/errors';
import { startOidcStub, type OidcStub } from '../helpers/oidc-stub';
import { startEntraAzurite } from '../helpers/entra-azurite';
import { runChildScript } from '../helpers/child-script';

const log = createLogger({ test: 'azure-entra' });

/** A stand-in for the OS keychain: one string per secret field, counting saves. */
function memoryStore() {
  const values = new Map<SecretField, string>();
  let saves = 0;
  return {
    values,
    get saves() {
      return saves;
    },
    secrets: async (field: SecretField) => values.get(field),
    saveSecret: async (field: SecretField, value: string | undefined) => {
      saves++;
      if (value === undefined) values.delete(field);
      else values.set(field, value);
    },
  };
}

function credentialFor(
  stub: OidcStub,
  store: ReturnType<typeof memoryStore>,
  interaction: ConstructorParameters<typeof MsalTokenCredential>[0]['interaction'] = {},
) {
  return new MsalTokenCredential({
    clientId: stub.clientId,
    authority: stub.authority,
    knownAuthorities: [new URL(stub.authority).host],
    interaction: { networkClient: stub.networkClient, ...interaction },
    loadCache: () => store.secrets('tokenCache'),
    saveCache: (serialized) => store.saveSecret('tokenCache', serialized),
    log,
  });
}

describe('azure-blob Entra ID sign-in (MSAL against a local OIDC stub)', () => {
  let stub: OidcStub;
  before(async () => {
    stub = await startOidcStub();
  });
  after(async () => {
    await stub?.stop();
  });

  it('signs in with a device code, persists the token cache, and a new app signs in silently from it', async () => {
    const store = memoryStore();
    const prompts: DeviceCodePrompt[] = [];
    const first = credentialFor(stub, store, {
      flow: 'device-code',
      onDeviceCode: (prompt) => {
        prompts.push(prompt);
        stub.approveDeviceCode(prompt.userCode);
      },
    });
    const token = await first.getToken(STORAGE_SCOPE);
    assert.ok(token?.token, 'an access token');
    assert.ok(token.expiresOnTimestamp > Date.now() + 30 * 60_000);
    assert.equal(prompts.length, 1);
    assert.match(prompts[0]!.message, new RegExp(prompts[0]!.userCode));
    assert.equal(stub.counts.tokens.device_code, 1);
    const saved = store.values.get('tokenCache');
    assert.ok(saved, 'the cache was saved through saveSecret');
    const cache = JSON.parse(saved) as {
      AccessToken: Record<string, { secret: string }>;
      RefreshToken: Record<string, unknown>;
      Account: Record<string, unknown>;
    };
    assert.ok(Object.values(cache.AccessToken).some((entry) => entry.secret === token.token));
    assert.equal(Object.keys(cache.RefreshToken).length, 1);
    assert.equal(Object.keys(cache.Account).length, 1);

    // A new application instance (as after a restart) with only the stored cache: no prompt, no token request.
    const tokenRequests = stub.counts.tokens.device_code;
    const second = credentialFor(stub, store); // no interaction available at all
    const again = await second.getToken(STORAGE_SCOPE);
    assert.equal(again?.token, token.token);
    assert.equal(stub.counts.tokens.device_code, tokenRequests);
    assert.equal(stub.counts.tokens.refresh_token ?? 0, 0);
  });

  it('refreshes an expiring token silently with the stored refresh token and saves the new cache', async () => {
    const store = memoryStore();
    stub.accessTokenLifetime = 120; // inside MSAL's 5-minute renewal window
    try {
      const first = credentialFor(stub, store, {
        flow: 'device-code',
        onDeviceCode: (p) => stub.approveDeviceCode(p.userCode),
      });
      const token = await first.getToken(STORAGE_SCOPE);
      const savesAfterSignIn = store.saves;
      const refreshesBefore = stub.counts.tokens.refresh_token ?? 0;
      const restarted = credentialFor(stub, store);
      const refreshed = await restarted.getToken(STORAGE_SCOPE);
      assert.ok(refreshed?.token);
      assert.notEqual(refreshed.token, token?.token);
      assert.equal(stub.counts.tokens.refresh_token, refreshesBefore + 1);
      assert.ok(store.saves > savesAfterSignIn, 'the refreshed cache was saved');
      assert.ok(store.values.get('tokenCache')!.includes(refreshed.token));
    } finally {
      stub.accessTokenLifetime = 3600;
    }
  });

  it('signs in interactively through the injected browser (PKCE, loopback redirect)', async () => {
    const store = memoryStore();
    const opened: string[] = [];
    const credential = credentialFor(stub, store, {
      flow: 'interactive',
      openBrowser: async (url) => {
        opened.push(url);
        await stub.browser(url);
      },
    });
    const before = stub.counts.tokens.authorization_code ?? 0;
    // Parallel requests (one auth policy per blob client) ask at once: one sign-in serves them all.
    const tokens = await Promise.all(Array.from({ length: 5 }, () => credential.getToken(STORAGE_SCOPE)));
    const token = tokens[0];
    assert.ok(token?.token);
    assert.ok(tokens.every((t) => t?.token === token.token));
    assert.equal(opened.length, 1);
    assert.ok(opened[0]!.startsWith(`${stub.authority}/oauth2/v2.0/authorize?`));
    assert.equal(stub.counts.tokens.authorization_code, before + 1);
    assert.ok(store.values.get('tokenCache'));
  });

  it('stops a device-code sign-in when its caller gives up (Ctrl-C, cancel), and saves nothing', async () => {
    const store = memoryStore();
    const prompts: DeviceCodePrompt[] = [];
    let shown!: () => void;
    const prompted = new Promise<void>((resolve) => (shown = resolve));
    const credential = credentialFor(stub, store, {
      flow: 'device-code',
      onDeviceCode: (prompt) => {
        prompts.push(prompt);
        shown();
      },
    });
    const before = { ...stub.counts.tokens };
    const cancel = new AbortController();
    const token = credential.getToken(STORAGE_SCOPE, { abortSignal: cancel.signal });
    await prompted;
    // Once a poll has been answered "pending", MSAL sleeps until the next: the moment a person presses Ctrl-C.
    // (A poll already on its way when the caller gives up may still bring a token: a finished sign-in.)
    const polls = stub.counts.pendingPolls;
    while (stub.counts.pendingPolls === polls) await delay(20);
    const started = Date.now();
    cancel.abort();
    await assert.rejects(
      token,
      (error: unknown) => isFerryError(error, 'Cancelled') && /cancelled/.test(error.message),
    );
    assert.ok(Date.now() - started < 500, 'the caller is released at once');
    // Approving now must not complete the abandoned sign-in: MSAL stopped polling (interval 1 s here).
    stub.approveDeviceCode(prompts[0]!.userCode);
    await delay(2500);
    assert.deepEqual(stub.counts.tokens, before, 'no token was issued');
    assert.equal(store.saves, 0);
  });

  it('keeps a shared sign-in going while another caller still waits for it', async () => {
    const store = memoryStore();
    let code!: (userCode: string) => void;
    const shown = new Promise<string>((resolve) => (code = resolve));
    const credential = credentialFor(stub, store, { flow: 'device-code', onDeviceCode: (p) => code(p.userCode) });
    const cancel = new AbortController();
    const impatient = credential.getToken(STORAGE_SCOPE, { abortSignal: cancel.signal });
    const patient = credential.getToken(STORAGE_SCOPE);
    const userCode = await shown;
    cancel.abort();
    await assert.rejects(impatient, (error: unknown) => isFerryError(error, 'Cancelled'));
    stub.approveDeviceCode(userCode);
    assert.ok((await patient)?.token);
    assert.ok(store.values.get('tokenCache'));
  });

  it('stops an interactive sign-in when its caller gives up, closing the loopback port', async () => {
    const store = memoryStore();
    let opened!: (url: string) => void;
    const browserOpened = new Promise<string>((resolve) => (opened = resolve));
    const credential = credentialFor(stub, store, {
      flow: 'interactive',
      openBrowser: async (url) => opened(url), // a browser nobody signs in at
    });
    const before = { ...stub.counts.tokens };
    const cancel = new AbortController();
    const token = credential.getToken(STORAGE_SCOPE, { abortSignal: cancel.signal });
    const redirect = new URL(new URL(await browserOpened).searchParams.get('redirect_uri')!);
    redirect.hostname = '127.0.0.1';
    cancel.abort();
    await assert.rejects(token, (error: unknown) => isFerryError(error, 'Cancelled'));
    // MSAL's listener is gone, so nothing keeps the process alive and no late answer is taken.
    let closed = false;
    for (let i = 0; i < 50 && !closed; i++) {
      closed = await fetch(redirect).then(
        () => false,
        () => true,
      );
      if (!closed) await delay(100);
    }
    assert.ok(closed, `MSAL's loopback ${redirect.href} was closed`);
    assert.deepEqual(stub.counts.tokens, before);
    assert.equal(store.saves, 0);
  });

  it('says clearly when sign-in is needed but no way to sign in is available', async () => {
    const credential = credentialFor(stub, memoryStore());
    await assert.rejects(
      credential.getToken(STORAGE_SCOPE),
      (error: unknown) => error instanceof FerryError && error.code === 'AuthFailed' && /sign in/i.test(error.message),
    );
  });

  it('wires the provider: spec.authority + clientId, context.entra and saveSecret', async () => {
    const store = memoryStore();
    const spec = azureSpecSchema.parse({
      kind: 'azure-blob',
      auth: 'entra',
      account: 'devstoreaccount1',
      endpoint: 'https://127.0.0.1:1/devstoreaccount1',
      clientId: stub.clientId,
      authority: stub.authority,
    });
    const provider = await openAzureBlobProvider(spec, {
      secrets: store.secrets,
      saveSecret: store.saveSecret,
      log,
      entra: {
        networkClient: stub.networkClient,
        flow: 'device-code',
        onDeviceCode: (p) => stub.approveDeviceCode(p.userCode),
      },
    });
    const token = await provider.client.credential!.getToken(STORAGE_SCOPE);
    assert.ok(token?.token);
    assert.ok(store.values.get('tokenCache'), 'the provider saved the cache through context.saveSecret');
    await expectInvalid(
      openAzureBlobProvider(azureSpecSchema.parse({ kind: 'azure-blob', auth: 'entra', account: 'a' }), {
        secrets: store.secrets,
        log,
      }),
    );
  });

  it('uses the stored sign-in in a new process against Azurite over HTTPS with bearer tokens', async () => {
    // Sign in here (device code), keep only the serialised cache, and hand it to a fresh process.
    const store = memoryStore();
    await credentialFor(stub, store, {
      flow: 'device-code',
      onDeviceCode: (p) => stub.approveDeviceCode(p.userCode),
    }).getToken(STORAGE_SCOPE);
    const azurite = await startEntraAzurite(stub);
    try {
      const grantsBefore = { ...stub.counts.tokens };
      const output = await runChildScript(
        'test/providers/azure.entra-child.ts',
        {
          NODE_EXTRA_CA_CERTS: stub.certificate.certPath,
          FERRY_AZURE_ENDPOINT: azurite.endpoint,
          FERRY_CLIENT_ID: stub.clientId,
          FERRY_AUTHORITY: stub.authority,
        },
        store.values.get('tokenCache')!,
      );
      const seen = JSON.parse(output) as { size: number; listed: string[]; sha256: string; expectedSha256: string };
      assert.equal(seen.size, 100_000);
      assert.deepEqual(seen.listed, ['hello.bin']);
      assert.equal(seen.sha256, seen.expectedSha256);
      assert.deepEqual(stub.counts.tokens, grantsBefore, 'the new process signed in from the stored cache alone');
    } finally {
      await azurite.stop();
    }
  });
});

async function expectInvalid(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(
    promise,
    (error: unknown) =>
      error instanceof FerryError && error.code === 'InvalidInput' && /client\) ID/.test(error.message),
  );
}
