// `fileferry connections …` driven in-process with captured output: secrets from the environment or
// stdin (never argv), list/test/rm, import preview then --yes, export without secrets.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { connectionsCommand } from '../../main/cli/commands/connections';
import { ConnectionStore } from '../../main/core/connections';
import { SessionCredentialStore } from '../../main/core/credentials';
import { obscureRclonePassword } from '../../main/core/imports';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('fileferry connections', () => {
  const dirs: string[] = [];
  let ftp: FtpServerHandle;
  let store: ConnectionStore;
  let credentials: SessionCredentialStore;

  async function cli(args: string[], options: { env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<Run> {
    let stdout = '';
    let stderr = '';
    const stdin = Readable.from(
      options.stdin === undefined ? [] : [Buffer.from(options.stdin)],
    ) as unknown as NodeJS.ReadStream;
    const code = await connectionsCommand(
      args,
      {
        stdout: { write: (t: string) => (stdout += t) },
        stderr: { write: (t: string) => (stderr += t) },
        stdin,
        env: options.env ?? {},
      },
      { store },
    );
    return { code, stdout, stderr };
  }

  before(async () => {
    ftp = await startFtpServer({ user: 'cli-user', password: 'cli-secret-pw-42' });
    const dataDir = await mkdtemp(join(tmpdir(), 'ferry-cli-conn-'));
    dirs.push(dataDir);
    credentials = new SessionCredentialStore('no keychain in this test');
    store = new ConnectionStore({ dataDir, credentials });
  });
  after(async () => {
    await ftp?.stop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('add reads the FTP password from FILEFERRY_PASSWORD; list shows it saved without the value', async () => {
    const env = { FILEFERRY_PASSWORD: ftp.password };
    const added = await cli(
      [
        'add',
        'Work FTP',
        '--kind',
        'ftp',
        '--host',
        ftp.host,
        '--port',
        String(ftp.port),
        '--user',
        ftp.user,
        '--group',
        'Work',
        '--session-only',
        '--test',
      ],
      { env },
    );
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /Saved "Work FTP" \(ftp, cli-user@127\.0\.0\.1:\d+\)/);
    assert.match(added.stdout, /OK: "Work FTP" answered; \/ is readable/);
    assert.match(
      added.stderr,
      /Note: its password is kept in memory for this run only \(--session-only\) and ends with it\. Commands using "Work FTP" will read FILEFERRY_PASSWORD/,
    );
    assert.equal(await credentials.get((await store.get('Work FTP')).id, 'password'), ftp.password);

    const listed = await cli(['list']);
    assert.equal(listed.code, 0);
    assert.match(listed.stdout, /^NAME\s+KIND\s+WHERE\s+GROUP\s+SECRET\n/);
    assert.match(listed.stdout, /Work FTP\s+ftp\s+cli-user@127\.0\.0\.1:\d+\s+Work\s+saved/);
    const json = await cli(['list', '--json']);
    const parsed = JSON.parse(json.stdout) as Array<{ name: string; storedSecrets: string[] }>;
    assert.deepEqual(
      parsed.map((c) => [c.name, c.storedSecrets]),
      [['Work FTP', ['password']]],
    );
    for (const run of [added, listed, json]) assert.ok(!(run.stdout + run.stderr).includes(ftp.password));
  });

  it('add --no-temp-names saves an FTP connection that uploads under final names (drop boxes)', async () => {
    const env = { FILEFERRY_PASSWORD: ftp.password };
    const where = ['--kind', 'ftp', '--host', ftp.host, '--port', String(ftp.port), '--user', ftp.user];
    const added = await cli(['add', 'Drop box', ...where, '--no-temp-names', '--session-only'], { env });
    assert.equal(added.code, 0, added.stderr);
    const dropBox = (await store.get('Drop box')).spec;
    assert.ok(dropBox.kind === 'ftp' && dropBox.temporaryNames === false, JSON.stringify(dropBox));
    const plain = (await store.get('Work FTP')).spec;
    assert.ok(plain.kind === 'ftp' && plain.temporaryNames === true, JSON.stringify(plain));
    assert.equal((await cli(['rm', 'Drop box'])).code, 0);
  });

  it('refuses secrets in argv, and a missing secret with no terminal, saving nothing', async () => {
    for (const flag of [['--password', 'x'], ['--password=x'], ['--secret', 'y']]) {
      const run = await cli(['add', 'Leaky', '--kind', 'ftp', '--host', 'h.test', '--user', 'u', ...flag]);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /not accepted: secrets on the command line end up in shell history/);
    }
    const noSecret = await cli(['add', 'Leaky', '--kind', 'ftp', '--host', 'h.test', '--user', 'u', '--session-only']);
    assert.equal(noSecret.code, 2);
    assert.match(noSecret.stderr, /"Leaky" needs its password: set FILEFERRY_PASSWORD, pipe it with --password-stdin/);
    assert.equal(await store.find('Leaky'), undefined);
  });

  it('add takes an S3 secret key from stdin or FILEFERRY_SECRET; a profile needs none', async () => {
    const piped = await cli(
      [
        'add',
        'Keys',
        '--kind',
        's3',
        '--access-key-id',
        'AKIAEXAMPLE',
        '--region',
        'eu-west-1',
        '--password-stdin',
        '--session-only',
      ],
      { stdin: 'stdin-secret-key\n' },
    );
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(await credentials.get((await store.get('Keys')).id, 'secretAccessKey'), 'stdin-secret-key');
    const fromEnv = await cli(
      [
        'add',
        'Keys 2',
        '--kind',
        's3',
        '--access-key-id',
        'AKIA2',
        '--endpoint',
        'http://127.0.0.1:9',
        '--path-style',
        '--session-only',
      ],
      { env: { FILEFERRY_SECRET: 'env-secret-key' } },
    );
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    const keys2 = await store.get('Keys 2');
    assert.equal(await credentials.get(keys2.id, 'secretAccessKey'), 'env-secret-key');
    assert.ok(keys2.spec.kind === 's3' && keys2.spec.pathStyle === true && keys2.spec.auth === 'keys');
    const profile = await cli(['add', 'Profile', '--kind', 's3', '--profile', 'work', '--bucket', 'photos']);
    assert.equal(profile.code, 0, profile.stderr);
    const saved = await store.get('Profile');
    assert.ok(saved.spec.kind === 's3' && saved.spec.auth === 'profile' && saved.spec.profile === 'work');
  });

  it('usage errors exit 2; a taken name and an unknown connection exit 1', async () => {
    assert.equal((await cli(['frobnicate'])).code, 2);
    assert.equal((await cli(['add', 'X', '--kind', 'gopher'])).code, 2);
    assert.equal((await cli(['add', 'X', '--kind', 'ftp', '--host', 'h', '--port', 'eighty'])).code, 2);
    assert.equal((await cli(['add', 'X', '--kind', 'ftp', '--host', 'h', '--bogus'])).code, 2);
    const taken = await cli(['add', 'work ftp', '--kind', 'ftp', '--host', 'h'], { env: { FILEFERRY_PASSWORD: 'p' } });
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /already exists/);
    const missing = await cli(['test', 'nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no saved connection named "nope"/);
  });

  it('test reports failures with the error code and exit 1; rm removes the connection and its secrets', async () => {
    const where = ['--kind', 'ftp', '--host', ftp.host, '--port', String(ftp.port), '--user', ftp.user];
    await cli(['add', 'Bad pw', ...where, '--session-only'], { env: { FILEFERRY_PASSWORD: 'wrong-password-1' } });
    const failed = await cli(['test', 'bad PW']);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /FAILED: "Bad pw": AuthFailed: /);
    assert.ok(!failed.stderr.includes('wrong-password-1'));
    const id = (await store.get('Bad pw')).id;
    const removed = await cli(['rm', 'Bad pw']);
    assert.equal(removed.code, 0);
    assert.match(removed.stdout, /Removed "Bad pw" and its saved secrets/);
    assert.equal(await credentials.get(id, 'password'), undefined);
    assert.equal(await store.find('Bad pw'), undefined);
  });

  it('import previews, saves nothing without --yes, then imports with --yes (and --only)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-cli-import-'));
    dirs.push(dir);
    const file = join(dir, 'rclone.conf');
    await writeFile(
      file,
      `[imported-ftp]\ntype = ftp\nhost = ${ftp.host}\nport = ${ftp.port}\nuser = ${ftp.user}\npass = ${obscureRclonePassword(ftp.password)}\n\n` +
        '[other]\ntype = s3\nprovider = AWS\naccess_key_id = AKIAOTHER\nsecret_access_key = other-secret-value\n\n[drive]\ntype = drive\n',
    );
    const before = (await store.list()).length;
    const preview = await cli(['import', file]);
    assert.equal(preview.code, 1);
    assert.match(preview.stdout, /rclone configuration: .*rclone\.conf — 3 items/);
    assert.match(preview.stdout, /\[1\] ready\s+imported-ftp\s+ftp\s+cli-user@127\.0\.0\.1:\d+\s+secrets: password/);
    assert.match(preview.stdout, /\[3\] unsupported\s+rclone: \[drive\]/);
    assert.match(preview.stderr, /Nothing was saved: add --yes/);
    assert.equal((await store.list()).length, before);
    assert.ok(!preview.stdout.includes('other-secret-value') && !preview.stdout.includes(ftp.password));

    const only = await cli(['import', file, '--yes', '--only', 'imported-ftp']);
    assert.equal(only.code, 0, only.stderr);
    assert.match(only.stdout, /Imported "imported-ftp"\./);
    assert.equal(await store.find('other'), undefined);
    assert.equal((await cli(['test', 'imported-ftp'])).code, 0, 'the imported password works');

    const all = await cli(['import', file, '--yes']);
    assert.equal(all.code, 0, all.stderr);
    assert.match(
      all.stdout,
      /Imported "imported-ftp \(imported\)" \(renamed from "imported-ftp": the name was taken\)/,
    );
    assert.match(all.stdout, /Imported "other"\./);
  });

  it('export writes every connection as JSON without secrets (to a file or stdout)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-cli-export-'));
    dirs.push(dir);
    const file = join(dir, 'export.json');
    const run = await cli(['export', file]);
    assert.equal(run.code, 0, run.stderr);
    const text = await readFile(file, 'utf8');
    const data = JSON.parse(text) as { format: string; connections: Array<{ name: string; id?: string }> };
    assert.equal(data.format, 'fileferry-connections');
    assert.equal(data.connections.length, (await store.list()).length);
    assert.ok(data.connections.every((c) => c.id === undefined));
    for (const secret of [ftp.password, 'stdin-secret-key', 'env-secret-key', 'other-secret-value'])
      assert.ok(!text.includes(secret), secret);
    const toStdout = await cli(['export', '-']);
    assert.deepEqual(JSON.parse(toStdout.stdout).connections, data.connections);
  });
});
