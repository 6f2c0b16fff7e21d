// `fileferry connections add` where no OS keychain can keep a secret — no Secret Service at all, or a locked
// gnome-keyring — and a later NAME:path whose connection has no stored secret. The real CLI is spawned; a real
// FTP server (and s3rver) says whether it logged in with the secret.
//
// The choice tested here: without a keychain, `add` saves nothing and exits 1 (a connection saved without its
// secret would only fail later, in another command), unless --session-only asks for a run-only secret; then
// the connection is saved, `connections list` shows its secret "missing", and later commands read
// FILEFERRY_PASSWORD / FILEFERRY_SECRET or ask on a terminal.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ConnectionStore } from '../../main/core/connections';
import { SessionCredentialStore } from '../../main/core/credentials';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';
import { s3rverClient, startS3rver, type S3rverServer } from '../helpers/s3rver';
import { CLI, cleanEnv, expectExit, noMachineAws, runCli, type CliEnv, type CliResult } from '../cli/run-cli';

/** The one message `add` gives when the secret cannot be kept, whichever way the keychain failed. */
const NOT_KEPT =
  /^fileferry connections: The password could not be kept in an OS keychain: (.+?) \((.+)\)\. To save it, start a Secret Service such as gnome-keyring in this login session \(install it if it is missing\) and unlock it, then try again\. Nothing was saved\. To use the password for this run only \(say, with --test\), add --session-only\.$/;

/** No session bus and no display: keytar cannot reach any Secret Service. */
const NO_SECRET_SERVICE: CliEnv = {
  DBUS_SESSION_BUS_ADDRESS: undefined,
  DISPLAY: undefined,
  WAYLAND_DISPLAY: undefined,
};

/** The lines the CLI wrote under its own name (a D-Bus session adds warnings of its own to stderr). */
const cliLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('fileferry'));

describe('connections add and NAME:path without a keychain that keeps secrets', () => {
  let server: FtpServerHandle;
  let work: string;
  const password = `nokeychain-pw-${randomBytes(8).toString('hex')}`;
  let count = 0;
  /** A fresh data folder per case, so one case's saved connections never answer another's question. */
  const freshHome = async () => {
    const home = path.join(work, `home-${++count}`);
    await mkdir(home);
    return home;
  };
  const addArgs = (name: string, ...more: string[]) => [
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
    ...more,
  ];

  before(async () => {
    server = await startFtpServer({ user: 'nokeychain-user', password });
    work = await mkdtemp(path.join(tmpdir(), 'ferry-cli-nokeychain-'));
  });

  after(async () => {
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  for (const [label, env] of [
    ['no D-Bus session bus', NO_SECRET_SERVICE],
    [
      'a D-Bus address with nothing behind it',
      { ...NO_SECRET_SERVICE, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' },
    ],
  ] as const) {
    it(`${label}: add with a password exits 1, says why and what to do, and saves nothing`, async () => {
      const home = await freshHome();
      const added = await runCli(home, addArgs('work'), { ...env, FILEFERRY_PASSWORD: password });
      expectExit(added, 1);
      const [line, ...others] = cliLines(added.stderr);
      assert.match(line ?? '', NOT_KEPT, added.stderr);
      assert.deepEqual(others, []);
      assert.match(NOT_KEPT.exec(line!)![1]!, /^no Secret Service such as gnome-keyring answers in this session$/);
      assert.doesNotMatch(added.stdout, /Saved/);
      assert.ok(!existsSync(path.join(home, 'connections.json')), 'no connection was saved');
      assert.ok(!(added.stdout + added.stderr).includes(password));
    });
  }

  it('--session-only exits 0, says the password lasts for this run only, and --test logs in with it', async () => {
    const home = await freshHome();
    const logins = server.logins;
    const added = await runCli(home, addArgs('work', '--session-only', '--test'), {
      ...NO_SECRET_SERVICE,
      FILEFERRY_PASSWORD: password,
    });
    expectExit(added, 0);
    assert.match(added.stdout, /^Saved "work" \(ftp, nokeychain-user@127\.0\.0\.1:\d+\)\.$/m);
    assert.match(added.stdout, /^OK: "work" answered; \/ is readable/m);
    assert.ok(server.logins > logins, 'the test logged in with the run-only password');
    assert.match(
      added.stderr,
      /Note: its password is kept in memory for this run only \(--session-only\) and ends with it\. Commands using "work" will read FILEFERRY_PASSWORD or ask for it on a terminal\./,
    );
    assert.doesNotMatch(added.stderr, /Warning:/, 'no second, contradicting notice');
    const listed = await runCli(home, ['connections', 'list'], NO_SECRET_SERVICE);
    expectExit(listed, 0);
    assert.match(listed.stdout, /^work +ftp +nokeychain-user@127\.0\.0\.1:\d+ +missing$/m, 'flagged as missing');
    assert.ok(!(await readFile(path.join(home, 'connections.json'), 'utf8')).includes(password));
  });

  it('a locked keychain: add exits 1 with the same message, and saves nothing', async () => {
    const home = await freshHome();
    const added = await runInLockedKeyring(path.join(work, 'locked-keyring'), home, addArgs('work'), {
      FILEFERRY_PASSWORD: password,
    });
    expectExit(added, 1);
    const [line, ...others] = cliLines(added.stderr);
    assert.match(line ?? '', NOT_KEPT, added.stderr);
    assert.deepEqual(others, []);
    assert.match(NOT_KEPT.exec(line!)![1]!, /^the keychain is locked$/);
    assert.ok(!existsSync(path.join(home, 'connections.json')) || !(await savedNames(home)).includes('work'));
    assert.ok(!(added.stdout + added.stderr).includes(password));
  });

  it('ls NAME:/ with no stored password reads FILEFERRY_PASSWORD; without it and a terminal, a clear exit 1', async () => {
    const home = await freshHome();
    await saveWithoutSecret(home, 'nopw', {
      kind: 'ftp',
      host: '127.0.0.1',
      port: server.port,
      user: server.user,
    });
    const file = `listed-${randomBytes(3).toString('hex')}.txt`;
    await writeFile(path.join(server.root, file), 'x');

    const logins = server.logins;
    const listed = await runCli(home, ['ls', 'nopw:/'], { ...NO_SECRET_SERVICE, FILEFERRY_PASSWORD: password });
    expectExit(listed, 0);
    assert.match(listed.stdout, new RegExp(file.replace('.', '\\.')));
    assert.ok(server.logins > logins, 'logged in with FILEFERRY_PASSWORD');

    const commands = server.commands.length;
    const refused = await runCli(home, ['ls', 'nopw:/'], NO_SECRET_SERVICE);
    expectExit(refused, 1);
    assert.match(
      refused.stderr,
      /^fileferry: No password is saved for "nopw" in an OS keychain \(it was added with --session-only, or the keychain was not running or is locked\)\. Set FILEFERRY_PASSWORD for this command, or run it on a terminal to be asked\. To save it, start a Secret Service such as gnome-keyring .* then remove "nopw" \(fileferry connections rm\) and add it again\.$/m,
    );
    assert.doesNotMatch(refused.stderr, /connection settings/);
    assert.equal(server.commands.length, commands, 'nothing was sent to the server without a password');
  });

  describe('an S3 connection with no stored secret key', () => {
    let s3: S3rverServer;
    const BUCKET = 'nokeychain-bucket';
    before(async () => {
      s3 = await startS3rver({ buckets: [BUCKET] });
    });
    after(async () => {
      await s3?.stop();
    });

    it('ls NAME:/ reads FILEFERRY_SECRET; without it, a clear exit 1 naming that variable', async () => {
      const home = await freshHome();
      await saveWithoutSecret(home, 'nokey', s3.spec(BUCKET));
      const client = s3rverClient(s3);
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'in-s3.txt', Body: 'x' }));
      client.destroy();
      const env = { ...NO_SECRET_SERVICE, ...noMachineAws(work) };

      const listed = await runCli(home, ['ls', 'nokey:/'], { ...env, FILEFERRY_SECRET: s3.secretAccessKey });
      expectExit(listed, 0);
      assert.match(listed.stdout, /in-s3\.txt/);

      const refused = await runCli(home, ['ls', 'nokey:/'], env);
      expectExit(refused, 1);
      assert.match(
        refused.stderr,
        /^fileferry: No secret access key is saved for "nokey" in an OS keychain .* Set FILEFERRY_SECRET for this command, or run it on a terminal to be asked\./m,
      );
      assert.doesNotMatch(refused.stderr, /connection settings/);
    });
  });
});

/** Saves a connection's settings in `home` as an earlier `add --session-only` would: no secret anywhere. */
async function saveWithoutSecret(home: string, name: string, spec: Record<string, unknown>): Promise<void> {
  const store = new ConnectionStore({ dataDir: home, credentials: new SessionCredentialStore('test') });
  await store.create({ name, spec: spec as never });
}

async function savedNames(home: string): Promise<string[]> {
  const data = JSON.parse(await readFile(path.join(home, 'connections.json'), 'utf8')) as {
    connections: Array<{ name: string }>;
  };
  return data.connections.map((c) => c.name);
}

/**
 * Runs `fileferry ARGS…` in a D-Bus session of its own whose gnome-keyring has a login keyring that is locked
 * (created unlocked, then locked through the Secret Service's Lock call), as after a screen lock or a login that
 * did not unlock it. No display: the unlock prompt cannot appear, as on a server. `keyringHome` holds the keyring.
 */
async function runInLockedKeyring(keyringHome: string, home: string, args: string[], env: CliEnv): Promise<CliResult> {
  const runtime = path.join(keyringHome, 'run');
  await mkdir(runtime, { recursive: true, mode: 0o700 });
  const send = 'dbus-send --session --print-reply --dest=org.freedesktop.secrets';
  const login = '/org/freedesktop/secrets/collection/login';
  const script = [
    'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 96',
    `${send} /org/freedesktop/secrets org.freedesktop.Secret.Service.Lock array:objpath:${login} >/dev/null || exit 97`,
    `${send} ${login} org.freedesktop.DBus.Properties.Get string:org.freedesktop.Secret.Collection string:Locked | grep -q 'boolean true' || exit 98`,
    'exec "$@"',
  ].join('\n');
  const childEnv: CliEnv = {
    ...cleanEnv(),
    ...NO_SECRET_SERVICE,
    HOME: keyringHome,
    XDG_RUNTIME_DIR: runtime,
    GNOME_KEYRING_CONTROL: undefined,
    FILEFERRY_HOME: home,
    ...env,
  };
  const child = spawn('dbus-run-session', ['--', 'sh', '-c', script, 'sh', process.execPath, CLI, ...args], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  assert.ok(code !== null && code < 96, `the locked keyring could not be set up (exit ${code}): ${stderr}`);
  return { code, stdout, stderr };
}
