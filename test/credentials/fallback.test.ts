// When no OS keychain answers, secrets are kept for the session only, with a clear notice, and nothing
// reaches the disk. Electron's safeStorage is used only when it really encrypts (not 'basic_text').
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { isFerryError } from '../../shared/errors';
import {
  openCredentialStore,
  SafeStorageCredentialStore,
  type KeytarModule,
  type SafeStorageAdapter,
} from '../../main/core/credentials';
import { filesUnder, scanForCanaries } from '../helpers/scan';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const moduleUrl = (path: string) => pathToFileURL(join(root, path)).href;

const NOTICE =
  /^No OS keychain is available \(.+\)\. The password is kept for this session only; install and unlock a Secret Service such as gnome-keyring to save it\.$/;

/** A child FileFerry core with the given environment saves a connection with a canary password. */
const CHILD = `
const { openCredentialStore } = await import(${JSON.stringify(moduleUrl('main/core/credentials/index.ts'))});
const { ConnectionStore } = await import(${JSON.stringify(moduleUrl('main/core/connections/store.ts'))});
const { installFileLog } = await import(${JSON.stringify(moduleUrl('main/core/log/file-sink.ts'))});
const dataDir = process.env.FILEFERRY_HOME;
const log = installFileLog({ level: 'debug' });
const credentials = await openCredentialStore({ dataDir, probeTimeoutMs: 5000 });
const store = new ConnectionStore({ dataDir, credentials });
const spec = { kind: 'ftp', host: '127.0.0.1', user: 'bob' };
const { connection, notices } = await store.create({ name: 'No keychain', spec }, { password: process.env.CANARY });
const readBack = (await credentials.get(connection.id, 'password')) === process.env.CANARY;
log.close();
console.log(JSON.stringify({ backend: credentials.backend, persistent: credentials.persistent, notice: credentials.notice, notices, readBack }));
`;

async function runChild(
  env: Record<string, string | undefined>,
): Promise<{ result: Record<string, unknown>; dataDir: string; canary: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ferry-nokeychain-'));
  const canary = `CANARY-fallback-${randomUUID()}`;
  const childEnv: NodeJS.ProcessEnv = { ...process.env, FILEFERRY_HOME: dataDir, CANARY: canary, HOME: dataDir };
  delete childEnv.DISPLAY;
  delete childEnv.WAYLAND_DISPLAY;
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[key];
    else childEnv[key] = value;
  }
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
    cwd: root,
    env: childEnv,
    timeout: 60_000,
  });
  return { result: JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>, dataDir, canary };
}

describe('no OS keychain reachable', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  for (const [label, env] of [
    ['D-Bus address pointing to a dead socket', { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' }],
    ['no D-Bus session and no display', { DBUS_SESSION_BUS_ADDRESS: undefined }],
  ] as const) {
    it(`${label}: the secret is kept for the session with a clear notice, nothing on disk`, async () => {
      const { result, dataDir, canary } = await runChild(env);
      dirs.push(dataDir);
      assert.equal(result.backend, 'session');
      assert.equal(result.persistent, false);
      assert.match(String(result.notice), NOTICE);
      assert.deepEqual(result.notices, [result.notice], 'set() returned the notice');
      assert.equal(result.readBack, true, 'usable for this session');
      const files = (await filesUnder(dataDir)).map((f) => f.slice(dataDir.length + 1)).sort();
      assert.ok(files.includes('connections.json'), 'the connection itself was saved');
      assert.ok(!files.some((f) => f.startsWith('secrets')), `no secrets file: ${files.join(', ')}`);
      assert.match(await readFile(join(dataDir, 'logs', 'fileferry.log'), 'utf8'), /session only/, 'the log says why');
      assert.deepEqual(await scanForCanaries([dataDir], [canary]), []);
    });
  }
});

/** A stand-in for Electron's safeStorage: AES-256-GCM under a key held in memory (as the OS keychain would). */
function fakeSafeStorage(backend: string, key: Buffer = randomBytes(32)): SafeStorageAdapter & { key: Buffer } {
  return {
    key,
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => backend,
    encryptString(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decryptString(blob) {
      const bytes = Buffer.from(blob);
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(12, 28));
      return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

const noKeytar = () => {
  throw new Error("Cannot find module 'keytar'");
};
const deadKeychain = (): KeytarModule => {
  const fail = () => Promise.reject(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY'));
  return { getPassword: fail, setPassword: fail, deletePassword: fail, findCredentials: fail };
};

describe('Electron safeStorage fallback', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-safestorage-'));
    dirs.push(dir);
    return dir;
  };
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("refuses the 'basic_text' backend: session only, nothing written", async () => {
    const dataDir = await tempDir();
    const store = await openCredentialStore({
      dataDir,
      safeStorage: fakeSafeStorage('basic_text'),
      loadKeytar: deadKeychain,
    });
    assert.equal(store.backend, 'session');
    assert.match(store.notice ?? '', /basic_text/);
    assert.match(store.notice ?? '', /Cannot autolaunch D-Bus/);
    const canary = `CANARY-basic-${randomUUID()}`;
    const saved = await store.set(randomUUID(), 'password', canary);
    assert.equal(saved.persisted, false);
    assert.match(saved.notice ?? '', NOTICE);
    assert.deepEqual(await filesUnder(dataDir), []);
    assert.throws(
      () => new SafeStorageCredentialStore(fakeSafeStorage('basic_text'), dataDir),
      (error) => isFerryError(error, 'Unsupported') && /basic_text/.test(error.message),
    );
  });

  it("refuses 'unknown' (not yet decided) and unavailable encryption", async () => {
    const dataDir = await tempDir();
    for (const adapter of [
      fakeSafeStorage('unknown'),
      { ...fakeSafeStorage('kwallet5'), isEncryptionAvailable: () => false },
    ]) {
      const store = await openCredentialStore({ dataDir, safeStorage: adapter, loadKeytar: noKeytar });
      assert.equal(store.backend, 'session');
      assert.match(store.notice ?? '', /keytar keychain module did not load/);
    }
  });

  it('uses an encrypting adapter: blobs in secrets.enc.json without plaintext, readable after restart', async () => {
    const dataDir = await tempDir();
    const adapter = fakeSafeStorage('gnome_libsecret');
    const store = await openCredentialStore({ dataDir, safeStorage: adapter, loadKeytar: deadKeychain });
    assert.equal(store.backend, 'safe-storage');
    assert.equal(store.persistent, true);
    const [a, b] = [randomUUID(), randomUUID()];
    const canaries = [`CANARY-ss-pw-${randomUUID()}`, `CANARY-ss-key-${randomUUID()}`, `CANARY-ss-b-${randomUUID()}`];
    assert.deepEqual(await store.set(a, 'password', canaries[0]!), { persisted: true });
    await store.set(a, 'accountKey', canaries[1]!);
    await store.set(b, 'password', canaries[2]!);

    const text = await readFile(join(dataDir, 'secrets.enc.json'), 'utf8');
    assert.deepEqual(
      Object.keys(JSON.parse(text).entries).sort(),
      [`${a}:accountKey`, `${a}:password`, `${b}:password`].sort(),
    );
    assert.deepEqual(await scanForCanaries([dataDir], canaries), []);

    // A new process with the same OS-held key reads them back.
    const again = new SafeStorageCredentialStore(fakeSafeStorage('gnome_libsecret', adapter.key), dataDir);
    assert.equal(await again.get(a, 'password'), canaries[0]);
    assert.equal(await again.get(a, 'accountKey'), canaries[1]);
    await again.delete(a);
    assert.equal(await again.get(a, 'password'), undefined);
    assert.equal(await again.get(b, 'password'), canaries[2]);

    // Another key (the keychain entry was reset): an Integrity error that says what to do, not garbage.
    const otherKey = new SafeStorageCredentialStore(fakeSafeStorage('gnome_libsecret'), dataDir);
    await assert.rejects(
      otherKey.get(b, 'password'),
      (error) => isFerryError(error, 'Integrity') && /Enter it again/.test(error.message),
    );
  });
});
