// Names from servers are shown, never obeyed (issue 14, defect 7): printable() escapes what could drive a
// terminal, and the progress reporters print every name through it; --json keeps names exact.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { printable } from '../../main/cli/format';
import { createReporter } from '../../main/cli/progress';
import { localProviderPath } from '../../main/cli/address';
import { showBytes } from '../../main/core/providers/local/names';
import type { TransferEvent } from '../../shared/transfers';

const ESC_NAME = '/pub/esc\x1b]0;PWNED\x07\x1b[31mred.txt';
const ESC_SHOWN = '/pub/esc\\x1b]0;PWNED\\x07\\x1b[31mred.txt';
// Control characters other than the line feed that ends a line.
// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f]/;
/** The reporter's own carriage return and "erase to end of line", the only escapes it may write. */
const OWN_ESCAPES = new RegExp(String.raw`\r|\u001b\[K`, 'g');

type Streams = { stdout: typeof process.stdout; stderr: typeof process.stderr };

/** Output streams that keep what is written, as a terminal would receive it. */
function capture(isTTY: boolean): { streams: Streams; text: () => string } {
  let text = '';
  const stream = {
    isTTY,
    columns: 200,
    write(chunk: string) {
      text += chunk;
      return true;
    },
  };
  return { streams: { stdout: stream, stderr: stream } as unknown as Streams, text: () => text };
}

const progress: TransferEvent = {
  type: 'progress',
  jobId: 'j',
  file: ESC_NAME,
  progress: { bytesDone: 5, bytesTotal: 10, rate: 1 },
  filesTotal: 2,
  filesDone: 0,
  filesFailed: 1,
  filesSkipped: 1,
};
const failed: TransferEvent = {
  type: 'files',
  jobId: 'j',
  changes: [{ path: ESC_NAME, state: 'failed', error: { code: 'NotFound', message: `${ESC_NAME} does not exist.` } }],
};
const refused: TransferEvent = {
  type: 'files',
  jobId: 'j',
  changes: [
    {
      path: '/pub/new\nline',
      state: 'skipped',
      error: { code: 'InvalidInput', message: 'The name "new\nline" contains a line break: it was not copied.' },
    },
  ],
};
const warning: TransferEvent = { type: 'log', jobId: 'j', level: 'warn', message: `Skipped ${ESC_NAME}: a link.` };

describe('printable names', () => {
  it('escapes control characters, C1, line separators and bidi overrides; keeps everything else', () => {
    assert.equal(printable(ESC_NAME), ESC_SHOWN);
    assert.equal(printable('a\tb\nc\rd\x7fe\x9bf'), 'a\\tb\\nc\\rd\\x7fe\\x9bf');
    assert.equal(printable('evil\u202etxt.exe\u2028'), 'evil\\u202etxt.exe\\u2028');
    for (const kept of ['back\\slash.txt', 'c:drive.txt', 'caf\u00e9 \u4e16\u754c \u{1F680}.txt', 'inv\uFFFD.txt'])
      assert.equal(printable(kept), kept);
    assert.equal(printable('two\nlines\x1b', { lines: true }), 'two\nlines\\x1b');
  });

  it('shows bytes that are not UTF-8 as \\xHH and keeps the valid characters', () => {
    assert.equal(showBytes(Buffer.from('caf\xe9.txt', 'latin1')), 'caf\\xe9.txt');
    assert.equal(showBytes(Buffer.from([0x64, 0x69, 0x72, 0xc3, 0x28])), 'dir\\xc3(');
    assert.equal(showBytes(Buffer.from('ok \u00e9 \u{1F680}')), 'ok \u00e9 \u{1F680}');
    assert.equal(showBytes(Buffer.from([0xef, 0xbb, 0xbf, 0x61])), '\uFEFFa', 'a byte-order mark is kept');
    assert.equal(showBytes(Buffer.from([0xf0, 0x9f, 0x9a])), '\\xf0\\x9f\\x9a', 'a cut sequence');
    assert.equal(showBytes(Buffer.from([0xed, 0xa0, 0x80])), '\\xed\\xa0\\x80', 'an encoded surrogate');
  });

  it('the terminal reporter prints the progress line, failures and warnings escaped', () => {
    const out = capture(true);
    const reporter = createReporter('tty', out.streams);
    for (const event of [progress, failed, refused, warning]) reporter.event(event);
    const text = out.text();
    // Its own \r and "erase line" are the only escape sequences it writes.
    assert.equal(text.replace(OWN_ESCAPES, '').match(RAW_CONTROL), null, JSON.stringify(text));
    assert.ok(text.includes(`  ${ESC_SHOWN}`), 'the progress line names the file, escaped');
    assert.ok(text.includes(`failed: ${ESC_SHOWN}: ${ESC_SHOWN} does not exist.`));
    assert.ok(text.includes('refused: /pub/new\\nline: The name "new\\nline" contains a line break'));
    assert.ok(text.includes(`warn: Skipped ${ESC_SHOWN}: a link.`));
  });

  it('the plain reporter escapes too, and JSON keeps the exact name', () => {
    const plain = capture(false);
    const reporter = createReporter('plain', plain.streams);
    for (const event of [failed, refused, warning]) reporter.event(event);
    assert.equal(plain.text().match(RAW_CONTROL), null, JSON.stringify(plain.text()));

    const json = capture(false);
    const jsonReporter = createReporter('json', json.streams);
    jsonReporter.event(failed);
    assert.equal((JSON.parse(json.text()) as { path: string }).path, ESC_NAME);
  });

  it('reads a Windows path with "\\" separators, and keeps "\\" inside a POSIX name', () => {
    assert.deepEqual(localProviderPath('C:\\Users\\me\\a b.txt', path.win32), {
      root: 'C:\\',
      path: '/Users/me/a b.txt',
    });
    assert.deepEqual(localProviderPath('\\\\server\\share\\x', path.win32), {
      root: '\\\\server\\share\\',
      path: '/x',
    });
    assert.deepEqual(localProviderPath('/home/me/back\\slash.txt', path.posix), {
      root: '/',
      path: '/home/me/back\\slash.txt',
    });
  });
});
