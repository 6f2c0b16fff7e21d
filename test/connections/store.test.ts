// Saved connections: create, edit, delete, duplicate, resolve and test; unique names; atomic writes; and
// a damaged connections.json reported and kept aside byte for byte, never silently replaced.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFerryError } from '../../shared/errors';
import { ConnectionStore } from '../../main/core/connections';
import { SessionCredentialStore } from '../../main/core/credentials';
import { commitImport, previewImport } from '../../main/core/imports';

const dirs: string[] = [];
async function tempDir(prefix = 'ferry-conn-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
async function newStore(): Promise<{ store: ConnectionStore; dataDir: string; credentials: SessionCredentialStore }> {
  const dataDir = await tempDir();
  const credentials = new SessionCredentialStore('test');
  return { store: new ConnectionStore({ dataDir, credentials }), dataDir, credentials };
}
const ftp = (host = 'ftp.example.test') => ({ kind: 'ftp' as const, host, user: 'bob' });

after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('connection store', () => {
  it('creates connections with defaults filled, finds them by id or by name ignoring case', async () => {
    const { store, dataDir } = await newStore();
    const { connection } = await store.create(
      {
        name: 'Acme Web',
        spec: ftp(),
        group: ' Clients / Acme/ ',
        defaultRemoteFolder: 'www/./html/',
        notes: 'n',
        concurrency: 3,
      },
      { password: 'pw-acme-1234' },
    );
    assert.match(connection.id, /^[0-9a-f-]{36}$/);
    assert.equal(connection.kind, 'ftp');
    assert.equal(connection.group, 'Clients/Acme');
    assert.equal(connection.defaultRemoteFolder, '/www/html');
    assert.deepEqual(connection.spec, {
      kind: 'ftp',
      host: 'ftp.example.test',
      user: 'bob',
      tls: 'none',
      pinnedFingerprints: [],
      maxConnections: 2,
      timeoutMs: 30_000,
      temporaryNames: true,
    });
    assert.equal((await store.get('acme web')).id, connection.id);
    assert.equal((await store.get(connection.id)).name, 'Acme Web');
    assert.equal(await store.find('nope'), undefined);
    await assert.rejects(
      store.get('nope'),
      (e) => isFerryError(e, 'NotFound') && /fileferry connections list/.test(e.message),
    );

    const file = join(dataDir, 'connections.json');
    const text = await readFile(file, 'utf8');
    assert.equal(JSON.parse(text).connections[0].id, connection.id);
    assert.ok(!text.includes('pw-acme-1234'), 'no secret in connections.json');
    if (process.platform !== 'win32') assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await store.storedSecretFields(connection), ['password']);
  });

  it('refuses a second name that differs only in case or spaces, on create and on rename', async () => {
    const { store } = await newStore();
    await store.create({ name: 'Prod', spec: ftp() });
    const { connection: other } = await store.create({ name: 'Staging', spec: ftp() });
    for (const name of ['prod', ' PROD ', 'Prod']) {
      await assert.rejects(
        store.create({ name, spec: ftp() }),
        (e) => isFerryError(e, 'AlreadyExists') && /"Prod" already exists/.test(e.message),
      );
    }
    await assert.rejects(store.update(other.id, { name: 'pROD' }), (e) => isFerryError(e, 'AlreadyExists'));
    assert.equal(
      (await store.update(other.id, { name: 'staging' })).connection.name,
      'staging',
      'renaming to itself in another case is fine',
    );
    assert.equal((await store.list()).length, 2);
  });

  it('rejects invalid settings with InvalidInput and saves nothing', async () => {
    const { store, dataDir } = await newStore();
    const bad = [
      { name: '', spec: ftp() },
      { name: 'a:b', spec: ftp() },
      { name: 'x', spec: { kind: 'ftp', host: 'h', port: 70000 } },
      { name: 'x', spec: { kind: 'gopher', host: 'h' } },
      { name: 'x\nInjected', spec: ftp() },
    ];
    for (const input of bad) {
      await assert.rejects(
        store.create(input as never),
        (e) => isFerryError(e, 'InvalidInput') && /not valid/.test(e.message),
        JSON.stringify(input),
      );
    }
    await assert.rejects(
      store.create({ name: 'x', spec: ftp() }, { accountKey: 'k' }),
      (e) => isFerryError(e, 'InvalidInput') && /no "accountKey"/.test(e.message),
    );
    assert.deepEqual(await readdir(dataDir), []);
  });

  it('edits fields and secrets: a value replaces, null deletes, absent keeps', async () => {
    const { store, credentials } = await newStore();
    const { connection } = await store.create(
      { name: 'S3', spec: { kind: 's3', auth: 'keys', accessKeyId: 'AKIAEXAMPLE' } },
      { secretAccessKey: 'sk-1', sessionToken: 'st-1' },
    );
    const { connection: edited } = await store.update(
      connection.id,
      { notes: 'edited', spec: { kind: 's3', auth: 'keys', accessKeyId: 'AKIA2', region: 'eu-west-1' } },
      { secretAccessKey: 'sk-2', sessionToken: null },
    );
    assert.equal(edited.notes, 'edited');
    assert.equal(edited.spec.kind === 's3' && edited.spec.region, 'eu-west-1');
    assert.equal(edited.createdAt, connection.createdAt);
    assert.ok(edited.updatedAt >= connection.updatedAt);
    assert.equal(await credentials.get(connection.id, 'secretAccessKey'), 'sk-2');
    assert.equal(await credentials.get(connection.id, 'sessionToken'), undefined);
    const { connection: cleared } = await store.update(connection.id, { notes: undefined });
    assert.equal(cleared.notes, undefined);
    assert.equal(await credentials.get(connection.id, 'secretAccessKey'), 'sk-2');
    await assert.rejects(store.update('missing-id', { notes: 'x' }), (e) => isFerryError(e, 'NotFound'));
  });

  it('duplicates a connection with its secrets under a free name', async () => {
    const { store, credentials } = await newStore();
    const { connection } = await store.create({ name: 'Box', spec: ftp(), group: 'G' }, { password: 'box-pw-1' });
    const first = (await store.duplicate(connection.id)).connection;
    const second = (await store.duplicate(connection.id)).connection;
    const named = (await store.duplicate(connection.id, 'Box three')).connection;
    assert.deepEqual([first.name, second.name, named.name], ['Box (copy)', 'Box (copy 2)', 'Box three']);
    for (const copy of [first, second, named]) {
      assert.notEqual(copy.id, connection.id);
      assert.equal(copy.group, 'G');
      assert.deepEqual(copy.spec, connection.spec);
      assert.equal(await credentials.get(copy.id, 'password'), 'box-pw-1');
    }
  });

  it('deleting a connection deletes all of its secrets', async () => {
    const { store, credentials } = await newStore();
    const { connection } = await store.create(
      { name: 'Az', spec: { kind: 'azure-blob', auth: 'key', account: 'acct' } },
      { accountKey: 'ak-1', sasToken: 'sv=1&sig=abc' },
    );
    const { connection: keep } = await store.create({ name: 'Keep', spec: ftp() }, { password: 'keep-pw' });
    await store.remove(connection.id);
    assert.equal(await credentials.get(connection.id, 'accountKey'), undefined);
    assert.equal(await credentials.get(connection.id, 'sasToken'), undefined);
    assert.equal(await credentials.get(keep.id, 'password'), 'keep-pw');
    assert.deepEqual(
      (await store.list()).map((c) => c.name),
      ['Keep'],
    );
    await assert.rejects(store.remove(connection.id), (e) => isFerryError(e, 'NotFound'));
  });

  it('resolves by name or id to the spec and a secret resolver', async () => {
    const { store } = await newStore();
    const { connection } = await store.create({ name: 'Resolve me', spec: ftp() }, { password: 'resolve-pw' });
    for (const key of ['RESOLVE ME', connection.id]) {
      const resolved = await store.resolve(key);
      assert.equal(resolved.id, connection.id);
      assert.deepEqual(resolved.spec, connection.spec);
      assert.equal(await resolved.secrets('password'), 'resolve-pw');
      assert.equal(await resolved.secrets('accountKey'), undefined);
    }
  });

  it('keeps every change of parallel writers and leaves no temporary files', async () => {
    const { store, dataDir } = await newStore();
    await Promise.all(
      Array.from({ length: 25 }, (_, i) => store.create({ name: `Site ${i}`, spec: ftp(`h${i}.test`) })),
    );
    const second = new ConnectionStore({ dataDir, credentials: new SessionCredentialStore('test') });
    assert.equal((await second.list()).length, 25, 'another instance reads the same file');
    assert.deepEqual(await readdir(dataDir), ['connections.json']);
  });

  it('tests a connection by stat-ing its default remote folder', async () => {
    const { store } = await newStore();
    const root = await tempDir('ferry-conn-local-');
    await mkdir(join(root, 'inbox'));
    await writeFile(join(root, 'file.txt'), 'x');
    const ok = await store.create({ name: 'Local ok', spec: { kind: 'local', root }, defaultRemoteFolder: '/inbox' });
    const missing = await store.create({
      name: 'Local missing',
      spec: { kind: 'local', root },
      defaultRemoteFolder: '/nope',
    });
    const file = await store.create({
      name: 'Local file',
      spec: { kind: 'local', root },
      defaultRemoteFolder: '/file.txt',
    });
    const rootOnly = await store.create({ name: 'Local root', spec: { kind: 'local', root } });

    const passed = await store.test(ok.connection.id);
    assert.equal(passed.ok, true);
    assert.equal(passed.path, '/inbox');
    assert.equal((await store.test('local root')).path, '/');
    const notFound = await store.test(missing.connection.id);
    assert.ok(!notFound.ok && notFound.error.code === 'NotFound', JSON.stringify(notFound));
    const isFile = await store.test(file.connection.id);
    assert.ok(!isFile.ok && isFile.error.code === 'InvalidInput' && /is a file/.test(isFile.error.message));
    assert.equal((await store.test(rootOnly.connection.id)).ok, true);
  });
});

describe('a damaged connections file', () => {
  for (const [label, content] of [
    ['not JSON', '{"version":1,"connections":[{"id":"a", "name": "Half writ'],
    [
      'JSON failing the schema',
      JSON.stringify({
        version: 1,
        connections: [
          {
            id: 'x1',
            name: 'Bad port',
            kind: 'ftp',
            spec: { kind: 'ftp', host: 'h', port: '21' },
            createdAt: 1,
            updatedAt: 1,
          },
        ],
      }),
    ],
  ] as const) {
    it(`${label}: reported with what to do, moved aside byte for byte, never overwritten`, async () => {
      const { store, dataDir } = await newStore();
      const file = join(dataDir, 'connections.json');
      const original = Buffer.from(content + '\n\u00e9\u0000 trailing bytes kept', 'utf8');
      await writeFile(file, original);

      const error = await store.list().then(
        () => assert.fail('list() accepted a damaged file'),
        (e: unknown) => e,
      );
      assert.ok(isFerryError(error, 'InvalidInput'), String(error));
      assert.match(error.message, /is damaged/);
      assert.match(error.message, /moved unchanged to .*connections\.corrupt-.*\.json/);
      assert.match(error.message, /fileferry connections import/);
      const aside = String(error.details.movedTo);
      assert.match(aside, /connections\.corrupt-\d{4}-\d\d-\d\dT[\d-]+Z\.json$/);
      assert.deepEqual(await readFile(aside), original, 'byte-identical copy');

      // The next run starts empty; writing a connection does not touch the copy.
      assert.deepEqual(await store.list(), []);
      await store.create({ name: 'Fresh', spec: ftp() });
      assert.deepEqual(await readFile(aside), original);
      assert.deepEqual(
        (await store.list()).map((c) => c.name),
        ['Fresh'],
      );
    });
  }

  it('a mutation on a damaged file fails instead of replacing it', async () => {
    const { store, dataDir } = await newStore();
    const file = join(dataDir, 'connections.json');
    await writeFile(file, 'garbage');
    await assert.rejects(store.create({ name: 'New', spec: ftp() }), (e) => isFerryError(e, 'InvalidInput'));
    const names = await readdir(dataDir);
    assert.equal(names.length, 1);
    assert.match(names[0]!, /^connections\.corrupt-/);
    assert.equal(await readFile(join(dataDir, names[0]!), 'utf8'), 'garbage');
  });

  it('the repaired copy imports back', async () => {
    const { store, dataDir } = await newStore();
    const good = await newStore();
    await good.store.create({ name: 'Saved A', spec: ftp('a.test'), group: 'G' });
    await good.store.create({ name: 'Saved B', spec: { kind: 's3', auth: 'profile', profile: 'work' } });
    const text = await readFile(good.store.file, 'utf8');
    await writeFile(store.file, text.slice(0, -20)); // truncated: damaged
    const error = await store.list().catch((e: unknown) => e);
    const aside = String(isFerryError(error) && error.details.movedTo);
    await writeFile(aside, text); // the user repairs it
    const preview = await previewImport(aside);
    assert.equal(preview.format, 'fileferry');
    const result = await commitImport(preview, store);
    assert.deepEqual(result.created.map((c) => c.connection.name).sort(), ['Saved A', 'Saved B']);
    assert.deepEqual(result.created.find((c) => c.connection.name === 'Saved A')?.missingSecrets, ['password']);
    assert.equal((await store.get('Saved A')).group, 'G');
    assert.ok(dataDir);
  });
});
