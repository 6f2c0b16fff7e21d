// The bound, proven over the network: extraction of 5 MiB files through the FTP provider (ftp-srv) and the S3
// provider (s3rver) takes no more than maxBytes from the provider — counted on every chunk its read() yields —
// and a PDF over documentMaxBytes only its first bytes. The servers confirm what was asked: one RETR per
// extraction on FTP, ranged GETs (206 Partial Content) on S3.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { extractFile, type ExtractLimits } from '../../main/core/ai/extract';
import { createLogger } from '../../main/core/log/logger';
import { openFtpProvider } from '../../main/core/providers/ftp';
import { openS3Provider } from '../../main/core/providers/s3';
import { ftpSpecSchema, s3SpecSchema } from '../../shared/connection';
import type { Provider, ReadOptions } from '../../shared/provider';
import { makePdf } from '../helpers/document-fixtures';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';
import { patternBytes } from '../helpers/pattern';
import { startS3rver, type S3rverServer } from '../helpers/s3rver';

const KiB = 1024;
const MiB = 1024 * KiB;
const BIG = 5 * MiB;
const LIMITS: ExtractLimits = { maxBytes: 256 * KiB, documentMaxBytes: 16 * KiB };
const BUCKET = 'extract';
const log = createLogger({ test: 'extract-bounds' });

/** 5 MiB of log lines, generated as it streams. */
async function* bigText(): AsyncGenerator<Uint8Array> {
  let sent = 0;
  for (let line = 0; sent < BIG; line++) {
    const chunk = Buffer.from(
      Array.from({ length: 1000 }, (_, i) => `2026-12-08T04:00:00Z INFO request ${line * 1000 + i} served — ok\n`).join(
        '',
      ),
    );
    const piece = chunk.subarray(0, Math.min(chunk.length, BIG - sent));
    sent += piece.length;
    yield piece;
  }
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** A PDF of many pages, larger than LIMITS.documentMaxBytes. */
async function bigPdf(): Promise<Uint8Array> {
  const pages = Array.from(
    { length: 120 },
    (_, i) => `Page ${i + 1}: ${'a long line of words about tides '.repeat(3)}`,
  );
  const pdf = await makePdf(pages);
  assert.ok(pdf.length > LIMITS.documentMaxBytes, `the PDF has ${pdf.length} bytes`);
  return pdf;
}

/** The provider, with every byte its read() yields counted (the bytes extraction really took from it). */
function counting(provider: Provider): { provider: Provider; delivered: () => number; reads: ReadOptions[] } {
  let delivered = 0;
  const reads: ReadOptions[] = [];
  const read: Provider['read'] = async (path, options = {}) => {
    reads.push({ offset: options.offset, length: options.length });
    const source = await provider.read(path, options);
    return (async function* () {
      for await (const chunk of source) {
        delivered += chunk.byteLength;
        yield chunk;
      }
    })();
  };
  const wrapped = new Proxy(provider, {
    get(target, key) {
      if (key === 'read') return read;
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { provider: wrapped, delivered: () => delivered, reads };
}

async function seed(provider: Provider): Promise<void> {
  await provider.write('/big.log', bigText(), { size: BIG });
  await provider.write('/big.bin', patternBytes('big-binary', BIG), { size: BIG });
  const pdf = await bigPdf();
  await provider.write('/big.pdf', once(pdf), { size: pdf.length });
}

/** The three proofs, for one provider; `after` checks the server's side of each. */
function boundTests(name: string, open: () => Provider, serverSide: (file: string) => Promise<void>): void {
  it(`${name}: a 5 MiB text file yields at most maxBytes`, async () => {
    const { provider, delivered, reads } = counting(open());
    const result = await extractFile(provider, await provider.stat('/big.log'), LIMITS);
    assert.ok(result.kind === 'log', `a log, not ${result.description}`);
    assert.ok(delivered() <= LIMITS.maxBytes, `delivered ${delivered()}`);
    assert.equal(result.bytesRead, delivered());
    assert.deepEqual(reads, [{ offset: 0, length: LIMITS.maxBytes }]);
    assert.ok(result.truncated && result.text.includes('request 0 served'));
    assert.ok(!result.text.endsWith('\uFFFD'), 'the cut falls between characters');
    await serverSide('/big.log');
  });

  it(`${name}: a 5 MiB binary yields only the bytes that name its type`, async () => {
    const { provider, delivered, reads } = counting(open());
    const result = await extractFile(provider, await provider.stat('/big.bin'), LIMITS);
    assert.deepEqual([result.kind, result.description], ['metadata', 'binary file (.bin)']);
    assert.ok(delivered() <= 4100, `delivered ${delivered()}`);
    assert.deepEqual(reads, [{ offset: 0, length: 4100 }]);
    await serverSide('/big.bin');
  });

  it(`${name}: a PDF over documentMaxBytes is not read whole`, async () => {
    const { provider, delivered } = counting(open());
    const entry = await provider.stat('/big.pdf');
    const result = await extractFile(provider, entry, LIMITS);
    assert.equal(result.kind, 'metadata');
    assert.match(result.description, /^PDF larger than the 16\.0 KiB limit/);
    assert.ok(delivered() <= 4100, `delivered ${delivered()} of ${entry.size}`);
    await serverSide('/big.pdf');
  });
}

describe('extraction bound over FTP (ftp-srv)', () => {
  let server: FtpServerHandle;
  let provider: Provider;
  before(async () => {
    server = await startFtpServer();
    provider = await openFtpProvider(ftpSpecSchema.parse(server.spec()), {
      secrets: async (field) => (field === 'password' ? server.password : undefined),
      log,
    });
    await seed(provider);
  });
  after(async () => {
    await provider?.close();
    await server?.stop();
  });
  let seen = 0;
  boundTests(
    'FTP',
    () => provider,
    async (file) => {
      // One download per extraction: no second RETR went for the rest of the file.
      const retrs = server.commands.slice(seen).filter((c) => c.startsWith('RETR '));
      seen = server.commands.length;
      assert.deepEqual(retrs, [`RETR ${file}`]);
    },
  );
});

describe('extraction bound over S3 (s3rver)', () => {
  let server: S3rverServer;
  let provider: Provider;
  before(async () => {
    server = await startS3rver({ buckets: [BUCKET] });
    provider = await openS3Provider(s3SpecSchema.parse(server.spec(BUCKET)), {
      secrets: async (field) => (field === 'secretAccessKey' ? server.secretAccessKey : undefined),
      log,
    });
    await seed(provider);
  });
  after(async () => {
    await provider?.close();
    await server?.stop();
  });
  boundTests(
    'S3',
    () => provider,
    async (file) => {
      // Every GetObject was a ranged one (206): the server never started sending the whole object.
      const gets = (await server.requests()).filter((r) => r.method === 'GET' && r.url.startsWith(`/${BUCKET}${file}`));
      await server.clearRequests();
      assert.equal(gets.length, 1, JSON.stringify(gets));
      assert.equal(gets[0]!.status, 206);
    },
  );
});
