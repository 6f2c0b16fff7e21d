// FTP listings read page by page as the data connection delivers them (issue 16; main/core/providers/ftp/
// list-stream.ts). The entries must be exactly those of the buffered path they replace — basic-ftp's
// client.list() and toEntries — so each test compares the two on the same bytes: real servers (vsftpd for
// LIST, pyftpdlib for MLSD) and small scripted ones (test/helpers/hostile-ftp.ts) that cut lines across
// writes, hold a listing halfway, or drop it.
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FileInfo } from 'basic-ftp';
import { parseList } from 'basic-ftp/dist/parseList.js';
import type { Logger } from '../../main/core/log/logger';
import { openFtpProvider } from '../../main/core/providers/ftp';
import { ListingLines, MAX_LINE_BYTES } from '../../main/core/providers/ftp/list-lines';
import { ListingParser } from '../../main/core/providers/ftp/list-parser';
import { toEntries } from '../../main/core/providers/ftp/listing';
import { openSession } from '../../main/core/providers/ftp/session';
import { ftpSpecSchema, type FtpSpec } from '../../shared/connection';
import { isFerryError } from '../../shared/errors';
import type { Entry, Provider, SkippedName } from '../../shared/provider';
import { expectCode } from '../helpers/expect-error';
import type { FtpSpecInput } from '../helpers/ftp-spec';
import { startScriptedListServer, type ScriptedListing, type ScriptedListServer } from '../helpers/hostile-ftp';
import { startPyftpdlib, type PyftpdlibHandle } from '../helpers/pyftpdlib';
import { until, within } from '../helpers/until';
import { startVsftpd, type VsftpdHandle } from '../helpers/vsftpd';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

interface Listed {
  pages: Entry[][];
  entries: Entry[];
  skipped: SkippedName[];
}

function specOf(input: FtpSpecInput): FtpSpec {
  return ftpSpecSchema.parse({ timeoutMs: 30_000, ...input });
}

function open(spec: FtpSpec, password?: string): Promise<Provider> {
  return openFtpProvider(spec, { secrets: async (field) => (field === 'password' ? password : undefined), log: quiet });
}

function scriptedSpec(server: ScriptedListServer, overrides: Partial<FtpSpecInput> = {}): FtpSpec {
  return specOf({ kind: 'ftp', host: server.host, port: server.port, user: 'anonymous', ...overrides });
}

/** The path this replaces: one session (as the provider opens it), CWD, basic-ftp's client.list(), toEntries. */
async function buffered(spec: FtpSpec, password: string | undefined, folder: string, provider: Provider) {
  const session = await openSession(spec, password);
  try {
    await session.client.send(`CWD ${folder}`);
    const infos = await session.client.list();
    const skipped: SkippedName[] = [];
    const entries = toEntries(infos, folder, quiet, provider.capabilities.nameRules, {
      onSkipped: (name) => void skipped.push(name),
    });
    return { entries, skipped };
  } finally {
    session.close();
  }
}

async function streamed(provider: Provider, folder: string, pageSize?: number): Promise<Listed> {
  const listed: Listed = { pages: [], entries: [], skipped: [] };
  const onSkipped = (name: SkippedName) => void listed.skipped.push(name);
  for await (const page of provider.list(folder, { onSkipped, ...(pageSize ? { pageSize } : {}) })) {
    listed.pages.push(page);
    listed.entries.push(...page);
  }
  return listed;
}

/** Full pages of `pageSize`, then one shorter (or, for an empty folder, one empty page). */
function assertPaged(listed: Listed, pageSize: number): void {
  const sizes = listed.pages.map((page) => page.length);
  const expected: number[] = [];
  for (let left = listed.entries.length; left > 0; left -= pageSize) expected.push(Math.min(pageSize, left));
  assert.deepEqual(sizes, expected.length > 0 ? expected : [0]);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** An `ls -l` line as vsftpd writes it, without its line break. */
function unix(name: string, size = 1, type = '-'): string {
  return `${type}rw-r--r--    1 ftp      ftp      ${String(size).padStart(8)} Jan 01 00:00 ${name}`;
}

function unixLines(from: number, count: number): string {
  let text = '';
  for (let n = from; n < from + count; n++) text += `${unix(`file-${String(n).padStart(6, '0')}`, n)}\r\n`;
  return text;
}

/** Names, sizes, dates and types of the hostile listing, as the buffered path reads them. */
function hostileUnixListing(): ScriptedListing {
  const euro = Buffer.from(`${unix('price-€.txt', 5)}\r\n`);
  const inEuro = euro.indexOf(0xe2) + 1;
  const split = unix('split-line', 9);
  return {
    chunks: [
      `total 12\r\n${unix('.', 0, 'd')}\r\n${unix('..', 0, 'd')}\r\n${unix('a  b c', 3)}\n`,
      // A multi-byte character cut between two writes, then a CRLF cut between its CR and LF.
      euro.subarray(0, inEuro),
      Buffer.concat([euro.subarray(inEuro), Buffer.from(`${unix('-rf', 2)}\r`)]),
      `\n${unix(' lead')}\n\n${unix('trail ')}\r\n`,
      // Not UTF-8 (Latin-1 "café"): the buffered path decodes it to U+FFFD, which toEntries reports.
      Buffer.from(`${unix('caf\xe9', 4)}\r\n`, 'latin1'),
      `${unix('a/b')}\r\n${unix('sub', 0, 'd')}\r\nlrwxrwxrwx    1 ftp      ftp             6 Jan 01 00:00 link -> a  b c\r\n`,
      split.slice(0, 20),
      `${split.slice(20)}\r\n${unix('last-without-break', 7)}`,
    ],
  };
}

function hostileMlsdListing(): ScriptedListing {
  const modify = 'modify=20240102030405';
  const euro = Buffer.from(`type=file;size=5;${modify}.250; price-€.txt\r\n`);
  const inEuro = euro.indexOf(0xe2) + 2;
  return {
    chunks: [
      `type=cdir;${modify}; .\r\ntype=pdir;${modify}; ..\r\ntype=file;size=3;${modify}; a  b c\n`,
      euro.subarray(0, inEuro),
      Buffer.concat([euro.subarray(inEuro), Buffer.from(`type=file;size=2;${modify}; -rf\r`)]),
      `\ntype=file;size=1;${modify};  lead\n\ntype=file;size=1;${modify}; trail \r\n`,
      Buffer.from(`type=file;size=4;${modify}; caf\xe9\r\n`, 'latin1'),
      // transformList drops a name holding "/" without a word; the streamed path must too.
      `type=file;size=1;${modify}; a/b\r\ntype=dir;${modify}; sub\r\ntype=OS.unix=symlink;${modify}; link\r\n`,
      `type=file;size=9;${modify};`,
      ` split-line\r\ntype=file;size=7;${modify}; last-without-break`,
    ],
  };
}

describe('ftp listing page by page: the same entries as the buffered listing', () => {
  for (const [label, listing, mlsd] of [
    ['LIST', hostileUnixListing(), false],
    ['MLSD', hostileMlsdListing(), true],
  ] as const) {
    it(`${label}: lines cut across writes, CRLF and LF, a last line without a break, spaces, "-", non-UTF-8`, async () => {
      const server = await startScriptedListServer({ '/odd': listing }, { mlsd });
      const spec = scriptedSpec(server);
      const provider = await open(spec);
      try {
        const listed = await within(10_000, streamed(provider, '/odd', 3), 'the listing');
        const expected = await buffered(spec, undefined, '/odd', provider);
        assert.deepEqual(listed.entries, expected.entries);
        assert.deepEqual(listed.skipped, expected.skipped);
        assertPaged(listed, 3);
        // Not a comparison of two empty lists: what both read.
        assert.deepEqual(
          listed.entries.map((entry) => entry.name),
          ['a  b c', 'price-€.txt', '-rf', ' lead', 'trail ', 'sub', 'link', 'split-line', 'last-without-break'],
        );
        const sizes = Object.fromEntries(listed.entries.map((entry) => [entry.name, entry.size]));
        assert.deepEqual([sizes['price-€.txt'], sizes['split-line'], sizes['last-without-break']], [5, 9, 7]);
        const skippedNames = listed.skipped.map((skipped) => skipped.name);
        assert.deepEqual(skippedNames, mlsd ? ['caf\uFFFD'] : ['caf\uFFFD', 'a/b']);
        assert.equal(server.commands.filter((command) => command.startsWith(label)).length, 2);
      } finally {
        await provider.close();
        await server.stop();
      }
    });
  }

  describe('on real servers, 5,000 files', () => {
    let vsftpd: VsftpdHandle;
    let pyftpdlib: PyftpdlibHandle;
    const names = Array.from({ length: 5000 }, (_, n) => `file ${String(n).padStart(5, '0')}.txt`);
    const odd = ['-rf', ' leading space', 'trailing space ', 'two  spaces', 'été', 'a\\b', 'price €'];

    async function fill(folder: string, nonUtf8: boolean): Promise<void> {
      await mkdir(join(folder, 'sub folder'), { recursive: true });
      for (let at = 0; at < names.length; at += 500) {
        await Promise.all(names.slice(at, at + 500).map((name, n) => writeFile(join(folder, name), 'x'.repeat(n))));
      }
      for (const name of odd) await writeFile(join(folder, name), name);
      await symlink('file 00001.txt', join(folder, 'a link'));
      if (nonUtf8) await writeFile(Buffer.from(`${folder}/caf\xe9`, 'latin1'), 'latin-1 name');
    }

    before(async () => {
      vsftpd = await startVsftpd();
      await fill(join(vsftpd.root, 'pub', 'many'), true);
      pyftpdlib = await startPyftpdlib();
      await fill(join(pyftpdlib.root, 'many'), false);
    });
    after(async () => {
      await vsftpd?.stop();
      await pyftpdlib?.stop();
    });

    for (const [label, server, folder] of [
      ['vsftpd (LIST)', () => vsftpd, '/pub/many'],
      ['pyftpdlib (MLSD)', () => pyftpdlib, '/many'],
    ] as const) {
      it(`${label}: names, sizes, dates and types in the same order, in pages of pageSize`, async () => {
        const handle = server();
        const password = 'password' in handle ? handle.password : undefined;
        const spec = specOf(handle.spec());
        const provider = await open(spec, password);
        try {
          const listed = await streamed(provider, folder, 700);
          const expected = await buffered(spec, password, folder, provider);
          assert.deepEqual(listed.entries, expected.entries);
          assert.deepEqual(listed.skipped, expected.skipped);
          assertPaged(listed, 700);
          assert.equal(listed.entries.length, names.length + odd.length + 2);
          const byName = new Map(listed.entries.map((entry) => [entry.name, entry]));
          assert.equal(byName.get('file 04999.txt')?.size, 499);
          assert.equal(byName.get('sub folder')?.type, 'folder');
          for (const name of odd) assert.ok(byName.has(name), `${name} listed`);
          // vsftpd sends the Latin-1 name's bytes as they are: both paths leave it out and say so.
          assert.deepEqual(
            listed.skipped.map((skipped) => skipped.name),
            label.startsWith('vsftpd') ? ['caf\uFFFD'] : [],
          );
        } finally {
          await provider.close();
        }
      });
    }
  });
});

describe('ftp listing page by page: as the server sends it', () => {
  /** 500 entries in two writes, the server waiting for release() between them. */
  const held = (): ScriptedListing => ({ chunks: [unixLines(0, 250), unixLines(250, 250)], holdAfter: 1 });
  const small = (): ScriptedListing => ({ chunks: [unixLines(0, 3)] });
  const names = (from: number, count: number) =>
    Array.from({ length: count }, (_, n) => `file-${String(from + n).padStart(6, '0')}`);

  /** Runs `test` with a provider on a scripted server of these folders, and closes both after. */
  async function onScripted(
    folders: Record<string, ScriptedListing>,
    test: (server: ScriptedListServer, provider: Provider) => Promise<void>,
    overrides: Partial<FtpSpecInput> = {},
  ): Promise<void> {
    const server = await startScriptedListServer(folders);
    try {
      const provider = await open(scriptedSpec(server, overrides));
      try {
        await test(server, provider);
      } finally {
        await provider.close();
      }
    } finally {
      await server.stop();
    }
  }

  it('hands out the first page while the server still holds the rest of the listing', () =>
    onScripted({ '/held': held() }, async (server, provider) => {
      const pages = provider.list('/held', { pageSize: 100 })[Symbol.asyncIterator]();
      const first = await within(5_000, pages.next(), 'the first page');
      assert.ok(!first.done, 'a first page');
      const listed = first.value.map((entry) => entry.name);
      assert.deepEqual(listed, names(0, 100));
      assert.ok(server.holding(), 'the server had not sent the rest yet');
      server.release();
      for (let next = await pages.next(); !next.done; next = await pages.next()) {
        assert.ok(next.value.length <= 100);
        listed.push(...next.value.map((entry) => entry.name));
      }
      assert.deepEqual(listed, names(0, 500));
    }));

  it('closes the data and control connections when the caller stops early, and lists again after', () =>
    onScripted({ '/held': held(), '/small': small() }, async (server, provider) => {
      const firstPageOnly = async () => {
        for await (const page of provider.list('/held', { pageSize: 100 })) {
          assert.equal(page.length, 100);
          // Both connections of the listing are open while the server holds it.
          assert.equal(server.openConnections(), 2);
          break;
        }
      };
      await within(5_000, firstPageOnly(), 'the first page');
      await until(() => server.openConnections() === 0, 5_000, 'the listing connections to close');
      const again = await within(5_000, streamed(provider, '/small'), 'the next listing');
      assert.deepEqual(
        again.entries.map((entry) => entry.name),
        names(0, 3),
      );
      // The next listing's session went back to the pool: its control connection stays, its data one closed.
      await until(() => server.openConnections() === 1, 5_000, 'only the pooled control connection to stay');
    }));

  it('lets a caller list other folders between pages, on a site of one connection', () =>
    // A walk that goes into subfolders while it reads their parent's listing: the parent's listing holds the
    // only connection, so it must read on and free it instead of waiting for a caller who waits for it.
    onScripted(
      { '/parent': { chunks: [unixLines(0, 250), unixLines(250, 250)] }, '/child': small() },
      async (server, provider) => {
        const walk = async () => {
          let parent = 0;
          let children = 0;
          for await (const page of provider.list('/parent', { pageSize: 100 })) {
            parent += page.length;
            children += (await streamed(provider, '/child')).entries.length;
          }
          return { parent, children };
        };
        assert.deepEqual(await within(5_000, walk(), 'the walk'), { parent: 500, children: 15 });
        // Each listing ended cleanly: the one connection was reused throughout.
        assert.equal(server.closedConnections(), 0);
      },
      { maxConnections: 1 },
    ));

  it('cancels a listing under way: the iteration fails with Cancelled and its connections close', () =>
    onScripted({ '/held': held() }, async (server, provider) => {
      const controller = new AbortController();
      const pages = provider.list('/held', { pageSize: 100, signal: controller.signal })[Symbol.asyncIterator]();
      await within(5_000, pages.next(), 'the first page');
      await pages.next(); // the second page was parsed from the same write
      const waiting = pages.next();
      controller.abort();
      await within(5_000, expectCode(waiting, 'Cancelled'), 'the cancelled listing');
      await until(() => server.openConnections() === 0, 5_000, 'the listing connections to close');
    }));

  it('fails (and does not list again from the start) when the connection drops after a page went out', () =>
    onScripted({ '/held': held() }, async (server, provider) => {
      const seen: string[] = [];
      const listing = (async () => {
        for await (const page of provider.list('/held', { pageSize: 100 })) {
          seen.push(...page.map((entry) => entry.name));
          if (seen.length === 100) server.dropConnections();
        }
      })();
      const error = await within(5_000, expectCode(listing, 'Network'), 'the dropped listing');
      assert.match(error.message, /list \/held/);
      // Each name once: a listing started again would have handed out the first ones twice.
      assert.equal(new Set(seen).size, seen.length);
      assert.equal(server.commands.filter((command) => command.startsWith('LIST')).length, 1);
    }));

  it('lists on a fresh connection when the pooled one was dropped before the listing began', () =>
    onScripted({ '/small': small() }, async (server, provider) => {
      server.dropConnections();
      const listed = await within(5_000, streamed(provider, '/small'), 'the listing');
      assert.equal(listed.entries.length, 3);
    }));

  it('does not take a caller that pauses at the end of a listing for a stalled server', () =>
    // The listing comes in writes small enough that the data socket is not paused for backpressure: it ends
    // while pages wait for the caller. basic-ftp's watchdog (idle timeout 0.5 s here) must see the wait as ours.
    onScripted(
      { '/short': { chunks: [unixLines(0, 30), unixLines(30, 5)] } },
      async (_server, provider) => {
        const listed: string[] = [];
        for await (const page of provider.list('/short', { pageSize: 10 })) {
          if (listed.length === 0) await sleep(1500);
          listed.push(...page.map((entry) => entry.name));
        }
        assert.deepEqual(listed, names(0, 35));
      },
      { timeoutMs: 500 },
    ));

  it('reads no further ahead of a slow caller than a few pages, and the deadline does not count its time', () => {
    // 100,000 lines; every other one has a name FileFerry leaves out ("a/b"), so onSkipped shows how far the
    // provider has read. The deadline (2 s) is shorter than the caller's pause (3 s): only the server's time counts.
    const chunks: string[] = [];
    for (let at = 0; at < 50_000; at += 1000) {
      let text = '';
      for (let n = at; n < at + 1000; n++)
        text += `${unix(`file-${String(n).padStart(6, '0')}`)}\r\n${unix(`x/${n}`)}\r\n`;
      chunks.push(text);
    }
    return onScripted(
      { '/many': { chunks } },
      async (_server, provider) => {
        let skipped = 0;
        let entries = 0;
        let readDuringPause = -1;
        let inOrder = true;
        for await (const page of provider.list('/many', { pageSize: 100, onSkipped: () => void (skipped += 1) })) {
          for (const entry of page) inOrder &&= entry.name === `file-${String(entries++).padStart(6, '0')}`;
          if (readDuringPause >= 0) continue;
          const before = skipped;
          await sleep(3000);
          readDuringPause = skipped;
          assert.ok(before < 5_000, `read ${before} lines of 100,000 before handing out the first page`);
        }
        assert.ok(readDuringPause < 5_000, `read ${readDuringPause} lines of 100,000 while the caller paused`);
        assert.equal(entries, 50_000);
        assert.ok(inOrder, 'every entry in order');
        assert.equal(skipped, 50_000);
      },
      { operationTimeoutMs: 2000 },
    );
  });
});

describe('ftp listing lines and parser choice (list-lines.ts, list-parser.ts)', () => {
  const describeSite = { site: '127.0.0.1:21', folder: '/f' };

  /** A deterministic generator, so a failure can be replayed. */
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state / 0x80000000;
    };
  }

  function streamParse(bytes: Buffer, cuts: number[], commitAfter: number): FileInfo[] {
    const parser = new ListingParser(commitAfter, describeSite);
    const lines = new ListingLines('utf8', describeSite, (line) => parser.add(line));
    const infos: FileInfo[] = [];
    let at = 0;
    for (const cut of [...cuts, bytes.length]) {
      lines.push(bytes.subarray(at, cut));
      infos.push(...parser.take());
      at = cut;
    }
    lines.end();
    parser.end();
    infos.push(...parser.take());
    return infos;
  }

  const samples: Record<string, Buffer> = {
    unix: Buffer.concat([
      Buffer.from(`total 3\r\n${unix('.', 0, 'd')}\n${unix('a b', 3)}\r\n\r\n${unix('ü-€-😀')}\n${unix('-x')}\r\r\n`),
      Buffer.from([0x2d, 0x72, 0x77]),
      Buffer.from(`-r--r--    1 ftp      ftp             1 Jan 01 00:00 bad-\xff\xfe-\xe2\x82\n`, 'latin1'),
      Buffer.from(`brw-r--r--    1 ftp      ftp      8, 1 Jan 01 00:00 dev\r\n${unix('end', 4)}\r`),
    ]),
    dos: Buffer.from(
      '04-27-00  09:09PM       <DIR>          licensed\r\n04-14-00  03:47PM                  589 readme.htm\n',
    ),
    mlsd: Buffer.from(
      'type=cdir;modify=20240101000000; .\r\ntype=file;size=3;modify=20240101000000.5; a b\n' +
        ' no-facts\r\ntype=dir;UNIX.mode=0755; sub\r\ntype=OS.unix=slink:/x;size=1; l\r\ntype=file;size=1; c/d\r\n',
    ),
  };

  for (const [name, bytes] of Object.entries(samples)) {
    it(`cut anywhere, a ${name} listing reads as basic-ftp's parseList reads it whole`, () => {
      const expected = parseList(bytes.toString('utf8'));
      assert.ok(expected.length >= 2, 'the sample has entries');
      const next = random(name.length * 7919);
      for (let round = 0; round < 300; round++) {
        const cuts = Array.from({ length: Math.floor(next() * 12) }, () => Math.floor(next() * bytes.length)).sort(
          (a, b) => a - b,
        );
        const commitAfter = 1 + Math.floor(next() * 6);
        assert.deepEqual(streamParse(bytes, cuts, commitAfter), expected, `cuts ${cuts.join(',')}`);
      }
    });
  }

  it('fails a listing that changes format after the parser was chosen, rather than read it two ways', () => {
    const bytes = Buffer.from(`${unix('a')}\r\n${unix('b')}\r\n${unix('c')}\r\ntype=file;size=1; d\r\n`);
    assert.throws(
      () => streamParse(bytes, [], 2),
      (error: unknown) => isFerryError(error, 'Protocol') && /more than one format/.test(error.message),
    );
    // Within its first page nothing was chosen yet: then it reads exactly as parseList does.
    assert.deepEqual(streamParse(bytes, [], 10), parseList(bytes.toString('utf8')));
  });

  it('fails a listing whose last line no parser reads, as parseList does', () => {
    const bytes = Buffer.from(`${unix('a')}\r\n${unix('b')}\r\nnot a listing line\r\n`);
    assert.throws(() => parseList(bytes.toString('utf8')));
    for (const commitAfter of [1, 10]) {
      assert.throws(
        () => streamParse(bytes, [], commitAfter),
        (error: unknown) => isFerryError(error, 'Protocol') && /cannot read/.test(error.message),
      );
    }
  });

  it('stops at a line longer than MAX_LINE_BYTES instead of holding it', () => {
    const lines = new ListingLines('utf8', describeSite, () => {});
    lines.push(Buffer.from(`${unix('a')}\r\n`));
    const long = Buffer.alloc(MAX_LINE_BYTES / 2 + 1, 0x61);
    lines.push(long);
    assert.throws(
      () => lines.push(long),
      (error: unknown) => isFerryError(error, 'Protocol') && /longer than 64 KiB/.test(error.message),
    );
  });
});
