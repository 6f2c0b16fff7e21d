// An engine job that fails for good leaves no multipart upload behind. Between attempts the engine keeps
// the S3 upload (its id is the file's resume token) so a retry sends only the missing parts; once the
// retries are spent nothing will ever resume it, so the engine must abort it (discardResume), or its parts
// stay billed and invisible in the bucket. The source here fails at the same byte on every attempt, after
// two parts are stored, so each retry resumes the same upload and fails again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3SpecSchema, type ConnectionRef } from '../../shared/connection';
import { FerryError } from '../../shared/errors';
import type { Provider, ReadOptions } from '../../shared/provider';
import { createLogger } from '../../main/core/log/logger';
import { openProvider } from '../../main/core/providers';
import { TransferEngine } from '../../main/core/transfers';
import { s3rverClient, startS3rver, type S3rverServer } from '../helpers/s3rver';
import { writePatternFile } from './cloud-fixtures';
import { openLocal, removeDirs, tempDir, wrapProvider } from './fixtures';

const MiB = 1024 * 1024;
const BUCKET = 'abort-after-retries';
const PART = 5 * MiB;
const SIZE = 16 * MiB + 7; // four parts
const FAIL_AT = 2 * PART + MiB; // in part 3, after parts 1 and 2 are stored

/** Reads that fail with a transient error at byte FAIL_AT of the file, on every attempt. */
function failingAtSameByte(inner: Provider, offsets: number[]): Provider {
  return wrapProvider(inner, {
    async read(path: string, options: ReadOptions = {}) {
      const start = options.offset ?? 0;
      offsets.push(start);
      const stream = await inner.read(path, options);
      return (async function* () {
        let position = start;
        for await (const chunk of stream) {
          if (position + chunk.byteLength >= FAIL_AT) {
            if (FAIL_AT > position) yield chunk.subarray(0, FAIL_AT - position);
            throw new FerryError('Network', 'the source connection dropped (injected by the test)');
          }
          position += chunk.byteLength;
          yield chunk;
        }
      })();
    },
  });
}

describe('engine: an S3 upload that fails after its retries', () => {
  let server: S3rverServer;
  let admin: S3Client;
  let src: string;
  const dirs: string[] = [];

  before(async () => {
    server = await startS3rver({ buckets: [BUCKET] });
    admin = s3rverClient(server);
    src = await tempDir();
    dirs.push(src);
    await writePatternFile(join(src, 'big.bin'), 'big', SIZE);
  });
  after(async () => {
    admin?.destroy();
    await server?.stop();
    await removeDirs(...dirs);
  });

  it('aborts the multipart upload once it gives up: none listed, no object', { timeout: 60_000 }, async () => {
    const data = await tempDir();
    dirs.push(data);
    const offsets: number[] = [];
    const s3: ConnectionRef = {
      spec: s3SpecSchema.parse(server.spec(BUCKET, { partSizeMiB: 5, uploadConcurrency: 2 })),
      secretsKey: 'abort-test-s3',
    };
    const engine = await TransferEngine.open({
      dataDir: data,
      retries: 2,
      retryBaseDelayMs: 5,
      progressIntervalMs: 50,
      openConnection: async (ref) =>
        'savedId' in ref
          ? failingAtSameByte(await openLocal(src), offsets)
          : openProvider(ref.spec, {
              secrets: async (field) => (field === 'secretAccessKey' ? server.secretAccessKey : undefined),
              log: createLogger({ test: 's3-abort-after-retries' }),
            }),
    });
    await server.clearRequests();
    let done;
    try {
      const job = engine.add({
        source: { connection: { savedId: 'failing-local' }, path: '/big.bin' },
        target: { connection: s3, path: '/failed/big.bin' },
      });
      done = await engine.waitFor(job.id);
    } finally {
      await engine.close();
    }

    assert.equal(done.state, 'failed');
    assert.deepEqual(offsets, [0, 2 * PART, 2 * PART], 'three attempts, the retries resuming after part 2');
    const requests = await server.requests();
    const created = requests.filter((r) => r.method === 'POST' && /[?&]uploads(=|&|$)/.test(r.url));
    const parts = requests.filter((r) => r.method === 'PUT' && /[?&]partNumber=/.test(r.url) && r.status === 200);
    assert.equal(created.length, 1, 'one multipart upload, kept between attempts');
    assert.ok(parts.length >= 2, `parts were stored before the failure (${parts.length})`);

    const uploads = await admin.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    assert.deepEqual(uploads.Uploads ?? [], [], 'ListMultipartUploads is empty');
    assert.deepEqual(await server.uploadsOnDisk(BUCKET), [], 'no part data left on the server');
    await assert.rejects(
      admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'failed/big.bin' })),
      (error: Error) => error.name === 'NotFound',
    );
    const listed = await admin.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'failed/' }));
    assert.deepEqual(
      (listed.Contents ?? []).map((o) => o.Key).filter((key) => !key?.endsWith('/')),
      [],
      'no object under the target folder, temporary or final',
    );
  });
});
