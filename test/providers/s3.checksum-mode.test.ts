// The checksum mode of an S3-compatible connection (issue 4: "custom endpoints default to WHEN_REQUIRED").
// With the SDK's default (WHEN_SUPPORTED) a streamed PutObject goes out aws-chunked with a CRC32 trailer:
// s3rver, like many S3-compatible servers, stores the framing inside the object without an error, and a body
// of unknown length is refused by the SDK before it is sent. So the default for a custom endpoint is checked
// twice: in the client's resolved configuration, and by streamed bodies that must arrive byte for byte.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { s3SpecSchema } from '../../shared/connection';
import { createLogger } from '../../main/core/log/logger';
import { createS3Client } from '../../main/core/providers/s3/client';
import { patternBytes, patternSha256, sha256Of } from '../helpers/pattern';
import { startS3rver, type S3rverServer, type S3SpecInput } from '../helpers/s3rver';

const BUCKET = 'checksums';
const log = createLogger({ test: 's3-checksum-mode' });

describe('s3 checksum mode of custom endpoints (s3rver)', () => {
  let server: S3rverServer;
  const clients: S3Client[] = [];

  const clientFor = async (input: S3SpecInput): Promise<S3Client> => {
    const { client } = await createS3Client(s3SpecSchema.parse(input), {
      secrets: async (field) => (field === 'secretAccessKey' ? server.secretAccessKey : undefined),
      log,
    });
    clients.push(client);
    return client;
  };
  const modes = async (client: S3Client) => ({
    request: await client.config.requestChecksumCalculation(),
    response: await client.config.responseChecksumValidation(),
  });
  const storedSha256 = async (client: S3Client, key: string) => {
    const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return sha256Of(object.Body as AsyncIterable<Uint8Array>);
  };

  before(async () => {
    server = await startS3rver({ buckets: [BUCKET] });
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await server?.stop();
  });

  it('resolves WHEN_REQUIRED for a custom endpoint without a checksum mode, and keeps an explicit one', async () => {
    const spec = server.spec(BUCKET);
    assert.equal(spec.checksumMode, undefined, 'the spec leaves the mode to the default');
    assert.deepEqual(await modes(await clientFor(spec)), { request: 'WHEN_REQUIRED', response: 'WHEN_REQUIRED' });
    assert.deepEqual(await modes(await clientFor(server.spec(BUCKET, { checksumMode: 'WHEN_SUPPORTED' }))), {
      request: 'WHEN_SUPPORTED',
      response: 'WHEN_SUPPORTED',
    });
    // AWS itself validates the SDK's checksums: there the SDK's own default stays.
    const aws = await clientFor({ kind: 's3', bucket: BUCKET, region: 'eu-west-1', auth: 'keys', accessKeyId: 'AKIA' });
    assert.deepEqual(await modes(aws), { request: 'WHEN_SUPPORTED', response: 'WHEN_SUPPORTED' });
  });

  it('stores streamed bodies byte for byte, of declared and of unknown length', async () => {
    const client = await clientFor(server.spec(BUCKET));
    const size = 300_000;
    // The silent case first: with CRC32 trailers s3rver answers 200 and stores 53 bytes of framing too.
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'declared-length.bin',
        ContentLength: size,
        Body: Readable.from(patternBytes('d', size)),
      }),
    );
    assert.equal(await storedSha256(client, 'declared-length.bin'), await patternSha256('d', size));
    // With CRC32 trailers the SDK needs the length up front, so this one would fail before it is sent.
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'unknown-length.bin', Body: Readable.from(patternBytes('u', size)) }),
    );
    assert.equal(await storedSha256(client, 'unknown-length.bin'), await patternSha256('u', size));
  });
});
