// Saved connections from the command line: `fileferry connections add` keeps the password in the OS keychain
// (a real Secret Service: gnome-keyring in a D-Bus session), and NAME:path then works for ls, cp, mkdir, mv
// and rm against ftp-srv without the password in the environment. Checked on the server's disk.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_SERVICE } from '../../main/core/credentials';
import type { KeytarModule } from '../../main/core/credentials/keychain-store';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';
import { requireKeyring } from '../helpers/keyring';
import { scanForCanaries } from '../helpers/scan';
import { expectExit, runCli, sha256, type CliEnv } from './run-cli';

describe('fileferry NAME:path with a connection saved by `fileferry connections add`', () => {
  let keytar: KeytarModule;
  let server: FtpServerHandle;
  let work: string;
  let home: string;
  const password = `saved-pw-${randomBytes(8).toString('hex')}`;
  const name = `ferry-${randomBytes(3).toString('hex')}`;
  const cli = (args: string[], env: CliEnv = {}) => runCli(home, args, env);

  async function keychainHolds(secret: string): Promise<boolean> {
    return (await keytar.findCredentials(DEFAULT_SERVICE)).some((entry) => entry.password === secret);
  }

  before(async () => {
    keytar = await requireKeyring();
    server = await startFtpServer({ user: 'saved-user', password });
    work = await mkdtemp(path.join(tmpdir(), 'ferry-cli-saved-'));
    home = path.join(work, 'home');
  });

  after(async () => {
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('adds the connection with its password in the keychain, lists and tests it', async () => {
    const added = await cli(
      [
        'connections',
        'add',
        name,
        '--kind',
        'ftp',
        '--host',
        '127.0.0.1',
        '--port',
        String(server.port),
        '--user',
        server.user,
      ],
      { FILEFERRY_PASSWORD: password },
    );
    expectExit(added, 0);
    assert.match(added.stdout, /saved in the OS keychain/);
    assert.ok(await keychainHolds(password), 'the password is in the Secret Service');

    const listed = await cli(['connections', 'list']);
    expectExit(listed, 0);
    assert.match(listed.stdout, new RegExp(`^${name} +ftp +saved-user@127\\.0\\.0\\.1:${server.port} +saved$`, 'm'));
    expectExit(await cli(['connections', 'test', name]), 0);
  });

  it('uses NAME:path for mkdir, cp, ls, mv and rm, with the password from the keychain only', async () => {
    const bytes = randomBytes(400_000);
    const file = path.join(work, 'data.bin');
    await writeFile(file, bytes);

    expectExit(await cli(['mkdir', `${name}:/in/deeper`]), 0);
    assert.ok(existsSync(path.join(server.root, 'in', 'deeper')));
    expectExit(await cli(['cp', file, `${name}:/in/`]), 0);
    assert.equal(sha256(await readFile(path.join(server.root, 'in', 'data.bin'))), sha256(bytes));

    const listed = await cli(['ls', `${name}:/in`]);
    expectExit(listed, 0);
    assert.match(listed.stdout, /^- +400000 .* data\.bin$/m);
    assert.match(listed.stdout, /^d .* deeper\/$/m);

    expectExit(await cli(['mv', `${name}:/in/data.bin`, `${name}:/in/deeper/renamed.bin`]), 0);
    assert.ok(!existsSync(path.join(server.root, 'in', 'data.bin')));
    const back = path.join(work, 'back.bin');
    expectExit(await cli(['cp', `${name}:/in/deeper/renamed.bin`, back]), 0);
    assert.equal(sha256(await readFile(back)), sha256(bytes));

    expectExit(await cli(['rm', `${name}:/in/deeper/renamed.bin`]), 0);
    expectExit(await cli(['rm', '-r', `${name}:/in`]), 0);
    assert.ok(!existsSync(path.join(server.root, 'in')));
  });

  it('names an unknown connection clearly', async () => {
    const unknown = await cli(['ls', 'no-such-connection:/x']);
    expectExit(unknown, 2);
    assert.match(
      unknown.stderr,
      /unknown connection "no-such-connection"\. Saved connections are addressed as NAME:path/,
    );
    const oneSlash = await cli(['ls', 's3:/bucket']);
    expectExit(oneSlash, 2);
    assert.match(oneSlash.stderr, /unknown connection "s3"\..* For an address, write s3:\/\/ \(two slashes\)/);
    const unknownTest = await cli(['connections', 'test', 'no-such-connection']);
    expectExit(unknownTest, 1);
    assert.match(unknownTest.stderr, /no-such-connection/);
  });

  it('exports without the password, removes the connection with its secret, and imports the export', async () => {
    const exported = path.join(work, 'connections.json');
    expectExit(await cli(['connections', 'export', exported]), 0);
    assert.match(await readFile(exported, 'utf8'), new RegExp(name));

    // The password is in the keychain and nowhere in the data folder: not in settings, logs or a queue.
    assert.deepEqual(await scanForCanaries([home, exported], [password]), []);
    assert.ok(existsSync(path.join(home, 'logs', 'cli.log')));

    expectExit(await cli(['connections', 'rm', name]), 0);
    assert.ok(!(await keychainHolds(password)), 'rm deletes the keychain entry');
    expectExit(await cli(['ls', `${name}:/`]), 2);

    const preview = await cli(['connections', 'import', exported]);
    expectExit(preview, 1);
    assert.match(preview.stderr, /add --yes to import/);
    const imported = await cli(['connections', 'import', exported, '--yes']);
    expectExit(imported, 0);
    assert.match(imported.stdout, new RegExp(`Imported "${name}" — enter its password before use`));
    expectExit(await cli(['connections', 'rm', name]), 0);
  });

  it('lists the connections commands in --help', async () => {
    const help = await cli(['--help']);
    expectExit(help, 0);
    assert.match(help.stdout, /^ {2}connections +list, add, test, rm, import and export saved connections$/m);
    for (const text of [
      's3://bucket/key',
      'az://account/container/path',
      'NAME:path',
      'AWS_ENDPOINT_URL_S3',
      'AZURE_STORAGE_CONNECTION_STRING',
    ]) {
      assert.ok(help.stdout.includes(text), `--help mentions ${text}`);
    }
    const connectionsHelp = await cli(['connections', '--help']);
    expectExit(connectionsHelp, 0);
    assert.match(connectionsHelp.stdout, /import FILE \[--yes\]/);
  });
});
