// Imports round-tripped into working connections: sites from a sitemanager.xml and remotes from an
// rclone.conf are imported, their passwords land in the real OS keychain, and "test connection" then logs
// in to real servers (ftp-srv plain / explicit / implicit TLS, s3rver, Azurite) with them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SavedConnection } from '../../shared/connections';
import { ConnectionStore, type TestConnectionResult } from '../../main/core/connections';
import { openCredentialStore, type CredentialStore, type KeytarModule } from '../../main/core/credentials';
import { commitImport, previewImport } from '../../main/core/imports';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';
import { requireKeyring, testKeychainService } from '../helpers/keyring';
import { startS3rver, type S3rverServer } from '../helpers/s3rver';
import { startAzurite, type AzuriteServer } from '../helpers/azurite';
import { base64, rcloneConf, siteManagerXml } from './fixtures';

/** The FTP spec of a saved connection with some fields changed (what the UI's edit form sends). */
function ftpSpecWith(connection: SavedConnection, changes: { pinnedFingerprints?: string[]; caPem?: string }) {
  assert.ok(connection.spec.kind === 'ftp' || connection.spec.kind === 'ftps');
  return { ...connection.spec, ...changes };
}

function assertOk(result: TestConnectionResult, what: string): void {
  assert.ok(result.ok, `${what}: ${result.ok ? '' : `${result.error.code}: ${result.error.message}`}`);
}

describe('imported connections work against real servers (keychain)', () => {
  let keytar: KeytarModule;
  const service = testKeychainService();
  let credentials: CredentialStore;
  const dirs: string[] = [];
  let plain: FtpServerHandle;
  let explicit: FtpServerHandle;
  let implicit: FtpServerHandle;

  before(async () => {
    keytar = await requireKeyring();
    [plain, explicit, implicit] = await Promise.all([
      startFtpServer({ user: 'fz-plain', password: 'plain pässword & <xml> 1' }),
      startFtpServer({ user: 'fz-explicit', password: ' explicit-pw ', tls: 'explicit' }),
      startFtpServer({ user: 'fz-implicit', password: 'implicit-pw-Ω', tls: 'implicit' }),
    ]);
    await mkdir(join(plain.root, 'pub'));
  });
  after(async () => {
    await Promise.all([plain?.stop(), explicit?.stop(), implicit?.stop()]);
    for (const entry of (await keytar?.findCredentials(service)) ?? [])
      await keytar.deletePassword(service, entry.account);
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  async function newStore(): Promise<ConnectionStore> {
    const dataDir = await mkdtemp(join(tmpdir(), 'ferry-roundtrip-'));
    dirs.push(dataDir);
    credentials = await openCredentialStore({ dataDir, service });
    assert.equal(credentials.backend, 'keychain');
    return new ConnectionStore({ dataDir, credentials });
  }
  async function fixture(name: string, text: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-roundtrip-src-'));
    dirs.push(dir);
    await writeFile(join(dir, name), text);
    return join(dir, name);
  }

  it('FileZilla: FTP (base64), FTPES (plain text) and FTPS implicit (master password) sites', async () => {
    const store = await newStore();
    const xml = siteManagerXml(
      [
        {
          name: 'Plain',
          host: plain.host,
          port: plain.port,
          protocol: 0,
          user: plain.user,
          pass: ['base64', base64(plain.password)],
          remoteDir: '1 0 3 pub',
        },
      ],
      [
        {
          name: 'Explicit',
          host: explicit.host,
          port: explicit.port,
          protocol: 4,
          user: explicit.user,
          pass: [undefined, explicit.password],
        },
      ],
      [
        {
          name: 'Implicit',
          host: implicit.host,
          port: implicit.port,
          protocol: 3,
          user: implicit.user,
          pass: ['crypt', 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'],
        },
      ],
    );
    const result = await commitImport(await previewImport(await fixture('sitemanager.xml', xml)), store);
    assert.equal(result.created.length, 3);
    assert.deepEqual(result.notices, [], 'saved in the keychain, no session-only notice');

    const plainConnection = await store.get('Plain');
    assert.equal(
      await keytar.getPassword(service, `${plainConnection.id}:password`),
      plain.password,
      'in the real keychain',
    );
    const plainTest = await store.test('Plain');
    assertOk(plainTest, 'plain FTP');
    assert.equal(plainTest.path, '/pub');

    // FTPES: the server's self-signed certificate is refused until the user pins it (as the UI offers).
    const explicitConnection = await store.get('Explicit');
    const refused = await store.test(explicitConnection.id);
    assert.ok(
      !refused.ok && refused.error.code === 'Protocol' && typeof refused.error.details.fingerprint === 'string',
      JSON.stringify(refused),
    );
    await store.update(explicitConnection.id, {
      spec: ftpSpecWith(explicitConnection, { pinnedFingerprints: [String(refused.error.details.fingerprint)] }),
    });
    assertOk(await store.test(explicitConnection.id), 'explicit FTPS with the imported password');

    // FTPS implicit: the password was behind FileZilla's master password; the user enters it.
    const implicitItem = result.created.find((c) => c.connection.name === 'Implicit')!;
    assert.deepEqual(implicitItem.missingSecrets, ['password']);
    const implicitConnection = implicitItem.connection;
    const noPassword = await store.test(implicitConnection.id);
    assert.ok(!noPassword.ok);
    await store.update(
      implicitConnection.id,
      { spec: ftpSpecWith(implicitConnection, { caPem: implicit.certificate!.certPem }) },
      { password: implicit.password },
    );
    assertOk(await store.test(implicitConnection.id), 'implicit FTPS after entering the password');
  });

  describe('rclone.conf', () => {
    let s3: S3rverServer;
    let azurite: AzuriteServer;
    before(async () => {
      [s3, azurite] = await Promise.all([startS3rver({ buckets: ['imported'] }), startAzurite()]);
    });
    after(async () => {
      await Promise.all([s3?.stop(), azurite?.stop()]);
    });

    it('ftp (obscured), s3 and azureblob remotes log in with the imported secrets', async () => {
      const store = await newStore();
      const conf =
        rcloneConf({
          ftp: { name: 'rc-ftp', host: plain.host, port: plain.port, user: plain.user, password: plain.password },
          s3: {
            name: 'rc-s3',
            accessKeyId: s3.accessKeyId,
            secretAccessKey: s3.secretAccessKey,
            endpoint: s3.endpoint,
            region: 'us-east-1',
          },
          azure: { name: 'rc-azure', account: azurite.account, key: azurite.accountKey, endpoint: azurite.endpoint },
        }) +
        `\n[rc-ftpes]\ntype = ftp\nhost = ${explicit.host}\nport = ${explicit.port}\nuser = ${explicit.user}\nexplicit_tls = true\npass = ` +
        (await import('../../main/core/imports')).obscureRclonePassword(explicit.password) +
        '\n';
      const preview = await previewImport(await fixture('rclone.conf', conf));
      assert.deepEqual(
        preview.items.map((i) => i.status),
        ['ready', 'ready', 'ready', 'ready'],
      );
      const result = await commitImport(preview, store);
      assert.equal(result.created.length, 4);

      assertOk(await store.test('rc-ftp'), 'rclone ftp');
      assertOk(await store.test('rc-s3'), 'rclone s3');
      assertOk(await store.test('rc-azure'), 'rclone azureblob');
      const ftpes = await store.get('rc-ftpes');
      await store.update(ftpes.id, { spec: ftpSpecWith(ftpes, { caPem: explicit.certificate!.certPem }) });
      assertOk(await store.test('rc-ftpes'), 'rclone ftp with explicit_tls');
      assert.equal(await credentials.get((await store.get('rc-s3')).id, 'secretAccessKey'), s3.secretAccessKey);
    });
  });
});
