// FileZilla sitemanager.xml → connection drafts: protocols, logon types, password encodings, folders as
// groups, remote folders; secret values never in the preview.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isFerryError } from '../../shared/errors';
import { redact } from '../../shared/redact';
import { commitImport, detectImportFormat, previewImport } from '../../main/core/imports';
import { parseFileZillaRemoteDir } from '../../main/core/imports/filezilla';
import { base64, siteManagerXml, TempFolders } from './fixtures';

const temp = new TempFolders();
after(() => temp.remove());
const writeFixture = (name: string, text: string) => temp.file(name, text);

const B64_PASSWORD = 'Bäse64 pw & <x> 0012';
const PLAIN_PASSWORD = ' plain-pw & <entities> ';

const xml = siteManagerXml(
  [
    {
      name: 'Plain FTP & co',
      host: 'ftp.example.test',
      port: 2121,
      protocol: 0,
      user: 'alice',
      pass: ['base64', base64(B64_PASSWORD)],
      remoteDir: '1 0 4 home 9 my folder',
    },
    {
      name: 'Secure shell',
      host: 'ssh.example.test',
      port: 22,
      protocol: 1,
      user: 'root',
      pass: ['base64', base64('ssh-pw')],
    },
    { name: 'Anonymous mirror', host: 'mirror.example.test', port: 21, protocol: 0, logontype: 0 },
    { name: 'Ask me', host: 'ask.example.test', port: 21, protocol: 6, user: 'carol', logontype: 2 },
    {
      name: 'Prod: main',
      host: 'prod.example.test',
      port: 21,
      protocol: 4,
      user: 'dave',
      pass: ['base64', base64('prod-pw')],
    },
  ],
  [
    {
      name: 'Explicit',
      host: 'ftpes.example.test',
      port: 21,
      protocol: 4,
      user: 'bob',
      pass: [undefined, PLAIN_PASSWORD],
      comments: 'Client note',
    },
  ],
  [
    {
      name: 'Implicit',
      host: 'ftps.example.test',
      port: 990,
      protocol: 3,
      user: 'eve',
      pass: ['crypt', 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'],
    },
  ],
);

describe('FileZilla import', () => {
  it('parses CServerPath remote folders', () => {
    assert.equal(parseFileZillaRemoteDir('1 0 4 home 3 bob'), '/home/bob');
    assert.equal(parseFileZillaRemoteDir('1 0 4 home 9 my folder'), '/home/my folder');
    assert.equal(parseFileZillaRemoteDir('1 0'), undefined);
    assert.equal(parseFileZillaRemoteDir('garbage'), undefined);
  });

  it('previews every site with its status, group, TLS mode and warnings, without secret values', async () => {
    const file = await writeFixture('sitemanager.xml', xml);
    const preview = await previewImport(file);
    assert.equal(preview.format, 'filezilla');
    const byName = new Map(preview.items.map((item) => [item.source, item]));
    assert.deepEqual(
      [...byName.keys()],
      [
        'FileZilla: Plain FTP & co',
        'FileZilla: Secure shell',
        'FileZilla: Anonymous mirror',
        'FileZilla: Ask me',
        'FileZilla: Prod: main',
        'FileZilla: Clients/Explicit',
        'FileZilla: Clients/Acme/Implicit',
      ],
    );

    const plain = byName.get('FileZilla: Plain FTP & co')!;
    assert.equal(plain.status, 'ready');
    assert.deepEqual(plain.secretFields, ['password']);
    assert.deepEqual(plain.connection?.spec, {
      kind: 'ftp',
      host: 'ftp.example.test',
      port: 2121,
      user: 'alice',
      tls: 'none',
      pinnedFingerprints: [],
      maxConnections: 2,
      timeoutMs: 30_000,
      temporaryNames: true,
    });
    assert.equal(plain.connection?.defaultRemoteFolder, '/home/my folder');
    assert.match(plain.warnings.join(' '), /FileFerry will connect without TLS/);

    const sftp = byName.get('FileZilla: Secure shell')!;
    assert.equal(sftp.status, 'unsupported');
    assert.equal(sftp.connection, undefined);
    assert.match(sftp.warnings.join(' '), /SFTP is not supported/);

    const anonymous = byName.get('FileZilla: Anonymous mirror')!;
    assert.equal(anonymous.status, 'ready');
    assert.equal(anonymous.connection?.spec.kind === 'ftp' && anonymous.connection.spec.user, 'anonymous');
    assert.deepEqual(anonymous.secretFields, []);

    const ask = byName.get('FileZilla: Ask me')!;
    assert.equal(ask.status, 'needs-secret');
    assert.deepEqual(ask.missingSecrets, ['password']);

    const renamed = byName.get('FileZilla: Prod: main')!;
    assert.equal(renamed.connection?.name, 'Prod - main');
    assert.match(renamed.warnings.join(' '), /cannot contain ":"/);

    const explicit = byName.get('FileZilla: Clients/Explicit')!;
    assert.equal(explicit.status, 'ready');
    assert.equal(explicit.connection?.group, 'Clients');
    assert.equal(explicit.connection?.notes, 'Client note');
    assert.deepEqual(
      explicit.connection?.spec.kind === 'ftps' && [explicit.connection.spec.tls, explicit.connection.spec.port],
      ['explicit', 21],
    );

    const implicit = byName.get('FileZilla: Clients/Acme/Implicit')!;
    assert.equal(implicit.status, 'needs-secret');
    assert.equal(implicit.connection?.group, 'Clients/Acme');
    assert.deepEqual(
      implicit.connection?.spec.kind === 'ftps' && [implicit.connection.spec.tls, implicit.connection.spec.port],
      ['implicit', 990],
    );
    assert.match(implicit.warnings.join(' '), /master password/);

    const shown = JSON.stringify(preview);
    for (const secret of [B64_PASSWORD, PLAIN_PASSWORD.trim(), base64(B64_PASSWORD), 'prod-pw']) {
      assert.ok(!shown.includes(secret), `preview leaks ${secret}`);
    }
    assert.equal(redact(`x ${B64_PASSWORD} y`), 'x *** y', 'parsed passwords are registered for redaction');
  });

  it('commits the selection: passwords (base64 and plain, spaces kept) to the credential store', async () => {
    const file = await writeFixture('sitemanager.xml', xml);
    const preview = await previewImport(file);
    const { store, credentials } = await temp.store();
    await store.create({ name: 'Explicit', spec: { kind: 'ftp', host: 'taken.test' } });

    const keys = preview.items.filter((i) => i.source !== 'FileZilla: Ask me').map((i) => i.key);
    const result = await commitImport(preview, store, { keys });
    assert.deepEqual(result.created.map((c) => c.connection.name).sort(), [
      'Anonymous mirror',
      'Explicit (imported)',
      'Implicit',
      'Plain FTP & co',
      'Prod - main',
    ]);
    assert.equal(result.created.find((c) => c.connection.name === 'Explicit (imported)')?.renamedFrom, 'Explicit');
    assert.deepEqual(
      result.skipped.map((s) => s.source),
      ['FileZilla: Secure shell'],
    );
    assert.deepEqual(result.created.find((c) => c.connection.name === 'Implicit')?.missingSecrets, ['password']);
    assert.equal(await credentials.get((await store.get('Plain FTP & co')).id, 'password'), B64_PASSWORD);
    assert.equal(await credentials.get((await store.get('Explicit (imported)')).id, 'password'), PLAIN_PASSWORD);
    assert.equal(await credentials.get((await store.get('Implicit')).id, 'password'), undefined);
  });

  it('reports broken XML and non-FileZilla files clearly', async () => {
    const broken = await writeFixture('sitemanager.xml', xml.slice(0, xml.length - 40));
    await assert.rejects(
      previewImport(broken),
      (e) => isFerryError(e, 'InvalidInput') && /not well-formed XML \(line \d+/.test(e.message),
    );
    const other = await writeFixture('other.xml', '<?xml version="1.0"?><settings><a>1</a></settings>');
    await assert.rejects(
      previewImport(other),
      (e) => isFerryError(e, 'InvalidInput') && /not a format FileFerry imports/.test(e.message),
    );
    assert.equal(detectImportFormat(xml, 'whatever.txt'), 'filezilla');
  });
});
