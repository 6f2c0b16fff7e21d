// Secrets never reach a file or a message: connections whose secrets are unique canary strings go through
// successful and failing operations (test connection OK, wrong host, wrong password, a refused TLS
// certificate; S3 and Azure with stored-only secrets against closed ports and real emulators; a transfer
// through the engine with its persisted queue) with the file log installed at debug level. Then every
// file under the data and log folders is scanned, and every error message checked: zero canaries.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FerryError } from '../../shared/errors';
import { ConnectionStore } from '../../main/core/connections';
import { openCredentialStore, type KeytarModule } from '../../main/core/credentials';
import { installFileLog, type FileLog } from '../../main/core/log/file-sink';
import { createLogger } from '../../main/core/log/logger';
import { openProvider } from '../../main/core/providers';
import { TransferEngine } from '../../main/core/transfers';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';
import { requireKeyring, testKeychainService } from '../helpers/keyring';
import { startS3rver, type S3rverServer } from '../helpers/s3rver';
import { startAzurite, type AzuriteServer } from '../helpers/azurite';
import { filesUnder, scanForCanaries } from '../helpers/scan';

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

const canary = (what: string) => `CANARY${what}${randomUUID().replace(/-/g, '')}`;

describe('canary scan: no secret in any file or message', () => {
  const service = testKeychainService();
  let keytar: KeytarModule;
  let home: string;
  let log: FileLog;
  let store: ConnectionStore;
  let ftp: FtpServerHandle;
  let ftpsUntrusted: FtpServerHandle;
  let s3: S3rverServer;
  let azurite: AzuriteServer;
  const messages: string[] = [];

  const C = {
    ftpPassword: canary('ftppw'),
    wrongPassword: canary('wrongpw'),
    tlsPassword: canary('tlspw'),
    s3Secret: canary('s3secret'),
    s3Token: canary('s3token'),
    azureKeyText: canary('azkey'),
  };
  const azureKey = Buffer.from(C.azureKeyText).toString('base64');
  const all = () => [...Object.values(C), azureKey];

  before(async () => {
    keytar = await requireKeyring();
    home = await mkdtemp(join(tmpdir(), 'ferry-canary-'));
    log = installFileLog({ dir: join(home, 'logs'), level: 'debug' });
    const credentials = await openCredentialStore({ dataDir: home, service });
    assert.equal(credentials.backend, 'keychain');
    store = new ConnectionStore({ dataDir: home, credentials });
    [ftp, ftpsUntrusted, s3, azurite] = await Promise.all([
      startFtpServer({ user: 'canary', password: C.ftpPassword }),
      startFtpServer({ user: 'canary-tls', password: C.tlsPassword, tls: 'explicit' }),
      startS3rver({ buckets: ['canary'] }),
      startAzurite(),
    ]);
  });
  after(async () => {
    log?.close();
    await Promise.all([ftp?.stop(), ftpsUntrusted?.stop(), s3?.stop(), azurite?.stop()]);
    for (const entry of (await keytar?.findCredentials(service)) ?? [])
      await keytar.deletePassword(service, entry.account);
    if (home) await rm(home, { recursive: true, force: true });
  });

  async function expectFailure(name: string, codes: readonly string[]): Promise<FerryError> {
    const result = await store.test(name);
    assert.ok(!result.ok, `${name} should fail`);
    assert.ok(codes.includes(result.error.code), `${name}: ${result.error.code}: ${result.error.message}`);
    messages.push(result.error.message, JSON.stringify(result.error), String(result.error.stack));
    return result.error;
  }

  it('runs successful and failing operations with canary secrets', async () => {
    const dead = await closedPort();
    const ftpSpec = { kind: 'ftp' as const, host: ftp.host, port: ftp.port, user: ftp.user };
    await store.create({ name: 'ftp ok', spec: ftpSpec }, { password: C.ftpPassword });
    await store.create({ name: 'ftp wrong host', spec: { ...ftpSpec, port: dead } }, { password: C.ftpPassword });
    await store.create({ name: 'ftp wrong password', spec: ftpSpec }, { password: C.wrongPassword });
    await store.create({ name: 'ftps untrusted', spec: ftpsUntrusted.spec() as never }, { password: C.tlsPassword });
    const untrusted = await store.get('ftps untrusted');
    await store.update(untrusted.id, { spec: { ...untrusted.spec, caPem: undefined } as never });
    const s3Spec = {
      kind: 's3' as const,
      auth: 'keys' as const,
      accessKeyId: s3.accessKeyId,
      region: 'us-east-1',
      pathStyle: true,
      checksumMode: 'WHEN_REQUIRED' as const,
    };
    await store.create(
      { name: 's3 closed port', spec: { ...s3Spec, endpoint: `http://127.0.0.1:${dead}` } },
      { secretAccessKey: C.s3Secret, sessionToken: C.s3Token },
    );
    // s3rver does not verify signatures, so a canary secret signs real requests successfully there.
    await store.create(
      { name: 's3 emulator', spec: { ...s3Spec, endpoint: s3.endpoint } },
      { secretAccessKey: C.s3Secret },
    );
    const connectionString = (endpoint: string) =>
      `DefaultEndpointsProtocol=http;AccountName=${azurite.account};AccountKey=${azureKey};BlobEndpoint=${endpoint};`;
    await store.create(
      { name: 'azure closed port', spec: { kind: 'azure-blob', auth: 'connection-string' } },
      { connectionString: connectionString(`http://127.0.0.1:${dead}/${azurite.account}`) },
    );
    await store.create(
      { name: 'azure wrong key', spec: { kind: 'azure-blob', auth: 'connection-string' } },
      { connectionString: connectionString(azurite.endpoint) },
    );

    const ok = await store.test('ftp ok');
    assert.ok(ok.ok, JSON.stringify(ok));
    await expectFailure('ftp wrong host', ['Network']);
    await expectFailure('ftp wrong password', ['AuthFailed']);
    const tls = await expectFailure('ftps untrusted', ['Protocol']);
    assert.match(tls.message, /not trusted/);
    await expectFailure('s3 closed port', ['Network', 'Timeout']);
    const s3ok = await store.test('s3 emulator');
    assert.ok(s3ok.ok, JSON.stringify(s3ok));
    await expectFailure('azure closed port', ['Network', 'Timeout']);
    await expectFailure('azure wrong key', ['AuthFailed', 'PermissionDenied']);
    assert.ok(
      !ftpsUntrusted.commands.some((c) => c.startsWith('USER') || c.startsWith('PASS')),
      'no credentials sent to an untrusted server',
    );

    // Careless callers: a secret in a message, a field and an error reaching the log all come out masked.
    const careless = createLogger({ module: 'careless' });
    careless.info(`connecting with ${C.ftpPassword}`, { password: C.wrongPassword, nested: { token: C.s3Token } });
    careless.error('failed', { error: new Error(`bad key ${azureKey}`) });
    const thrown = new FerryError('AuthFailed', `login with ${C.tlsPassword} refused; url ftp://u:${C.ftpPassword}@h/`);
    messages.push(thrown.message);
  });

  it('runs transfers through the engine with a persisted queue', async () => {
    const source = join(home, '..', `${randomUUID()}-src`);
    await mkdir(source);
    await writeFile(join(source, 'upload.txt'), 'canary transfer payload\n');
    try {
      const engine = await TransferEngine.open({
        dataDir: home,
        retries: 0,
        openConnection: (ref) =>
          'savedId' in ref
            ? store.open(ref.savedId)
            : openProvider(ref.spec, { log: createLogger({ kind: ref.spec.kind }) }),
      });
      const local = { spec: { kind: 'local' as const, root: source } };
      const good = engine.add({
        source: { connection: local, path: '/upload.txt' },
        target: { connection: { savedId: (await store.get('ftp ok')).id }, path: '/upload.txt' },
      });
      const bad = engine.add({
        source: { connection: local, path: '/upload.txt' },
        target: { connection: { savedId: (await store.get('ftp wrong password')).id }, path: '/upload.txt' },
      });
      const [goodDone, badDone] = await Promise.all([engine.waitFor(good.id), engine.waitFor(bad.id)]);
      await engine.close();
      assert.equal(goodDone.state, 'completed', JSON.stringify(goodDone));
      assert.equal(badDone.state, 'failed');
      messages.push(JSON.stringify(badDone));
      assert.equal(await readFile(join(ftp.root, 'upload.txt'), 'utf8'), 'canary transfer payload\n');
      // The queue (SQLite) keeps text as it is: the failure is there to find, and so would a leaked secret be.
      const queue = await readFile(join(home, 'queue.db'), 'latin1');
      assert.match(queue, /AuthFailed/, 'the failure is persisted');
    } finally {
      await rm(source, { recursive: true, force: true });
    }
  });

  it('finds no canary in any file under the data and log folders, nor in any message', async () => {
    const files = (await filesUnder(home)).map((f) => f.slice(home.length + 1)).sort();
    assert.ok(
      files.includes('connections.json') && files.includes('queue.db') && files.includes(join('logs', 'fileferry.log')),
      files.join(', '),
    );
    const logText = await readFile(join(home, 'logs', 'fileferry.log'), 'utf8');
    assert.match(logText, /connection test failed/);
    assert.match(logText, /connecting with \*\*\*/);
    for (const line of logText.trim().split('\n')) JSON.parse(line);
    assert.deepEqual(await scanForCanaries([home], all()), []);
    for (const message of messages) {
      for (const secret of all()) assert.ok(!message.includes(secret), `message leaks a canary: ${message}`);
    }
    assert.ok(messages.length >= 10);
  });
});
