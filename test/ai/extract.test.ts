// Extraction on the local disk: every kind of file the summaries meet, generated here, and what extractFile
// makes of it — the text a model would get (known sentences present, charsets decoded), the CSV and JSON
// sketches, and metadata-only answers for binaries, damaged documents and empty files.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { extractFile, type Extraction, type ExtractLimits, type TextExtraction } from '../../main/core/ai/extract';
import { openProvider } from '../../main/core/providers';
import type { Provider } from '../../shared/provider';
import { expectCode } from '../helpers/expect-error';
import { makeDocx, makeEncryptedPdf, makePdf, makePng, makeZip } from '../helpers/document-fixtures';
import { patternBytes, collect } from '../helpers/pattern';

const KiB = 1024;
const LIMITS: ExtractLimits = { maxBytes: 64 * KiB, documentMaxBytes: 1024 * KiB };
const PDF_SENTENCE = 'The lighthouse keeper counted forty-two ships before dawn.';
const DOCX_SENTENCE = 'Our ferry leaves the northern pier at seven sharp.';

/** windows-1252 bytes for text in Latin-1 plus the few characters 0x80–0x9F hold in that charset. */
function windows1252(text: string): Buffer {
  const extra: Record<string, number> = { '€': 0x80, '…': 0x85, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '–': 0x96 };
  return Buffer.from(
    [...text].map((c) => {
      const code = extra[c] ?? c.charCodeAt(0);
      assert.ok(code < 0x100, `no windows-1252 byte for ${c}`);
      return code;
    }),
  );
}

function isText(result: Extraction): asserts result is TextExtraction {
  assert.notEqual(result.kind, 'metadata', `expected text, got metadata: ${result.description}`);
}

describe('extractFile on the local disk', () => {
  let folder: string;
  let provider: Provider;
  const extract = async (name: string, limits = LIMITS) =>
    extractFile(provider, await provider.stat(`/${name}`), limits);

  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'ferry-extract-'));
    const csvRows = Array.from(
      { length: 2000 },
      (_, i) =>
        `${i + 1},"Doe, Jane ${i}",${(i * 1.25).toFixed(2)},2024-03-${String((i % 28) + 1).padStart(2, '0')},${i % 2 === 0}`,
    );
    const files: Record<string, string | Uint8Array> = {
      'notes.txt': 'Plain notes: the café opens at nine.\nSecond line.\n',
      'legacy.txt': windows1252('Crème brûlée for the “café” – it costs 5 € … déjà vu.\n'.repeat(4)),
      'wide.txt': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Grüße aus Köln: naïve é.\n', 'utf16le')]),
      'README.md': '# FileFerry\n\nMoves *files* between sites.\n',
      'app.ts': 'export function greet(name: string): string {\n  return `hello ${name}`;\n}\n',
      'server.log': '2026-12-01T10:00:00Z INFO started\n2026-12-01T10:00:01Z WARN slow disk\n',
      'people.csv': `id,name,score,joined,active\n${csvRows.join('\n')}\n`,
      'quoted.csv': 'id,comment,amount\n1,"Hello, world",10\n2,"a ""quoted"" word",11.5\n3,"two\nlines",12\n',
      'table.tsv': 'city\tpopulation\tcapital\nParis\t2100000\ttrue\nLyon\t520000\tfalse\nNice\t340000\tfalse\n',
      'config.json': JSON.stringify({
        service: 'ferry',
        port: 8080,
        debug: false,
        owners: ['ana', 'ben'],
        limits: { rate: 2.5 },
      }),
      'events.json': JSON.stringify(
        Array.from({ length: 30000 }, (_, i) => ({ id: i, event: `upload ${i}`, bytes: i * 3, ok: i % 3 !== 0 })),
      ),
      'records.jsonl': '{"user":"ana","n":1}\n{"user":"ben","n":2,"tag":"x"}\n{"user":"cy","n":3}\n',
      'report.pdf': await makePdf([PDF_SENTENCE, 'A second page, about tides.']),
      'locked.pdf': await makeEncryptedPdf(),
      'broken.pdf': '%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\nnot really a PDF\n',
      'letter.docx': await makeDocx([DOCX_SENTENCE, 'Kind regards.']),
      'broken.docx': await makeZip({ 'hello.txt': 'a ZIP, but no Word document inside' }),
      'bundle.zip': await makeZip({ 'a.txt': 'alpha', 'b.txt': 'beta' }),
      'picture.png': makePng(32, 32),
      'noise.bin': await collect(patternBytes('noise', 200 * KiB)),
      'noise-without-name': await collect(patternBytes('noise2', 200 * KiB)),
      'empty.txt': '',
    };
    for (const [name, content] of Object.entries(files)) await writeFile(join(folder, name), content);
    provider = await openProvider({ kind: 'local', root: folder });
  });
  after(async () => {
    await provider?.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('reads UTF-8 text whole and says so', async () => {
    const result = await extract('notes.txt');
    isText(result);
    assert.equal(result.kind, 'text');
    assert.equal(result.charset, 'UTF-8');
    assert.equal(result.text, 'Plain notes: the café opens at nine.\nSecond line.\n');
    assert.equal(result.truncated, false);
    assert.match(result.description, /UTF-8 text/);
  });

  it('decodes windows-1252 text, accents, quotes and the euro sign', async () => {
    const result = await extract('legacy.txt');
    isText(result);
    assert.equal(result.charset, 'windows-1252');
    assert.ok(result.text.startsWith('Crème brûlée for the “café” – it costs 5 € … déjà vu.'), result.text);
    assert.match(result.description, /windows-1252/);
  });

  it('decodes UTF-16LE text with a byte-order mark (the mark itself left out)', async () => {
    const result = await extract('wide.txt');
    isText(result);
    assert.equal(result.charset, 'UTF-16LE');
    assert.equal(result.text, 'Grüße aus Köln: naïve é.\n');
  });

  it('names Markdown, code and logs by their extension', async () => {
    const markdown = await extract('README.md');
    const code = await extract('app.ts');
    const log = await extract('server.log');
    assert.deepEqual([markdown.kind, code.kind, log.kind], ['markdown', 'code', 'log']);
    isText(code);
    assert.match(code.description, /TypeScript/);
    assert.match(code.text, /export function greet/);
    isText(markdown);
    assert.equal(markdown.mediaType, 'text/markdown');
  });

  it('sketches a CSV: header, column types, an estimated row count and the first rows', async () => {
    const limits = { ...LIMITS, maxBytes: 16 * KiB };
    const result = await extract('people.csv', limits);
    isText(result);
    assert.equal(result.kind, 'csv');
    assert.equal(result.truncated, true);
    assert.ok(result.bytesRead <= limits.maxBytes);
    const estimate = Number(/about ([\d,]+) rows/.exec(result.description)?.[1]?.replace(/,/g, ''));
    assert.ok(estimate >= 1800 && estimate <= 2200, `estimate ${result.description}`);
    assert.match(result.text, /- id: integer/);
    assert.match(result.text, /- name: text/);
    assert.match(result.text, /- score: decimal/);
    assert.match(result.text, /- joined: date/);
    assert.match(result.text, /- active: boolean/);
    assert.match(result.text, /^id,name,score,joined,active$/m);
    assert.match(result.text, /^20,"Doe, Jane 19",23\.75/m, 'the first rows are shown');
    assert.doesNotMatch(result.text, /^22,/m, 'only about 20 of them');
    assert.ok(Buffer.byteLength(result.text) <= limits.maxBytes);
  });

  it('keeps quoted fields with delimiters, doubled quotes and line breaks inside one value', async () => {
    const result = await extract('quoted.csv');
    isText(result);
    assert.equal(result.kind, 'csv');
    assert.match(result.description, /CSV, 3 columns, 3 rows/);
    assert.match(result.text, /- comment: text/);
    assert.match(result.text, /- amount: decimal/);
    assert.match(result.text, /"two\nlines",12/);
  });

  it('sketches a TSV', async () => {
    const result = await extract('table.tsv');
    isText(result);
    assert.equal(result.kind, 'csv');
    assert.equal(result.mediaType, 'text/tab-separated-values');
    assert.match(result.description, /TSV, 3 columns, 3 rows/);
    assert.match(result.text, /- population: integer/);
    assert.match(result.text, /- capital: boolean/);
  });

  it('outlines a JSON object with its keys and types, then its text', async () => {
    const result = await extract('config.json');
    isText(result);
    assert.equal(result.kind, 'json');
    assert.match(result.description, /object with 5 keys/);
    for (const line of [
      '"service": string',
      '"port": integer',
      '"debug": boolean',
      '"owners": array of 2 elements: string',
    ]) {
      assert.ok(result.text.includes(line), `${line} in\n${result.text}`);
    }
    assert.match(result.text, /"limits": object with 1 key:\n\s+"rate": number/);
    assert.match(result.text, /\{"service":"ferry"/);
  });

  it('outlines a large JSON array cut by the slice, estimating its length', async () => {
    const result = await extract('events.json');
    isText(result);
    assert.equal(result.kind, 'json');
    assert.equal(result.truncated, true);
    assert.ok(result.bytesRead <= LIMITS.maxBytes);
    const estimate = Number(/array of about ([\d,]+) elements/.exec(result.description)?.[1]?.replace(/,/g, ''));
    assert.ok(estimate >= 27000 && estimate <= 33000, result.description);
    assert.match(result.text, /"event": string/);
    assert.match(result.text, /"ok": boolean/);
    assert.ok(Buffer.byteLength(result.text) <= LIMITS.maxBytes);
  });

  it('outlines JSON Lines', async () => {
    const result = await extract('records.jsonl');
    isText(result);
    assert.equal(result.kind, 'json');
    assert.match(result.description, /JSON Lines, 3 records/);
    assert.match(result.text, /"tag" \(in 1 of 3\): string/);
  });

  it("extracts a PDF's text with its page count", async () => {
    const result = await extract('report.pdf');
    isText(result);
    assert.equal(result.kind, 'pdf');
    assert.equal(result.description, 'PDF, 2 pages');
    assert.ok(result.text.includes(PDF_SENTENCE), result.text);
    assert.match(result.text, /A second page, about tides\./);
  });

  it('answers with metadata for a password-protected or damaged PDF, never an error', async () => {
    const locked = await extract('locked.pdf');
    assert.equal(locked.kind, 'metadata');
    assert.equal(locked.description, 'PDF protected by a password');
    const broken = await extract('broken.pdf');
    assert.equal(broken.kind, 'metadata');
    assert.equal(broken.mediaType, 'application/pdf');
    assert.doesNotMatch(broken.description, /\bat\b.*\(|Error/);
  });

  it('reads a PDF over documentMaxBytes only far enough to name it', async () => {
    const result = await extract('report.pdf', { maxBytes: 64 * KiB, documentMaxBytes: 512 });
    assert.equal(result.kind, 'metadata');
    assert.match(result.description, /^PDF larger than the 512 B limit/);
    assert.ok(result.bytesRead <= 4100, `read ${result.bytesRead}`);
  });

  it("extracts a DOCX's text, and answers with metadata for a ZIP named .docx", async () => {
    const result = await extract('letter.docx');
    isText(result);
    assert.equal(result.kind, 'docx');
    assert.ok(result.text.includes(DOCX_SENTENCE), result.text);
    const broken = await extract('broken.docx');
    assert.equal(broken.kind, 'metadata');
    assert.match(broken.description, /could not be read/);
  });

  it('names archives, images and binary data from their first bytes only', async () => {
    const zip = await extract('bundle.zip');
    assert.deepEqual([zip.kind, zip.mediaType, zip.description], ['metadata', 'application/zip', 'ZIP archive']);
    const png = await extract('picture.png');
    assert.deepEqual([png.kind, png.mediaType, png.description], ['metadata', 'image/png', 'PNG image']);
    const noise = await extract('noise.bin');
    assert.deepEqual([noise.kind, noise.description], ['metadata', 'binary file (.bin)']);
    assert.equal(noise.bytesRead, 4100, 'a .bin is read only as far as the type check needs');
    // Without a name to go by, the first read asks for maxBytes but stops after the first chunk.
    const unnamed = await extract('noise-without-name');
    assert.deepEqual([unnamed.kind, unnamed.description], ['metadata', 'binary file']);
    assert.ok(unnamed.bytesRead <= LIMITS.maxBytes);
  });

  it('answers "empty file" without reading, and reads up to maxBytes when the size is unknown', async () => {
    const empty = await extract('empty.txt');
    assert.deepEqual([empty.kind, empty.description, empty.bytesRead], ['metadata', 'empty file', 0]);
    const entry = await provider.stat('/people.csv');
    const result = await extractFile(provider, { ...entry, size: undefined }, { ...LIMITS, maxBytes: 8 * KiB });
    isText(result);
    assert.equal(result.bytesRead, 8 * KiB);
    assert.equal(result.truncated, true);
    assert.match(result.description, /more than [\d,]+ rows/);
  });

  it('lets provider errors through and stops when cancelled', async () => {
    const missing = { name: 'gone.txt', path: '/gone.txt', type: 'file' as const, size: 10 };
    await expectCode(extractFile(provider, missing, LIMITS), 'NotFound');
    const controller = new AbortController();
    controller.abort();
    await expectCode(extractFile(provider, await provider.stat('/notes.txt'), LIMITS, controller.signal), 'Cancelled');
  });
});
