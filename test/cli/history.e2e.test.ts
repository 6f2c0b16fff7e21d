// `fileferry history` through the real command (issue 17, point 4): real `cp` runs record into the data folder's
// history.db, and `history` reads them back as a table, JSON and CSV, filtered; `history device` names the
// device later records carry. Each test has a FILEFERRY_HOME of its own, so none depends on another's order.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import type { HistoryRecord } from '../../shared/history';
import { startFtpServer } from '../helpers/ftp-server';
import { expectExit, runCli, type CliResult } from './run-cli';

/** The copied folder's files: a space, non-ASCII, quotes and a comma — what CSV and tables must survive. */
const NAMES = ['a b.txt', 'ünï €.txt', `it's "q", ok.txt`];
const ESC_NAME = 'esc\x1b]0;PWNED\x07\x1b[31mred.txt';
// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f]/;

let work: string;
let src: string;
let homes = 0;

/** A fresh data folder (not created: the command creates what it needs). */
const newHome = () => path.join(work, `home-${++homes}`);

async function history(home: string, args: string[]): Promise<CliResult> {
  return runCli(home, ['history', ...args]);
}

async function records(home: string, args: string[] = []): Promise<HistoryRecord[]> {
  const result = await history(home, ['--json', ...args]);
  expectExit(result, 0);
  const parsed = JSON.parse(result.stdout) as HistoryRecord[];
  assert.ok(Array.isArray(parsed), 'one JSON array');
  return parsed;
}

/** `cp -r src TARGET` into `home`'s history; returns the target folder. */
async function copyFolder(home: string, target = path.join(work, `copy-${homes}`)): Promise<string> {
  expectExit(await runCli(home, ['cp', '-r', src, target]), 0);
  return target;
}

describe('fileferry history', () => {
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'ferry-history-e2e-'));
    src = path.join(work, 'src');
    await mkdir(src);
    for (const [i, name] of NAMES.entries()) await writeFile(path.join(src, name), 'x'.repeat(100 * (i + 1) + i));
  });

  after(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('says nothing was recorded yet, and creates no history or device, before any transfer', async () => {
    const home = newHome();
    const table = await history(home, []);
    expectExit(table, 0);
    assert.equal(table.stdout, 'No transfers recorded yet.\n');
    assert.deepEqual(await records(home), []);
    const csv = await history(home, ['--csv']);
    expectExit(csv, 0);
    assert.equal(csv.stdout.split('\r\n').filter(Boolean).length, 1, 'the header alone');
    assert.ok(!existsSync(path.join(home, 'history.db')), 'no history.db');
    assert.ok(!existsSync(path.join(home, 'device.json')), 'no device.json');
  });

  it('--json lists exactly the files a cp copied: done, every byte, a check, both addresses', async () => {
    const home = newHome();
    const target = await copyFolder(home);
    const listed = await records(home);
    assert.equal(listed.length, NAMES.length);
    assert.deepEqual(listed.map((r) => path.basename(r.source)).sort(), [...NAMES].sort());
    for (const record of listed) {
      const name = path.basename(record.source);
      const size = (await stat(path.join(src, name))).size;
      assert.equal(record.result, 'done', name);
      assert.equal(record.source, path.join(src, name));
      assert.equal(record.destination, path.join(target, name));
      assert.equal(record.sourceConnection, 'local');
      assert.equal(record.destinationConnection, 'local');
      assert.equal(record.size, size, name);
      assert.equal(record.bytesDone, size, name);
      assert.equal(typeof record.verification?.check, 'string', `${name} says how it was checked`);
      assert.equal(record.deviceName, hostname());
      assert.match(record.deviceId, /^[0-9a-f-]{36}$/);
      assert.ok(record.endedAt! >= record.startedAt, name);
    }
    // Newest first.
    const starts = listed.map((r) => r.startedAt);
    assert.deepEqual(
      starts,
      [...starts].sort((a, b) => b - a),
    );
  });

  it('--csv has a header and one row per file, quoted where a name needs it', async () => {
    const home = newHome();
    await copyFolder(home);
    const result = await history(home, ['--csv']);
    expectExit(result, 0);
    const lines = result.stdout.split('\r\n');
    assert.equal(lines.pop(), '', 'ends with CRLF');
    assert.equal(lines.length, 1 + NAMES.length);
    assert.match(lines[0]!, /^id,jobId,syncRunId,source,destination,/);
    assert.ok(
      lines.some((line) => line.includes(`,"${path.join(src, `it's ""q"", ok.txt`)}",`)),
      result.stdout,
    );
    assert.ok(lines.slice(1).every((line) => line.includes(',done,')));
  });

  it('the table shows each file with its result, and how many there are when limited', async () => {
    const home = newHome();
    await copyFolder(home);
    const table = await history(home, []);
    expectExit(table, 0);
    const lines = table.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^STARTED +RESULT +SIZE +RATE +DURATION +DEVICE +SOURCE → DESTINATION$/);
    assert.equal(lines.length, 1 + NAMES.length, 'a header and a line per file, no footer');
    for (const name of NAMES) {
      const line = lines.find((l) => l.includes(`${path.join(src, name)} → `));
      assert.ok(line, `a line for ${name}:\n${table.stdout}`);
      assert.match(line, / done /);
    }
    const limited = await history(home, ['--limit', '2']);
    expectExit(limited, 0);
    assert.equal(limited.stdout.trimEnd().split('\n').length, 1 + 2 + 1);
    assert.match(limited.stdout, /^2 of 3 records/m);
  });

  it('--json and --csv give every record unless --limit is set; the table shows 50', async () => {
    const home = newHome();
    const many = path.join(work, `many-${homes}`);
    await mkdir(many);
    for (let i = 0; i < 55; i++) await writeFile(path.join(many, `f${i}.txt`), String(i));
    expectExit(await runCli(home, ['cp', '-r', many, path.join(work, `many-copy-${homes}`)]), 0);
    const [all, csv, limited, table] = await Promise.all([
      records(home),
      history(home, ['--csv']),
      records(home, ['--limit', '5']),
      history(home, []),
    ]);
    assert.equal(all.length, 55);
    assert.equal(csv.stdout.split('\r\n').filter(Boolean).length, 1 + 55);
    assert.deepEqual(limited, all.slice(0, 5), 'the newest five');
    const lines = table.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 1 + 50 + 1);
    assert.equal(lines.at(-1), '50 of 55 records (--limit N shows more)');
  });

  it('--result failed is empty after a good copy and lists a copy that failed, with its reason', async () => {
    const home = newHome();
    await copyFolder(home);
    const none = await history(home, ['--result', 'failed']);
    expectExit(none, 0);
    assert.equal(none.stdout, 'No transfers match.\n');
    assert.deepEqual(await records(home, ['--result', 'failed']), []);

    // A folder where the file would go: a copy that fails for root too.
    const blocked = path.join(work, `blocked-${homes}`);
    await mkdir(path.join(blocked, NAMES[0]!, 'inner'), { recursive: true });
    expectExit(await runCli(home, ['cp', path.join(src, NAMES[0]!), `${blocked}/`]), 1);

    const failed = await records(home, ['--result', 'failed']);
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.source, path.join(src, NAMES[0]!));
    assert.equal(failed[0]!.destination, path.join(blocked, NAMES[0]!));
    assert.equal(failed[0]!.bytesDone, 0);
    assert.ok(failed[0]!.errorCode && failed[0]!.errorMessage, 'an error code and message');
    assert.equal((await records(home, ['--result', 'done'])).length, NAMES.length);
    const table = await history(home, ['--result', 'failed']);
    assert.ok(table.stdout.includes(failed[0]!.errorMessage!), 'the table gives the reason');
  });

  it('--search finds records by part of a name, ASCII in any case', async () => {
    const home = newHome();
    await copyFolder(home);
    const unicode = await records(home, ['--search', 'ünï €']);
    assert.deepEqual(
      unicode.map((r) => path.basename(r.source)),
      ['ünï €.txt'],
    );
    const anyCase = await records(home, ['--search', `IT'S "Q"`]);
    assert.deepEqual(
      anyCase.map((r) => path.basename(r.source)),
      [NAMES[2]],
    );
    assert.deepEqual(await records(home, ['--search', 'no such name']), []);
    // % and _ are literal, not SQL wildcards.
    assert.deepEqual(await records(home, ['--search', '%']), []);
  });

  it('--since and --until take a day or an ISO time; anything else is a usage error naming the forms', async () => {
    const home = newHome();
    await copyFolder(home);
    // Days around the copy's own start (local time), so a run across midnight counts the same.
    const [first] = await records(home);
    const day = (offset: number) => {
      const d = new Date(first!.startedAt);
      d.setDate(d.getDate() + offset);
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    };
    assert.equal((await records(home, ['--since', day(0)])).length, NAMES.length, 'since that day (local midnight)');
    assert.equal((await records(home, ['--since', day(1)])).length, 0, 'since the day after');
    assert.equal((await records(home, ['--until', day(0)])).length, 0, 'until that day began');
    const hourAgo = new Date(first!.startedAt - 3_600_000).toISOString();
    assert.equal((await records(home, ['--since', hourAgo, '--until', day(1)])).length, NAMES.length);

    // Independent read-only runs: at once.
    const badDates = ['yesterday-ish', '2026-02-30', '2026-12-08T25:00', '08/12/2026'];
    const badOptions = [
      ['--result', 'finished'],
      ['--limit', '0'],
      ['--json', '--csv'],
      ['--since', day(1), '--until', day(0)],
    ];
    const results = await Promise.all(
      [...badDates.map((bad) => ['--since', bad]), ...badOptions].map((args) => history(home, args)),
    );
    for (const [i, result] of results.entries()) {
      expectExit(result, 2);
      if (i < badDates.length)
        assert.match(result.stderr, /--since ".*" is not a date\. Use YYYY-MM-DD .*ISO 8601/, badDates[i]);
    }
  });

  it('history device names this device: later copies carry the name, earlier ones keep theirs', async () => {
    const home = newHome();
    await copyFolder(home);
    const shown = await history(home, ['device']);
    expectExit(shown, 0);
    const [name, idLine] = shown.stdout.trimEnd().split('\n');
    assert.equal(name, hostname());
    const id = idLine?.replace(/^id: /, '');
    assert.match(id ?? '', /^[0-9a-f-]{36}$/);

    const named = await history(home, ['device', 'Laptop']);
    expectExit(named, 0);
    assert.match(named.stdout, /now named Laptop/);
    await copyFolder(home, path.join(work, `again-${homes}`));

    const onLaptop = await records(home, ['--device', 'Laptop']);
    assert.equal(onLaptop.length, NAMES.length);
    assert.ok(onLaptop.every((r) => r.deviceName === 'Laptop' && r.deviceId === id));
    assert.equal((await records(home, ['--device', hostname()])).length, NAMES.length, 'earlier records');
    assert.equal((await records(home, ['--device', id!])).length, 2 * NAMES.length, 'by id: both');
    expectExit(await history(home, ['device', 'two\nlines']), 2);
  });

  it('a hostile name is escaped in the table and exact in --json and in CSV through a pipe', async () => {
    const home = newHome();
    const hostile = path.join(work, `hostile-${homes}`);
    await mkdir(hostile);
    await writeFile(path.join(hostile, ESC_NAME), 'bytes\n');
    expectExit(await runCli(home, ['cp', path.join(hostile, ESC_NAME), path.join(work, `out-${homes}`, '/')]), 0);

    const table = await history(home, []);
    expectExit(table, 0);
    assert.doesNotMatch(table.stdout, RAW_CONTROL, 'no raw control character reaches a terminal');
    assert.ok(table.stdout.includes('esc\\x1b]0;PWNED\\x07\\x1b[31mred.txt'), table.stdout);
    const [record] = await records(home);
    assert.equal(path.basename(record!.source), ESC_NAME);
    const csv = await history(home, ['--csv']);
    assert.ok(csv.stdout.includes(ESC_NAME), 'CSV to a pipe keeps the name exact');
    assert.deepEqual(await readdir(path.join(work, `out-${homes}`)), [ESC_NAME]);
  });

  it('names a saved connection by its name, and --connection finds its records', async () => {
    const home = newHome();
    const server = await startFtpServer();
    try {
      await writeFile(path.join(server.root, 'from-saved.txt'), 'saved connection bytes');
      const add = [
        'connections',
        'add',
        'office',
        '--kind',
        'ftp',
        '--host',
        '127.0.0.1',
        '--port',
        String(server.port),
      ];
      const env = { FILEFERRY_PASSWORD: server.password };
      expectExit(await runCli(home, [...add, '--user', server.user], env), 0);
      const target = path.join(work, `saved-copy-${homes}`);
      expectExit(await runCli(home, ['cp', 'office:/from-saved.txt', `${target}/`], env), 0);
      const [record, ...rest] = await records(home, ['--connection', 'office']);
      assert.equal(rest.length, 0);
      assert.equal(record!.sourceConnection, 'office');
      assert.equal(record!.source, 'office:/from-saved.txt');
      assert.ok(!JSON.stringify(record).includes(server.password), 'no password in the record');
      assert.deepEqual(await records(home, ['--connection', 'elsewhere']), []);
    } finally {
      await server.stop();
    }
  });
});
