// Request bodies over TLS go to the socket in slices (main/core/util/sliced-body.ts); these check the slicing
// itself and the S3 middleware that applies it. cloud-tls.test.ts sends real uploads through both SDKs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { sliceBodiesOverTls } from '../../main/core/providers/s3/client';
import { isTlsUrl, slicedBody, TLS_WRITE_SLICE_BYTES } from '../../main/core/util/sliced-body';

async function chunksOf(stream: Readable): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return chunks;
}

type Args = Parameters<Parameters<typeof sliceBodiesOverTls>[0]>[0];

/** Runs the middleware on a request and returns what it handed on. */
async function handedOn(request: Record<string, unknown>): Promise<Args> {
  let seen: Args | undefined;
  const next = async (args: Args) => {
    seen = args;
    return { response: {}, output: { $metadata: {} } };
  };
  await sliceBodiesOverTls(next, {})({ input: {}, request } as Args);
  return seen!;
}

describe('TLS request bodies', () => {
  it('tells TLS URLs apart, whatever the case of the scheme', () => {
    assert.equal(isTlsUrl('https://acct.blob.core.windows.net/c/b'), true);
    assert.equal(isTlsUrl('HTTPS://acct.blob.core.windows.net/c/b'), true);
    assert.equal(isTlsUrl('http://127.0.0.1:10000/devstoreaccount1/c/b'), false);
  });

  it('streams a buffer as views of at most a slice each, all of its bytes in order, afresh on every call', async () => {
    const bytes = randomBytes(TLS_WRITE_SLICE_BYTES * 3 + 12_345);
    const view = bytes.subarray(100, bytes.length - 50); // an offset view, as pooled parts are
    for (let round = 0; round < 2; round++) {
      const chunks = await chunksOf(slicedBody(view));
      assert.deepEqual(
        chunks.map((c) => c.length),
        [TLS_WRITE_SLICE_BYTES, TLS_WRITE_SLICE_BYTES, TLS_WRITE_SLICE_BYTES, view.length - 3 * TLS_WRITE_SLICE_BYTES],
      );
      assert.ok(Buffer.concat(chunks).equals(view));
      assert.ok(
        chunks.every((c) => c.buffer === bytes.buffer),
        'slices are views of the buffer, not copies',
      );
    }
  });

  it('S3: hands a large body on as a sliced stream over HTTPS and leaves the request as the SDK made it', async () => {
    const body = randomBytes(5 * 1024 * 1024);
    const request = { protocol: 'https:', hostname: 's3.amazonaws.com', method: 'PUT', headers: {}, body };
    for (let attempt = 0; attempt < 2; attempt++) {
      // The SDK's retry hands the same request on again: it must still hold the whole buffer.
      const sent = (await handedOn(request)).request as { body: unknown; hostname: string };
      assert.ok(sent.body instanceof Readable, 'the body goes on as a stream');
      assert.equal(sent.hostname, 's3.amazonaws.com');
      const chunks = await chunksOf(sent.body);
      assert.ok(chunks.every((c) => c.length <= TLS_WRITE_SLICE_BYTES));
      assert.ok(Buffer.concat(chunks).equals(body));
      assert.equal(request.body, body, 'the request the SDK retries is unchanged');
    }
  });

  it('S3: leaves plain-HTTP bodies, small bodies and streams whole', async () => {
    const large = randomBytes(1024 * 1024);
    const stream = Readable.from([large]);
    for (const request of [
      { protocol: 'http:', body: large },
      { protocol: 'https:', body: large.subarray(0, TLS_WRITE_SLICE_BYTES) },
      { protocol: 'https:', body: stream },
    ]) {
      assert.equal((await handedOn(request)).request, request);
    }
  });
});
