// rclone.conf → connections: obscured passwords revealed with rclone's published algorithm (vectors made
// by rclone 1.60 itself), ftp/s3/azureblob remotes mapped, other backends reported.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isFerryError } from '../../shared/errors';
import { commitImport, obscureRclonePassword, previewImport, revealRclonePassword } from '../../main/core/imports';
import { splitSasUrl } from '../../main/core/imports/rclone';
import { rcloneConf, TempFolders } from './fixtures';

const temp = new TempFolders();
after(() => temp.remove());
const writeFixture = (name: string, text: string) => temp.file(name, text);

describe('rclone obscured passwords', () => {
  it('obscures with a known IV exactly as rclone does, and reveals it', () => {
    const iv = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
    // `rclone reveal AAECAwQFBgcICQoLDA0OD3KsBFc0pmD6DoV7FnOPvUY` prints "s3cr3t pässword" (rclone 1.60).
    const obscured = obscureRclonePassword('s3cr3t pässword', iv);
    assert.equal(obscured, 'AAECAwQFBgcICQoLDA0OD3KsBFc0pmD6DoV7FnOPvUY');
    assert.equal(revealRclonePassword(obscured), 's3cr3t pässword');
  });

  it('reveals what `rclone obscure` wrote (random IV)', () => {
    assert.equal(revealRclonePassword('fSL6JBOsQUiRHUof0bpir_73AoyMokrdpyC5jg'), 'hello wörld');
  });

  it('round-trips random passwords and refuses what is not obscured', () => {
    for (const password of ['', 'a', 'x'.repeat(300), '🔑 秘密 \u0000 end']) {
      assert.equal(revealRclonePassword(obscureRclonePassword(password)), password);
    }
    for (const bad of ['short', 'not base64 at all!', 'AAEC']) {
      assert.throws(
        () => revealRclonePassword(bad),
        (e) => isFerryError(e, 'InvalidInput'),
      );
    }
  });
});

describe('rclone.conf import', () => {
  it('maps ftp, s3 and azureblob remotes; secrets stay out of the preview and go to the store', async () => {
    const conf =
      rcloneConf({
        ftp: { name: 'box', host: '127.0.0.1', port: 2121, user: 'bob', password: 'ftp-pw-Ω-1', tls: 'explicit' },
        s3: {
          name: 'minio',
          accessKeyId: 'AKIATEST',
          secretAccessKey: 'S3-SECRET-abc/def+ghi',
          endpoint: 'http://127.0.0.1:9000',
          region: 'us-east-1',
        },
        azure: {
          name: 'azurite',
          account: 'devstoreaccount1',
          key: 'QVpVUkUta2V5LWZvci10ZXN0cw==',
          endpoint: 'http://127.0.0.1:10000/devstoreaccount1',
        },
      }) +
      '\n[implicit]\ntype = ftp\nhost = ftps.example.test\nuser = amy\npass = ' +
      obscureRclonePassword('implicit-pw') +
      '\ntls = true\nno_check_certificate = true\n' +
      '\n[sas]\ntype = azureblob\nsas_url = https://acct1.blob.core.windows.net/photos?sv=2022-11-02&sp=rl&sig=SIGVALUE123\n' +
      '\n[emulator]\ntype = azureblob\nuse_emulator = true\n' +
      '\n[profiled]\ntype = s3\nprovider = AWS\nprofile = work\nregion = eu-west-1\n' +
      '\n[gdrive]\ntype = drive\nscope = drive\n' +
      '\n[secret]\ntype = crypt\nremote = box:enc\n';
    const file = await writeFixture('rclone.conf', conf);
    const preview = await previewImport(file);
    assert.equal(preview.format, 'rclone');
    const item = (name: string) => preview.items.find((i) => i.source === `rclone: [${name}]`)!;

    assert.deepEqual(
      preview.items.map((i) => [i.source, i.status]),
      [
        ['rclone: [box]', 'ready'],
        ['rclone: [minio]', 'ready'],
        ['rclone: [azurite]', 'ready'],
        ['rclone: [implicit]', 'ready'],
        ['rclone: [sas]', 'ready'],
        ['rclone: [emulator]', 'ready'],
        ['rclone: [profiled]', 'ready'],
        ['rclone: [gdrive]', 'unsupported'],
        ['rclone: [secret]', 'unsupported'],
      ],
    );
    assert.deepEqual(item('box').connection?.spec, {
      kind: 'ftps',
      host: '127.0.0.1',
      port: 2121,
      user: 'bob',
      tls: 'explicit',
      pinnedFingerprints: [],
      maxConnections: 2,
      timeoutMs: 30_000,
      temporaryNames: true,
    });
    assert.deepEqual(item('box').secretFields, ['password']);
    const implicitSpec = item('implicit').connection?.spec;
    assert.equal(implicitSpec?.kind === 'ftps' && implicitSpec.tls, 'implicit');
    assert.match(item('implicit').warnings.join(' '), /Pin the server's certificate fingerprint/);
    assert.deepEqual(item('minio').connection?.spec, {
      kind: 's3',
      auth: 'keys',
      accessKeyId: 'AKIATEST',
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      pathStyle: true,
      partSizeMiB: 5,
      uploadConcurrency: 4,
      maxConnections: 4,
    });
    assert.deepEqual(item('minio').secretFields, ['secretAccessKey']);
    const azuriteSpec = item('azurite').connection?.spec;
    assert.equal(azuriteSpec?.kind === 'azure-blob' && azuriteSpec.auth, 'key');
    assert.deepEqual(item('azurite').secretFields, ['accountKey']);
    const sas = item('sas').connection?.spec;
    assert.ok(sas?.kind === 'azure-blob');
    assert.deepEqual(
      [sas.auth, sas.account, sas.container, sas.endpoint],
      ['sas', 'acct1', 'photos', 'https://acct1.blob.core.windows.net'],
    );
    const emulator = item('emulator').connection?.spec;
    assert.ok(
      emulator?.kind === 'azure-blob' &&
        emulator.endpoint === 'http://127.0.0.1:10000/devstoreaccount1' &&
        emulator.account === 'devstoreaccount1',
    );
    const profiled = item('profiled').connection?.spec;
    assert.ok(
      profiled?.kind === 's3' &&
        profiled.auth === 'profile' &&
        profiled.profile === 'work' &&
        profiled.region === 'eu-west-1',
    );
    assert.match(item('gdrive').warnings.join(' '), /"drive" remotes are not supported/);

    const shown = JSON.stringify(preview);
    for (const secret of [
      'ftp-pw-Ω-1',
      'S3-SECRET-abc/def+ghi',
      'QVpVUkUta2V5LWZvci10ZXN0cw==',
      'SIGVALUE123',
      'implicit-pw',
    ]) {
      assert.ok(!shown.includes(secret), `preview leaks ${secret}`);
    }

    const { store, credentials } = await temp.store();
    const result = await commitImport(preview, store);
    assert.equal(result.created.length, 7);
    assert.deepEqual(result.skipped, [], 'unselected unsupported items are not reported as skipped');
    const secretOf = async (name: string, field: Parameters<typeof credentials.get>[1]) =>
      credentials.get((await store.get(name)).id, field);
    assert.equal(await secretOf('box', 'password'), 'ftp-pw-Ω-1');
    assert.equal(await secretOf('implicit', 'password'), 'implicit-pw');
    assert.equal(await secretOf('minio', 'secretAccessKey'), 'S3-SECRET-abc/def+ghi');
    assert.equal(await secretOf('azurite', 'accountKey'), 'QVpVUkUta2V5LWZvci10ZXN0cw==');
    assert.equal(await secretOf('sas', 'sasToken'), 'sv=2022-11-02&sp=rl&sig=SIGVALUE123');
    assert.match((await secretOf('emulator', 'accountKey')) ?? '', /^Eby8vdM02x/);
  });

  it('splits path-style (Azurite) SAS URLs', () => {
    assert.deepEqual(splitSasUrl('http://127.0.0.1:10000/devstoreaccount1/box?sv=1&sig=x'), {
      endpoint: 'http://127.0.0.1:10000/devstoreaccount1',
      account: 'devstoreaccount1',
      container: 'box',
      sasToken: 'sv=1&sig=x',
    });
    assert.equal(splitSasUrl('https://acct.blob.core.windows.net/c'), undefined, 'no token');
  });

  it('refuses an encrypted rclone config with the command that decrypts it', async () => {
    const file = await writeFixture(
      'rclone.conf',
      '# Encrypted rclone configuration File\n\nRCLONE_ENCRYPT_V0:\nAbCdEf0123456789\n',
    );
    await assert.rejects(
      previewImport(file),
      (e) => isFerryError(e, 'Unsupported') && /rclone config show/.test(e.message),
    );
  });
});
