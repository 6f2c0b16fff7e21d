// The real `fileferry` command, spawned as a user would run it, against a real ftp-srv on 127.0.0.1 (behind
// the fault proxy where a slow copy is needed to watch its progress output) and Debian's vsftpd (anonymous).
// Outcomes are checked on the server's and the local disk (SHA-256 of every file), not in CLI output alone.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';
import { startVsftpd } from '../helpers/vsftpd';
import {
  expectExit,
  runCli,
  runCliOnTerminal,
  sha256,
  treeHashes,
  type CliEnv,
  type CliResult,
  type TerminalDialogue,
} from './run-cli';

let home: string;

const fileferry = (args: string[], env: CliEnv = {}): Promise<CliResult> => runCli(home, args, env);

/** Runs the CLI on a pseudo-terminal, typing `replies` when `prompts` appear. */
const fileferryOnTerminal = (args: string[], dialogue: TerminalDialogue, env: CliEnv = {}): Promise<CliResult> =>
  runCliOnTerminal(home, args, dialogue, env);

describe('fileferry CLI against ftp-srv', () => {
  let server: FtpServerHandle;
  let work: string;
  let src: string;
  let base: string;
  let auth: Record<string, string>;

  before(async () => {
    server = await startFtpServer();
    work = await mkdtemp(path.join(tmpdir(), 'ferry-cli-e2e-'));
    home = path.join(work, 'home');
    src = path.join(work, 'src');
    await mkdir(path.join(src, 'sub dir', 'deeper'), { recursive: true });
    await writeFile(path.join(src, 'a.txt'), 'hello ferry\n');
    await writeFile(path.join(src, 'big.bin'), randomBytes(2 * 1024 * 1024 + 17));
    await writeFile(path.join(src, 'sub dir', 'é ü #1.txt'), 'unicode name\n');
    await writeFile(path.join(src, 'sub dir', 'deeper', 'n.bin'), randomBytes(100_000));
    base = `ftp://${server.user}@${server.host}:${server.port}`;
    auth = { FILEFERRY_PASSWORD: server.password };
  });

  after(async () => {
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('copies a folder tree to FTP and back, byte for byte (SHA-256)', async () => {
    const expected = await treeHashes(src);
    expectExit(await fileferry(['cp', '-r', src, `${base}/up`], auth), 0);
    assert.deepEqual(await treeHashes(path.join(server.root, 'up')), expected);

    const down = path.join(work, 'down');
    const back = await fileferry(['cp', '-r', `${base}/up`, down], auth);
    expectExit(back, 0);
    assert.match(back.stderr, /4 files copied/);
    assert.deepEqual(await treeHashes(down), expected);

    // Into an existing folder the source keeps its name, as with cp.
    expectExit(await fileferry(['cp', path.join(src, 'a.txt'), `${base}/up/sub%20dir/`], auth), 0);
    assert.equal(await readFile(path.join(server.root, 'up', 'sub dir', 'a.txt'), 'utf8'), 'hello ferry\n');
  });

  it('lists a folder, as text and as JSON', async () => {
    const text = await fileferry(['ls', `${base}/up`], auth);
    expectExit(text, 0);
    assert.match(text.stdout, /^d .* sub dir\/$/m);
    assert.match(text.stdout, /^- +2097169 .* big\.bin$/m);
    const json = await fileferry(['ls', '--json', `${base}/up/sub%20dir`], auth);
    expectExit(json, 0);
    const names = json.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { name: string }).name);
    assert.deepEqual(names, ['a.txt', 'deeper', 'é ü #1.txt']);
  });

  it('creates folders, moves and renames files, and removes folders recursively', async () => {
    expectExit(await fileferry(['mkdir', `${base}/made/inner`], auth), 0);
    assert.ok(existsSync(path.join(server.root, 'made', 'inner')));

    expectExit(await fileferry(['mv', `${base}/up/a.txt`, `${base}/made/`], auth), 0);
    assert.ok(!existsSync(path.join(server.root, 'up', 'a.txt')));
    expectExit(await fileferry(['mv', `${base}/made/a.txt`, `${base}/made/renamed.txt`], auth), 0);
    assert.equal(await readFile(path.join(server.root, 'made', 'renamed.txt'), 'utf8'), 'hello ferry\n');

    // Across sites, mv copies and then deletes the source.
    const local = path.join(work, 'moved.txt');
    expectExit(await fileferry(['mv', `${base}/made/renamed.txt`, local], auth), 0);
    assert.equal(await readFile(local, 'utf8'), 'hello ferry\n');
    assert.ok(!existsSync(path.join(server.root, 'made', 'renamed.txt')));

    const noFlag = await fileferry(['rm', `${base}/made`], auth);
    expectExit(noFlag, 1);
    assert.match(noFlag.stderr, /^fileferry: .*is a folder\. Use rm -r/m);
    assert.ok(existsSync(path.join(server.root, 'made', 'inner')));
    expectExit(await fileferry(['rm', '-r', `${base}/made`], auth), 0);
    assert.ok(!existsSync(path.join(server.root, 'made')));
  });

  it('on a terminal, asks for the password without echo and asks before overwriting', async () => {
    const listed = await fileferryOnTerminal(
      ['ls', `${base}/up`],
      [{ prompt: /Password for ftp:\/\/ferry@/, reply: server.password }],
    );
    expectExit(listed, 0);
    assert.match(listed.stdout, /big\.bin/);
    assert.ok(!listed.stdout.includes(server.password), 'the password is not echoed');

    const target = path.join(server.root, 'up', 'big.bin');
    const before = createHash('sha256')
      .update(await readFile(target))
      .digest('hex');
    const asked = await fileferryOnTerminal(
      ['cp', '--overwrite', 'ask', path.join(src, 'a.txt'), `${base}/up/big.bin`],
      [{ prompt: /big\.bin already exists[\s\S]*capital letter = all\): $/, reply: 's' }],
      auth,
    );
    expectExit(asked, 0);
    assert.match(asked.stdout, /0 files copied, 1 skipped/);
    assert.equal(
      createHash('sha256')
        .update(await readFile(target))
        .digest('hex'),
      before,
      'skipped: left as it was',
    );
  });

  it('prints one JSON object per event and a summary with --json', async () => {
    const result = await fileferry(
      ['cp', '--json', '--overwrite', 'skip', path.join(src, 'big.bin'), `${base}/up/`],
      auth,
    );
    expectExit(result, 0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; filesSkipped?: number });
    assert.ok(events.some((e) => e.type === 'job'));
    const summary = events.at(-1);
    assert.equal(summary?.type, 'summary');
    assert.equal(summary?.filesSkipped, 1, 'the existing big.bin is skipped');
  });

  it('exits 2 on usage errors, refusing passwords on the command line', async () => {
    const withPassword = await fileferry([
      'ls',
      `ftp://${server.user}:${server.password}@${server.host}:${server.port}/`,
    ]);
    expectExit(withPassword, 2);
    assert.match(withPassword.stderr, /FILEFERRY_PASSWORD/);
    assert.ok(!withPassword.stderr.includes(server.password), 'the password is not echoed');

    expectExit(await fileferry(['cp', '--bogus', src, `${base}/x`], auth), 2);
    expectExit(await fileferry(['cp', src], auth), 2);
    expectExit(await fileferry(['teleport', src], auth), 2);
    expectExit(await fileferry(['ls', 'ftp://127.0.0.1:99999/'], auth), 2);
    expectExit(await fileferry(['cp', '--overwrite', 'ask', src, `${base}/x`], auth), 2);

    const noPassword = await fileferry(['ls', `${base}/`]);
    expectExit(noPassword, 2);
    assert.match(noPassword.stderr, /needs a password\. Set the FILEFERRY_PASSWORD/);
  });

  it('exits 1 when nothing could be done, with a message and no stack trace', async () => {
    const badLogin = await fileferry(['ls', `${base}/`], { FILEFERRY_PASSWORD: 'wrong-password' });
    expectExit(badLogin, 1);
    assert.match(badLogin.stderr, /^fileferry: /);
    assert.ok(!badLogin.stderr.includes('wrong-password'));

    const missing = await fileferry(['cp', path.join(work, 'no-such-file'), `${base}/x`], auth);
    expectExit(missing, 1);
    assert.match(missing.stderr, /no-such-file does not exist/);
    assert.equal(missing.stdout, '', 'without --json, stdout stays empty');

    // With --json the error is also the last JSON line on stdout, for the script that asked for JSON.
    const missingJson = await fileferry(['cp', '--json', path.join(work, 'no-such-file'), `${base}/x`], auth);
    expectExit(missingJson, 1);
    const last = JSON.parse(missingJson.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    assert.deepEqual(
      { type: last.type, code: last.code, exitCode: last.exitCode },
      { type: 'error', code: 'NotFound', exitCode: 1 },
    );
    assert.match(String(last.message), /no-such-file does not exist/);
  });

  it('exits 3 when some files of a folder fail (a socket cannot be read)', async () => {
    const mixed = path.join(work, 'mixed');
    await mkdir(mixed);
    await writeFile(path.join(mixed, 'fine.txt'), 'fine\n');
    // A Unix socket is a real directory entry that no program can open for reading (ENXIO).
    const socketServer: Server = createServer();
    await new Promise<void>((resolve) => socketServer.listen(path.join(mixed, 'socket'), resolve));
    try {
      const result = await fileferry(['cp', '-r', mixed, `${base}/mixed`], auth);
      expectExit(result, 3);
      assert.match(result.stderr, /failed: .*socket/);
      assert.match(result.stderr, /1 file copied, 1 failed/);
      assert.equal(await readFile(path.join(server.root, 'mixed', 'fine.txt'), 'utf8'), 'fine\n');
    } finally {
      socketServer.close();
    }
  });

  it('documents commands, addresses and exit codes in --help', async () => {
    const help = await fileferry(['--help']);
    expectExit(help, 0);
    for (const text of ['ls', 'cp', 'mkdir', 'rm', 'mv', 'ftps+implicit://', 'FILEFERRY_PASSWORD', 'Exit codes']) {
      assert.ok(help.stdout.includes(text), `--help mentions ${text}`);
    }
    assert.match(help.stdout, /^ {2}3 +partial failure/m);
  });
});

describe('fileferry CLI against ftp-srv with explicit TLS', () => {
  it('verifies the server against FILEFERRY_CA_FILE and copies over FTPS', async () => {
    const server = await startFtpServer({ tls: 'explicit' });
    const work = await mkdtemp(path.join(tmpdir(), 'ferry-cli-ftps-'));
    home = path.join(work, 'home');
    try {
      const file = path.join(work, 'secret.bin');
      const bytes = randomBytes(300_000);
      await writeFile(file, bytes);
      const url = `ftps://${server.user}@127.0.0.1:${server.port}/secret.bin`;
      const env = { FILEFERRY_PASSWORD: server.password, FILEFERRY_CA_FILE: server.certificate!.certPath };

      // Without the CA the self-signed certificate is refused: verification stays on.
      const untrusted = await fileferry(['cp', file, url], { FILEFERRY_PASSWORD: server.password });
      expectExit(untrusted, 1); // and no stack trace
      assert.ok(!existsSync(path.join(server.root, 'secret.bin')));
      const fingerprint = server.certificate!.sha256Fingerprint;
      assert.ok(untrusted.stderr.includes(`SHA-256 fingerprint is ${fingerprint}`), untrusted.stderr);
      // What the CLI offers, not the app's "pin it in the connection" (an address has no pin option).
      assert.doesNotMatch(untrusted.stderr, /in the connection\./);
      assert.match(untrusted.stderr, /FILEFERRY_CA_FILE/);
      const suggested = /fileferry (connections add NAME .*)$/m.exec(untrusted.stderr)?.[1] ?? '';
      assert.ok(suggested.includes(`--fingerprint ${fingerprint}`), untrusted.stderr);

      // The suggested command works as printed: the saved connection with the pin reaches the server.
      const name = `pinned-${randomBytes(3).toString('hex')}`;
      const add = suggested.replace('NAME', name).split(' ');
      expectExit(await fileferry(add, { FILEFERRY_PASSWORD: server.password }), 0);
      expectExit(await fileferry(['cp', file, `${name}:/pinned.bin`]), 0);
      assert.equal(sha256(await readFile(path.join(server.root, 'pinned.bin'))), sha256(bytes));
      expectExit(await fileferry(['connections', 'rm', name]), 0);

      expectExit(await fileferry(['cp', file, url], env), 0);
      const stored = await readFile(path.join(server.root, 'secret.bin'));
      assert.equal(createHash('sha256').update(stored).digest('hex'), createHash('sha256').update(bytes).digest('hex'));
    } finally {
      await server.stop();
      await rm(work, { recursive: true, force: true });
    }
  });
});

describe('fileferry CLI against vsftpd, anonymous', () => {
  it('lists and copies with ftp://anonymous@ and no password (none set, no terminal to ask on)', async () => {
    const server = await startVsftpd();
    const work = await mkdtemp(path.join(tmpdir(), 'ferry-cli-anon-'));
    home = path.join(work, 'home');
    try {
      const bytes = randomBytes(200_000);
      await writeFile(path.join(server.root, 'pub', 'shared.bin'), bytes);
      const base = `ftp://anonymous@127.0.0.1:${server.port}/pub`;

      // runCli passes no FILEFERRY_PASSWORD and closes stdin: a password prompt would fail with exit 2.
      const listed = await fileferry(['ls', base]);
      expectExit(listed, 0);
      assert.match(listed.stdout, /^- +200000 .* shared\.bin$/m);

      const local = path.join(work, 'shared.bin');
      expectExit(await fileferry(['cp', `${base}/shared.bin`, local]), 0);
      assert.equal(sha256(await readFile(local)), sha256(bytes));

      expectExit(await fileferry(['cp', local, `${base}/uploaded.bin`]), 0);
      assert.equal(sha256(await readFile(path.join(server.root, 'pub', 'uploaded.bin'))), sha256(bytes));
    } finally {
      await server.stop();
      await rm(work, { recursive: true, force: true });
    }
  });
});

/** The escape character that starts terminal control sequences. */
const ESC = '\u001b';

describe('fileferry CLI progress output', () => {
  let server: FtpServerHandle;
  let proxy: FaultProxy;
  let work: string;
  let base: string;
  let auth: CliEnv;
  const MiB = 1024 * 1024;
  const expected: Record<string, string> = {};

  before(async () => {
    server = await startFtpServer();
    // Downloads slowed to 1 MiB/s per connection, so a copy lasts about two seconds: long enough for the
    // engine's progress events (a few per second) to show a rate and an ETA.
    proxy = await startFaultProxy({ host: server.host, port: server.port });
    proxy.throttle(MiB, { direction: 'download' });
    work = await mkdtemp(path.join(tmpdir(), 'ferry-cli-progress-'));
    home = path.join(work, 'home');
    await mkdir(path.join(server.root, 'slow'));
    for (const name of ['a.bin', 'b.bin']) {
      const bytes = randomBytes(2 * MiB);
      await writeFile(path.join(server.root, 'slow', name), bytes);
      expected[name] = sha256(bytes);
    }
    base = `ftp://${server.user}@127.0.0.1:${proxy.port}/slow`;
    auth = { FILEFERRY_PASSWORD: server.password };
  });

  after(async () => {
    await proxy?.stop();
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('draws a progress bar with rate and ETA on a terminal', async () => {
    const target = path.join(work, 'tty.bin');
    const result = await fileferryOnTerminal(['cp', `${base}/a.bin`, target], [], auth);
    expectExit(result, 0);
    // One line redrawn in place: carriage return, bar, percent, bytes of total, rate, ETA, erase to the end.
    assert.match(
      result.stdout,
      /\r\[#*-*\] +\d+% {2}[\d.]+ (B|KiB|MiB) of 2\.00 MiB {2}[\d.]+ (B|KiB|MiB)\/s {2}ETA \d+:\d\d/,
    );
    assert.ok(result.stdout.includes(`${ESC}[K`), 'erases the rest of the line');
    assert.match(result.stdout, /1 file copied/);
    assert.equal(sha256(await readFile(target)), expected['a.bin']);
  });

  it('writes plain lines, one per file and no bar or escape codes, when not on a terminal', async () => {
    const target = path.join(work, 'plain');
    const result = await fileferry(['cp', '-r', base, target], auth);
    expectExit(result, 0);
    assert.match(result.stderr, /^copied: .*a\.bin$/m);
    assert.match(result.stderr, /^copied: .*b\.bin$/m);
    assert.match(result.stderr, /^2 files copied/m);
    const output = result.stderr + result.stdout;
    assert.ok(!output.includes('\r') && !output.includes(ESC), 'no carriage returns, no escape codes');
    assert.doesNotMatch(output, /\[#|#-/, 'no bar');
    assert.deepEqual(await treeHashes(target), expected);
  });

  it('prints only JSON lines on stdout with --json, progress events included', async () => {
    const target = path.join(work, 'json.bin');
    const result = await fileferry(['cp', '--json', `${base}/b.bin`, target], auth);
    expectExit(result, 0);
    const lines = result.stdout.split('\n').filter((line) => line !== '');
    const events = lines.map((line) => JSON.parse(line) as { type: string; progress?: { bytesDone: number } });
    assert.ok(
      events.some((event) => event.type === 'progress' && (event.progress?.bytesDone ?? 0) > 0),
      'progress events while copying',
    );
    assert.equal(events.at(-1)?.type, 'summary');
    assert.ok(!result.stderr.includes(ESC) && !result.stderr.includes('[#'), 'no bar on stderr either');
    assert.equal(sha256(await readFile(target)), expected['b.bin']);
  });
});
