// Hostile file names through the real `fileferry` command (issue 14, defects 6 and 7), against the local disk,
// Debian's vsftpd and ftp-srv on 127.0.0.1: names legal on both sides ("back\slash.txt", "c:drive.txt", names
// holding ESC and BEL) arrive byte for byte under the very same name; a name one side cannot hold (not UTF-8, a
// line break, a "\" on a server that takes it as a separator) is named on stderr and makes the exit code 3;
// and no human-readable output carries a raw control character from a name, while --json keeps it exact.
// Outcomes are read from the disks themselves, names as bytes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';
import { startVsftpd, type VsftpdHandle } from '../helpers/vsftpd';
import { CLI, cleanEnv, expectExit, jsonLines, runCli, sha256, type CliEnv, type CliResult } from './run-cli';

const ESC_NAME = 'esc\x1b]0;PWNED\x07\x1b[31mred.txt';
/** Legal on a POSIX disk and on a POSIX FTP server. */
const LEGAL = ['back\\slash.txt', 'c:drive.txt', ESC_NAME, 'bell\x07.txt', 'plain.txt', 'tab\there.txt'];
/** Names that are not UTF-8, as bytes (a Latin-1 "é", a lone 0xff, a broken sequence for a folder). */
const NOT_UTF8 = {
  file1: Buffer.from('caf\xe9.txt', 'latin1'),
  file2: Buffer.from('inv\xff.txt', 'latin1'),
  folder: Buffer.from('dir\xc3(', 'latin1'),
};
/** How the CLI shows them: each byte that is not UTF-8 as \xHH. */
const NOT_UTF8_SHOWN = ['caf\\xe9.txt', 'inv\\xff.txt', 'dir\\xc3('];
const LINE_BREAK = 'new\nline.txt';
const SUB_NAME = 'inner\x1b[2J.txt';

/** Writes the hostile tree: LEGAL files, a subfolder, names that are not UTF-8 and (withLineBreak) one with LF. */
async function makeTree(root: string, withLineBreak: boolean): Promise<void> {
  await mkdir(path.join(root, 'sub'), { recursive: true });
  for (const name of LEGAL) await writeFile(path.join(root, name), `content of ${name}\n`);
  await writeFile(path.join(root, 'sub', SUB_NAME), 'in a subfolder\n');
  const rootBytes = Buffer.from(root + '/');
  await writeFile(Buffer.concat([rootBytes, NOT_UTF8.file1]), 'latin-1 name\n');
  await writeFile(Buffer.concat([rootBytes, NOT_UTF8.file2]), 'ff name\n');
  await mkdir(Buffer.concat([rootBytes, NOT_UTF8.folder]));
  await writeFile(Buffer.concat([rootBytes, NOT_UTF8.folder, Buffer.from('/x.txt')]), 'in a bad folder\n');
  if (withLineBreak) await writeFile(path.join(root, LINE_BREAK), 'line break\n');
}

/** SHA-256 of every file under `root`, keyed by its relative path as bytes (hex), so any name compares exactly. */
async function rawTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (folder: Buffer, prefix: Buffer) => {
    for (const entry of await readdir(folder, { withFileTypes: true, encoding: 'buffer' })) {
      const name = entry.name as unknown as Buffer;
      const full = Buffer.concat([folder, Buffer.from('/'), name]);
      const relative = Buffer.concat([prefix, name]);
      if (entry.isDirectory()) await walk(full, Buffer.concat([relative, Buffer.from('/')]));
      else out[relative.toString('hex')] = sha256(await readFile(full));
    }
  };
  await walk(Buffer.from(root), Buffer.alloc(0));
  return out;
}

/** What a copy must deliver: the LEGAL files and the subfolder's file, byte for byte, under their own names. */
function expectedTree(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of LEGAL) out[Buffer.from(name).toString('hex')] = sha256(`content of ${name}\n`);
  out[Buffer.from(`sub/${SUB_NAME}`).toString('hex')] = sha256('in a subfolder\n');
  return out;
}

const shownNames = (tree: Record<string, string>) =>
  Object.keys(tree)
    .map((hex) => JSON.stringify(Buffer.from(hex, 'hex').toString('latin1')))
    .sort();

function assertSameTree(actual: Record<string, string>, expected: Record<string, string>): void {
  assert.deepEqual(shownNames(actual), shownNames(expected), 'the same names, byte for byte');
  assert.deepEqual(actual, expected, 'the same contents');
}

/** No control character a name brought along reaches a person's terminal (stdout and stderr of a text run). */
function assertNoRawControls(result: CliResult): void {
  for (const [stream, text] of [
    ['stdout', result.stdout],
    ['stderr', result.stderr],
  ] as const) {
    // Line feeds end lines; nothing else below U+0020 (nor DEL or C1) may appear.
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.exec(text);
    assert.equal(raw, null, `${stream} holds a raw ${JSON.stringify(raw?.[0])}:\n${text}`);
  }
}

/** Asserts that stderr names every refused entry: each as the CLI shows it, with the reason. */
function assertRefusedOnStderr(result: CliResult, shown: string[], reason: RegExp): void {
  for (const name of shown) {
    const line = result.stderr.split('\n').find((l) => l.includes(name));
    assert.ok(line, `stderr names ${name}:\n${result.stderr}`);
    assert.match(line, reason, `the reason is given for ${name}`);
  }
}

describe('fileferry CLI with hostile file names', () => {
  let work: string;
  let home: string;
  let src: string;
  let vsftpd: VsftpdHandle;
  let ftpSrv: FtpServerHandle;
  const fileferry = (args: string[], env: CliEnv = {}) => runCli(home, args, env);

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'ferry-hostile-names-'));
    home = path.join(work, 'home');
    src = path.join(work, 'src');
    await makeTree(src, true);
    [vsftpd, ftpSrv] = await Promise.all([startVsftpd(), startFtpServer()]);
  });

  after(async () => {
    await Promise.all([vsftpd?.stop(), ftpSrv?.stop()]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('copies a local folder of hostile names to a local folder: legal names whole, the others named, exit 3', async () => {
    const dst = path.join(work, 'local-copy');
    const result = await fileferry(['cp', '-r', src, dst]);
    expectExit(result, 3);
    assertSameTree(await rawTree(dst), expectedTree());
    assertRefusedOnStderr(result, NOT_UTF8_SHOWN, /not valid UTF-8/);
    assertRefusedOnStderr(result, ['new\\nline.txt'], /line break/);
    assert.match(result.stderr, /dir\\xc3\(.*nor anything in that folder/);
    assert.match(result.stderr, /^7 files copied, 4 refused /m);
    // The progress lines name the hostile files, escaped: shown, not obeyed.
    assert.ok(result.stderr.includes('copied: ' + path.join(src, 'esc\\x1b]0;PWNED\\x07\\x1b[31mred.txt')));
    assertNoRawControls(result);
  });

  it('says why a file named on the command line in bytes that are not UTF-8 cannot be found', async () => {
    // A shell passes the name's bytes; Node turns the invalid one into U+FFFD, a name no file has.
    const script = `exec "$NODE" "$CLI" cp "$(printf '%s/caf\\351.txt' "$SRC")" "$DST"`;
    const result = await new Promise<CliResult>((resolve) => {
      execFile(
        'sh',
        ['-c', script],
        {
          env: {
            ...cleanEnv(),
            FILEFERRY_HOME: home,
            NODE: process.execPath,
            CLI,
            SRC: src,
            DST: path.join(work, 'one.txt'),
          },
        },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
    });
    expectExit(result, 1);
    assert.match(result.stderr, /caf\uFFFD\.txt does not exist\. Its name holds .* not UTF-8.*Rename it to UTF-8/);
  });

  /**
   * `ls ADDRESS` shows every legal name (escaped) and names each left-out one on stderr, exit 3; `ls --json`
   * gives the exact names.
   */
  async function assertListsHostile(address: string, leftOut: string[], reason: RegExp): Promise<void> {
    const text = await fileferry(['ls', address]);
    expectExit(text, 3);
    assert.match(text.stdout, / {2}back\\slash\.txt$/m);
    assert.match(text.stdout, / {2}c:drive\.txt$/m);
    assert.ok(text.stdout.includes('  esc\\x1b]0;PWNED\\x07\\x1b[31mred.txt\n'), text.stdout);
    assert.ok(text.stdout.includes('  bell\\x07.txt\n'), text.stdout);
    assertRefusedOnStderr(text, leftOut, reason);
    assertNoRawControls(text);

    const json = await fileferry(['ls', '--json', address]);
    expectExit(json, 3);
    const names = jsonLines<{ name: string }>(json.stdout).map((entry) => entry.name);
    assert.deepEqual(names.sort(), [...LEGAL, 'sub'].sort());
  }

  it('lists a local folder: hostile names escaped, exact with --json, names that are not UTF-8 on stderr', async () => {
    await assertListsHostile(src, [...NOT_UTF8_SHOWN, 'new\\nline.txt'], /left out/);
  });

  it('uploads the hostile folder to vsftpd: every legal name arrives byte for byte, the others named, exit 3', async () => {
    const result = await fileferry(['cp', '-r', src, `ftp://anonymous@127.0.0.1:${vsftpd.port}/pub/`]);
    expectExit(result, 3);
    assertSameTree(await rawTree(path.join(vsftpd.root, 'pub', 'src')), expectedTree());
    assertRefusedOnStderr(result, [...NOT_UTF8_SHOWN, 'new\\nline.txt'], /refused/);
    assertNoRawControls(result);
  });

  it('uploads to ftp-srv, which takes "\\" as a separator: back\\slash.txt is refused and named, c:drive.txt arrives', async () => {
    const result = await fileferry(['cp', '-r', src, `ftp://${ftpSrv.user}@127.0.0.1:${ftpSrv.port}/`], {
      FILEFERRY_PASSWORD: ftpSrv.password,
    });
    expectExit(result, 3);
    const expected = expectedTree();
    delete expected[Buffer.from('back\\slash.txt').toString('hex')];
    assertSameTree(await rawTree(path.join(ftpSrv.root, 'src')), expected);
    assertRefusedOnStderr(result, ['back\\slash.txt'], /takes as a folder separator/);
    assertRefusedOnStderr(result, NOT_UTF8_SHOWN, /not valid UTF-8/);
    // Nothing landed in a folder "back" (or anywhere else) by way of the backslash.
    assert.deepEqual((await readdir(ftpSrv.root)).sort(), ['src'], 'nothing written outside the copied folder');
    assertNoRawControls(result);
  });

  it('refuses a single file whose name ftp-srv cannot hold, before writing anything', async () => {
    const result = await fileferry(
      ['cp', path.join(src, 'back\\slash.txt'), `ftp://${ftpSrv.user}@127.0.0.1:${ftpSrv.port}/`],
      { FILEFERRY_PASSWORD: ftpSrv.password },
    );
    expectExit(result, 1);
    assert.match(
      result.stderr,
      /The name "back\\slash\.txt" contains "\\", which this site takes as a folder separator/,
    );
    assert.deepEqual(await readdir(ftpSrv.root), ['src'], 'no "back" folder, no file');
  });

  it('downloads from ftp-srv: a name with "\\" there is refused and named, never fetched as another path', async () => {
    const served = path.join(ftpSrv.root, 'served');
    await mkdir(served);
    await writeFile(path.join(served, 'back\\slash.txt'), 'the backslash file\n');
    await writeFile(path.join(served, 'c:drive.txt'), 'the colon file\n');
    // What ftp-srv would hand out for "served/back\slash.txt": a different file.
    await mkdir(path.join(served, 'back'));
    await writeFile(path.join(served, 'back', 'slash.txt'), 'a different file\n');
    const dst = path.join(work, 'from-ftp-srv');
    const result = await fileferry(['cp', '-r', `ftp://${ftpSrv.user}@127.0.0.1:${ftpSrv.port}/served`, dst], {
      FILEFERRY_PASSWORD: ftpSrv.password,
    });
    expectExit(result, 3);
    assert.deepEqual((await readdir(dst)).sort(), ['back', 'c:drive.txt']);
    assert.equal(await readFile(path.join(dst, 'c:drive.txt'), 'utf8'), 'the colon file\n');
    assertRefusedOnStderr(result, ['back\\slash.txt'], /takes as a folder separator/);
    assertNoRawControls(result);
  });

  it('rm -r on ftp-srv names what it cannot delete by name, and deletes nothing else through it', async () => {
    const doomed = path.join(ftpSrv.root, 'doomed');
    await mkdir(path.join(doomed, 'back'), { recursive: true });
    await writeFile(path.join(doomed, 'back\\slash.txt'), 'cannot be named here\n');
    await writeFile(path.join(doomed, 'back', 'slash.txt'), 'what DELE back\\slash.txt would delete\n');
    await writeFile(path.join(doomed, 'esc\x1b[2J.txt'), 'removable\n');
    const result = await fileferry(['rm', '-r', `ftp://${ftpSrv.user}@127.0.0.1:${ftpSrv.port}/doomed`], {
      FILEFERRY_PASSWORD: ftpSrv.password,
    });
    expectExit(result, 1);
    assert.match(result.stderr, /\/doomed was not removed: it still holds "back\\slash\.txt" \(the name contains "\\"/);
    assert.deepEqual(await readdir(doomed), ['back\\slash.txt'], 'only the file it cannot name is left');
    assertNoRawControls(result);
  });

  describe('a vsftpd server holding hostile names', () => {
    let base: string;
    before(async () => {
      const served = path.join(vsftpd.root, 'pub', 'hostile');
      // Written straight to the server's disk (world-readable, as anonymous vsftpd requires).
      await makeTree(served, false);
      base = `ftp://anonymous@127.0.0.1:${vsftpd.port}/pub/hostile`;
    });

    it('downloads every legal name byte for byte and names each name that is not UTF-8, exit 3', async () => {
      const dst = path.join(work, 'download');
      const result = await fileferry(['cp', '-r', base, dst]);
      expectExit(result, 3);
      assertSameTree(await rawTree(dst), expectedTree());
      // basic-ftp reads the listing as UTF-8: bytes that are not arrive as U+FFFD, which names no file there.
      assertRefusedOnStderr(result, ['caf\uFFFD.txt', 'inv\uFFFD.txt', 'dir\uFFFD('], /not UTF-8/);
      assert.doesNotMatch(result.stderr, /does not exist/);
      assertNoRawControls(result);
    });

    it('lists them: backslash and colon names shown, ESC escaped, exact with --json', async () => {
      await assertListsHostile(base, ['caf\uFFFD.txt', 'inv\uFFFD.txt', 'dir\uFFFD('], /left out.*not UTF-8/);
    });
  });
});
