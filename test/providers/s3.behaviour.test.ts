// S3-specific behaviour against s3rver (with the operations it lacks filled in: test/helpers/s3rver.ts):
// resumable multipart uploads, aborts, storage classes, archived objects, server-side copies, presigned URLs,
// credentials from a throwaway ~/.aws (including a role_arn profile through a local STS stub), typed errors.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import { s3SpecSchema } from '../../shared/connection';
import type { Provider, ResumeToken } from '../../shared/provider';
import { createLogger } from '../../main/core/log/logger';
import { copyLimits, openS3Provider, s3SpecFromEnvironment } from '../../main/core/providers/s3';
import { collect, patternBytes, patternSha256, sha256Of } from '../helpers/pattern';
import { s3rverClient, startS3rver, type S3rverServer, type S3SpecInput } from '../helpers/s3rver';
import { startStsStub } from '../helpers/sts-stub';
import { expectCode } from '../helpers/expect-error';
import { failingAfter } from '../helpers/failing-source';

const MiB = 1024 * 1024;
const BUCKET = 'behaviour';
const log = createLogger({ test: 's3-behaviour' });

async function listAll(provider: Provider, path: string) {
  const entries = [];
  for await (const page of provider.list(path)) entries.push(...page);
  return entries;
}

const partRequests = async (server: S3rverServer) =>
  (await server.requests()).filter((r) => r.method === 'PUT' && /[?&]partNumber=/.test(r.url));
const partNumbers = async (server: S3rverServer) =>
  (await partRequests(server)).map((r) => Number(/partNumber=(\d+)/.exec(r.url)![1])).sort((a, b) => a - b);

/**
 * A loopback forwarder to s3rver that records the region each request was signed for (the SigV4
 * credential scope), so a test sees which region the client really used. Headers pass unchanged: Host is
 * signed, and s3rver checks the signature against the Host it receives (the forwarder's).
 */
async function startRegionRecorder(target: string) {
  const upstream = new URL(target);
  const regions = new Set<string>();
  const server = createHttpServer((req, res) => {
    const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/s3\//.exec(req.headers.authorization ?? '');
    if (scope) regions.add(scope[1]!);
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** The regions seen since the last call, in first-seen order. */
    takeRegions() {
      const seen = [...regions];
      regions.clear();
      return seen;
    },
    stop: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

describe('s3 provider behaviour (s3rver)', () => {
  let server: S3rverServer;
  let provider: Provider;
  let admin: S3Client;

  const open = (spec: Partial<S3SpecInput> = {}) =>
    openS3Provider(s3SpecSchema.parse(server.spec(BUCKET, { partSizeMiB: 5, uploadConcurrency: 3, ...spec })), {
      secrets: async (field) => (field === 'secretAccessKey' ? server.secretAccessKey : undefined),
      log,
    });

  const unfinishedUploads = async (bucket = BUCKET) => {
    const listed = await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    return listed.Uploads ?? [];
  };

  before(async () => {
    server = await startS3rver({ buckets: [BUCKET, 'other-bucket'] });
    provider = await open();
    admin = s3rverClient(server);
  });
  after(async () => {
    admin?.destroy();
    await provider?.close();
    await server?.stop();
  });

  it('resumes an interrupted 64 MiB multipart upload, sending only the missing parts', async () => {
    const size = 64 * MiB + 12345; // 13 parts of 5 MiB
    const partSize = 5 * MiB;
    const failAfterParts = 6;
    const path = '/resume/big.bin';
    await provider.mkdir('/resume');
    const tokens: Array<ResumeToken | undefined> = [];
    await server.clearRequests();
    await expectCode(
      provider.write(path, failingAfter('resume', size, failAfterParts * partSize), {
        size,
        onResumeToken: (t) => tokens.push(t),
      }),
      'Network',
      /dropped/,
    );
    assert.equal(tokens.length, 1, 'the token is reported once, when the upload is created');
    const token = tokens[0]!;
    assert.equal(typeof token.uploadId, 'string');
    assert.equal(token.partSize, partSize);
    assert.deepEqual(await partNumbers(server), [1, 2, 3, 4, 5, 6], 'parts read before the failure were stored');
    assert.equal(
      (await unfinishedUploads()).length,
      1,
      'the upload is kept for resume because the caller holds a token',
    );
    await expectCode(provider.stat(path), 'NotFound'); // nothing visible until complete (atomic)

    const offset = await provider.resumeOffset!(path, token);
    assert.equal(offset, failAfterParts * partSize);

    await server.clearRequests();
    const after: Array<ResumeToken | undefined> = [];
    const result = await provider.write(path, patternBytes('resume', size - offset, offset), {
      size,
      resumeToken: token,
      onResumeToken: (t) => after.push(t),
    });
    assert.equal(result.size, size);
    assert.deepEqual(await partNumbers(server), [7, 8, 9, 10, 11, 12, 13], 'only the missing parts were sent');
    assert.deepEqual(after, [undefined], 'the token is cleared once the upload is complete');
    assert.equal(await sha256Of(await provider.read(path)), await patternSha256('resume', size));
    assert.equal((await unfinishedUploads()).length, 0);
    assert.equal(await provider.resumeOffset!(path, token), 0, 'a finished upload resumes from 0');
  });

  it('aborts a failed or cancelled upload nobody can resume, and discards one on request', async () => {
    await provider.mkdir('/abort');
    // A source failure, no resume token wanted.
    await expectCode(provider.write('/abort/failed.bin', failingAfter('f', 20 * MiB, 11 * MiB)), 'Network');
    assert.deepEqual(await unfinishedUploads(), []);
    // A cancel mid-upload.
    const controller = new AbortController();
    let sent = 0;
    async function* slowSource() {
      for await (const chunk of patternBytes('c', 30 * MiB)) {
        yield chunk;
        if (sent >= 8 * MiB) controller.abort(); // part 1 is on its way
        sent += chunk.length;
      }
    }
    await server.clearRequests();
    await expectCode(provider.write('/abort/cancelled.bin', slowSource(), { signal: controller.signal }), 'Cancelled');
    assert.deepEqual(await unfinishedUploads(), []);
    // A kept upload, then discarded.
    let token: ResumeToken | undefined;
    await expectCode(
      provider.write('/abort/kept.bin', failingAfter('k', 20 * MiB, 6 * MiB), { onResumeToken: (t) => (token = t) }),
      'Network',
    );
    assert.equal((await unfinishedUploads()).length, 1);
    await provider.discardResume!('/abort/kept.bin', token!);
    assert.deepEqual(await unfinishedUploads(), []);
    assert.deepEqual(await server.uploadsOnDisk(BUCKET), [], 'no part data left on the server');
    await expectCode(provider.stat('/abort/kept.bin'), 'NotFound');
  });

  it('fails with Integrity when the stored bytes do not match what was sent, and aborts the upload', async () => {
    await provider.mkdir('/integrity');
    await server.control({ corruptEtags: 1 });
    await expectCode(provider.write('/integrity/single.bin', patternBytes('i', 1000)), 'Integrity', /MD5/);
    await server.control({ corruptEtags: 1 });
    await expectCode(provider.write('/integrity/multi.bin', patternBytes('m', 12 * MiB)), 'Integrity', /part \d+ of/);
    await server.control({ corruptEtags: 0 });
    assert.deepEqual(await unfinishedUploads(), []);
    await expectCode(provider.stat('/integrity/multi.bin'), 'NotFound');
  });

  it('reads the source no further ahead than the parts it can send (backpressure)', async () => {
    await provider.mkdir('/backpressure');
    const size = 60 * MiB;
    let pulled = 0;
    async function* counted() {
      for await (const chunk of patternBytes('bp', size)) {
        pulled += chunk.length;
        yield chunk;
      }
    }
    await server.control({ holdParts: true });
    const writing = provider.write('/backpressure/big.bin', counted(), { size });
    try {
      const deadline = Date.now() + 20_000;
      while ((await server.heldParts()) < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal(await server.heldParts(), 3, 'uploadConcurrency (3) parts in flight');
      await new Promise((r) => setTimeout(r, 300));
      // 3 parts in flight + 1 being filled, plus one source chunk (256 KiB).
      assert.ok(pulled <= 4 * 5 * MiB + 256 * 1024, `pulled ${pulled} bytes while the network was stalled`);
    } finally {
      await server.control({ holdParts: false });
    }
    assert.equal((await writing).size, size);
    assert.equal(await sha256Of(await provider.read('/backpressure/big.bin')), await patternSha256('bp', size));
  });

  it('uploads with a storage class, shows it in listings and changes it in place', async () => {
    await provider.mkdir('/classes');
    await provider.write('/classes/ia.bin', patternBytes('ia', 1000), { storageClass: 'STANDARD_IA' });
    await provider.write('/classes/multi.bin', patternBytes('multi', 11 * MiB), {
      storageClass: 'INTELLIGENT_TIERING',
    });
    await provider.write('/classes/plain.bin', patternBytes('plain', 10));
    const listed = new Map<string, string | undefined>();
    for await (const page of provider.list('/classes')) for (const e of page) listed.set(e.name, e.storageClass);
    assert.deepEqual(Object.fromEntries(listed), {
      'ia.bin': 'STANDARD_IA',
      'multi.bin': 'INTELLIGENT_TIERING',
      'plain.bin': 'STANDARD',
    });
    assert.equal((await provider.stat('/classes/ia.bin')).storageClass, 'STANDARD_IA');

    await provider.setStorageClass!('/classes/plain.bin', 'GLACIER_IR');
    const changed = await provider.stat('/classes/plain.bin');
    assert.equal(changed.storageClass, 'GLACIER_IR');
    assert.equal(changed.unavailable, undefined, 'Glacier Instant Retrieval stays readable');
    assert.equal(await sha256Of(await provider.read('/classes/plain.bin')), await patternSha256('plain', 10));

    const defaulted = await open({ storageClass: 'STANDARD_IA' });
    await defaulted.write('/classes/default.bin', patternBytes('d', 5));
    assert.equal(
      (await provider.stat('/classes/default.bin')).storageClass,
      'STANDARD_IA',
      "the connection's default class applies",
    );
    await defaulted.close();
    await expectCode(
      provider.write('/classes/bad.bin', patternBytes('x', 1), { storageClass: 'FASTEST' }),
      'InvalidInput',
      /storage class/,
    );
  });

  it('marks archived objects unavailable and refuses to read them until restored', async () => {
    await provider.mkdir('/archive');
    await provider.write('/archive/cold.bin', patternBytes('cold', 2000), { storageClass: 'GLACIER' });
    await provider.write('/archive/deep.bin', patternBytes('deep', 2000));
    await provider.setStorageClass!('/archive/deep.bin', 'DEEP_ARCHIVE');
    for await (const page of provider.list('/archive')) {
      for (const entry of page) {
        assert.ok(entry.unavailable, `${entry.name} is marked unavailable`);
        assert.match(entry.unavailable!, /restore/);
      }
    }
    const entry = await provider.stat('/archive/cold.bin');
    assert.equal(entry.storageClass, 'GLACIER');
    assert.match(entry.unavailable ?? '', /GLACIER.*restore/);
    await expectCode(provider.read('/archive/cold.bin').then(collect), 'Unsupported', /restore/);
    await expectCode(provider.read('/archive/deep.bin').then(collect), 'Unsupported', /DEEP_ARCHIVE.*restore/);
    await expectCode(provider.copy!('/archive/cold.bin', '/archive/copy.bin'), 'Unsupported', /restore/);
  });

  it('downloads a restored GLACIER object, and says a restore in progress is in progress', async () => {
    await provider.mkdir('/restore');
    await provider.write('/restore/done.bin', patternBytes('done', 3000), { storageClass: 'GLACIER' });
    await provider.write('/restore/running.bin', patternBytes('running', 3000), { storageClass: 'GLACIER' });
    const expiry = new Date(Date.now() + 7 * 24 * 3600_000).toUTCString();
    await server.setRestore(BUCKET, 'restore/done.bin', `ongoing-request="false", expiry-date="${expiry}"`);
    await server.setRestore(BUCKET, 'restore/running.bin', 'ongoing-request="true"');

    assert.equal(await sha256Of(await provider.read('/restore/done.bin')), await patternSha256('done', 3000));
    const done = await provider.stat('/restore/done.bin');
    assert.equal(done.storageClass, 'GLACIER');
    assert.equal(done.unavailable, undefined, 'a restored copy is readable');

    await expectCode(provider.read('/restore/running.bin').then(collect), 'Unsupported', /restore .*is in progress/);
    assert.match((await provider.stat('/restore/running.bin')).unavailable ?? '', /restore .*is in progress/);
    const listed = new Map((await listAll(provider, '/restore')).map((e) => [e.name, e.unavailable]));
    assert.equal(listed.get('done.bin'), undefined);
    assert.match(listed.get('running.bin') ?? '', /restore .*is in progress/);
  });

  it('copies server-side with CopyObject, and with UploadPartCopy above the single-copy limit', async () => {
    await provider.mkdir('/copy');
    const size = 12 * MiB + 7;
    await provider.write('/copy/source.bin', patternBytes('copy', size), { size });

    await server.clearRequests();
    const singleProgress: number[] = [];
    await provider.copy!('/copy/source.bin', '/copy/single.bin', { onProgress: (b) => singleProgress.push(b) });
    assert.equal((await partRequests(server)).length, 0, 'one CopyObject, no parts');
    assert.deepEqual(singleProgress, [size]);
    assert.ok(
      (await server.requests()).some((r) => r.method === 'PUT' && r.url.startsWith(`/${BUCKET}/copy/single.bin`)),
    );
    assert.equal(await sha256Of(await provider.read('/copy/single.bin')), await patternSha256('copy', size));

    const saved = { ...copyLimits };
    Object.assign(copyLimits, { singleRequestMaxBytes: 5 * MiB, partBytes: 5 * MiB });
    try {
      await server.clearRequests();
      const progress: number[] = [];
      await provider.copy!('/copy/source.bin', '/copy/multipart.bin', { onProgress: (b) => progress.push(b) });
      assert.deepEqual(await partNumbers(server), [1, 2, 3], 'three UploadPartCopy ranges');
      // One report per part copied, rising to the whole object.
      assert.equal(progress.length, 3);
      assert.ok(
        progress.every((bytes, i) => i === 0 || bytes > progress[i - 1]!),
        `rising: ${progress.join(', ')}`,
      );
      assert.equal(progress.at(-1), size);
      assert.ok(
        (await server.requests()).every((r) => r.method !== 'GET' || !r.url.startsWith(`/${BUCKET}/copy/source.bin`)),
        'no bytes were downloaded',
      );
    } finally {
      Object.assign(copyLimits, saved);
    }
    assert.equal(await sha256Of(await provider.read('/copy/multipart.bin')), await patternSha256('copy', size));
    assert.deepEqual(await unfinishedUploads(), []);
    // rename = copy + delete
    await provider.rename('/copy/single.bin', '/copy/renamed.bin');
    await expectCode(provider.stat('/copy/single.bin'), 'NotFound');
    assert.equal((await provider.stat('/copy/renamed.bin')).size, size);
  });

  it('reports the MD5 where the ETag is one, and hands out presigned URLs', async () => {
    await provider.mkdir('/md5');
    const result = await provider.write('/md5/small.bin', patternBytes('md5', 4096));
    const { createHash } = await import('node:crypto');
    const md5 = createHash('md5')
      .update(await collect(patternBytes('md5', 4096)))
      .digest('hex');
    assert.equal(result.hashes?.md5, md5);
    assert.equal((await provider.stat('/md5/small.bin')).hashes?.md5, md5);
    assert.deepEqual(provider.capabilities.hashes, [], 'no hash() that would have to download the object');
    // Up to one part; above it the upload is multipart and its ETag no MD5, as the capabilities say. A multipart
    // upload from byte 0 still reports the MD5 of the bytes it sent (kept as md5chksum: s3.md5chksum.test.ts).
    assert.equal(provider.capabilities.reportedHashesUpTo, 5 * MiB);
    assert.ok((await provider.write('/md5/one-part.bin', patternBytes('md5', 5 * MiB))).hashes?.md5);
    assert.equal(
      (await provider.write('/md5/two-parts.bin', patternBytes('md5', 5 * MiB + 1))).hashes?.md5,
      createHash('md5')
        .update(await collect(patternBytes('md5', 5 * MiB + 1)))
        .digest('hex'),
    );

    const url = await provider.readUrl!('/md5/small.bin', { expiresInSeconds: 60 });
    assert.match(url, /X-Amz-Signature=/);
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.equal(
      createHash('md5')
        .update(Buffer.from(await response.arrayBuffer()))
        .digest('hex'),
      md5,
    );
  });

  it('describes a key with one listing, even among siblings that sort before its folder', async () => {
    await provider.mkdir('/probe');
    await provider.write('/probe/a', patternBytes('probe-a', 100));
    await provider.mkdir('/probe/b');
    // 20 siblings "b-…" and "b.…" sort between "b" and "b/": more than the probe's first page holds.
    for (let i = 0; i < 20; i++) await provider.write(`/probe/b-${String(i).padStart(2, '0')}`, patternBytes('x', 10));
    await provider.write('/probe/b/inner.bin', patternBytes('inner', 10));

    await server.clearRequests();
    const file = await provider.stat('/probe/a');
    assert.equal(file.type, 'file');
    assert.equal(file.size, 100);
    await expectCode(provider.stat('/probe/missing'), 'NotFound');
    await expectCode(provider.stat('/probe/b-0'), 'NotFound', /does not exist/);
    // A file also costs a HEAD, for its metadata (the mtime), unless only its size is wanted (justWritten).
    assert.equal((await server.requests()).length, 4, 'one request per stat of a missing key, two of a file');
    await server.clearRequests();
    assert.equal((await provider.stat('/probe/a', { justWritten: true })).size, 100);
    assert.equal((await server.requests()).length, 1, 'one request for the size of a file just written');
    assert.equal((await provider.stat('/probe/b')).type, 'folder');
    assert.equal((await provider.stat('/probe/b-07')).size, 10);
    // A fresh provider has no folder cache: the probe itself must find the folder past the siblings.
    const fresh = await open();
    try {
      assert.equal((await fresh.stat('/probe/b')).type, 'folder');
    } finally {
      await fresh.close();
    }
  });

  it('checks a folder once for many writes into it, and forgets it once removed', async () => {
    await provider.mkdir('/cache/sub');
    await server.clearRequests();
    for (let i = 0; i < 5; i++) await provider.write(`/cache/sub/f${i}.bin`, patternBytes(`c${i}`, 1000));
    const lists = (await server.requests()).filter((r) => r.method === 'GET');
    assert.ok(lists.length <= 1, `at most one parent check for five writes, saw ${lists.length}`);
    const puts = (await server.requests()).filter((r) => r.method === 'PUT');
    assert.equal(puts.length, 5);

    await provider.remove('/cache/sub', { recursive: true });
    await expectCode(provider.write('/cache/sub/again.bin', patternBytes('again', 10)), 'NotFound');
    await provider.rename('/cache', '/cache-moved');
    await expectCode(provider.write('/cache/x.bin', patternBytes('x', 10)), 'NotFound');
    assert.equal((await provider.stat('/cache-moved')).type, 'folder');
  });

  it('lists buckets at "/" without a bucket, and addresses /bucket/key', async () => {
    const all = await open({ bucket: undefined });
    try {
      const names: string[] = [];
      for await (const page of all.list('/')) names.push(...page.map((e) => e.name));
      assert.ok(names.includes(BUCKET) && names.includes('other-bucket'), names.join(','));
      await all.mkdir('/made-by-ferry');
      await all.write('/made-by-ferry/hello.txt', patternBytes('hello', 5));
      assert.equal((await all.stat('/made-by-ferry/hello.txt')).size, 5);
      assert.equal((await all.stat('/made-by-ferry')).type, 'folder');
      await all.copy!('/made-by-ferry/hello.txt', '/other-bucket/hello.txt');
      assert.equal(await sha256Of(await all.read('/other-bucket/hello.txt')), await patternSha256('hello', 5));
      await expectCode(all.stat('/no-such-bucket-here/x'), 'NotFound');
    } finally {
      await all.close();
    }
  });

  it('rejects invalid bucket names before any request, and maps a missing bucket to NotFound', async () => {
    await expectCode(open({ bucket: 'Not_A_Bucket' }), 'InvalidInput', /3 to 63 characters/);
    const all = await open({ bucket: undefined });
    try {
      await server.clearRequests();
      await expectCode(all.stat('/ab/file'), 'InvalidInput', /not a valid bucket name/);
      await expectCode(all.write('/UPPER/file', patternBytes('x', 1)), 'InvalidInput', /lower-case/);
      assert.deepEqual(await server.requests(), [], 'nothing was sent');
    } finally {
      await all.close();
    }
    const missing = await open({ bucket: 'missing-bucket' });
    try {
      await expectCode(listAll(missing, '/'), 'NotFound', /bucket .*does not exist/);
      await expectCode(missing.write('/x.bin', patternBytes('x', 1)), 'NotFound');
    } finally {
      await missing.close();
    }
  });

  it('maps rejected credentials to AuthFailed', async () => {
    // s3rver checks that the access key exists but not SigV4 signatures, so a wrong secret cannot be shown here.
    const unknownKey = await openS3Provider(
      s3SpecSchema.parse({
        kind: 's3',
        bucket: BUCKET,
        endpoint: server.endpoint,
        auth: 'keys',
        accessKeyId: 'AKIAUNKNOWN',
      }),
      { secrets: async () => 'whatever', log },
    );
    await expectCode(unknownKey.write('/x.bin', patternBytes('x', 1)), 'AuthFailed', /credentials/);
    await expectCode(unknownKey.stat('/resume/big.bin'), 'AuthFailed', /credentials/); // HEAD: a 403 without a body
    await unknownKey.close();
    await expectCode(
      openS3Provider(s3SpecSchema.parse({ kind: 's3', bucket: BUCKET, auth: 'keys', accessKeyId: 'AKIAX' }), {
        secrets: async () => undefined,
        log,
      }),
      'AuthFailed',
      /secret access key/,
    );
  });

  it('maps an unreachable endpoint to Network and a silent one to Timeout', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const unreachable = await open({ endpoint: `http://127.0.0.1:${closedPort}` });
    await expectCode(unreachable.stat('/x.bin'), 'Network', /ECONNREFUSED/);
    await unreachable.close();

    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket)); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const slow = await open({
        endpoint: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
        timeoutMs: 300,
      });
      await expectCode(slow.stat('/x.bin'), 'Timeout', /did not answer in time/);
      await slow.close();
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  describe('credentials from a throwaway ~/.aws and the environment', () => {
    let awsDir: string;
    const saved: Record<string, string | undefined> = {};
    const setEnv = (vars: Record<string, string | undefined>) => {
      for (const [k, v] of Object.entries(vars)) {
        if (!(k in saved)) saved[k] = process.env[k];
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    };
    before(async () => {
      awsDir = await mkdtemp(join(tmpdir(), 'ferry-aws-'));
      // Never let a credential chain fall through to instance metadata (a non-loopback address).
      setEnv({
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_SESSION_TOKEN: undefined,
        AWS_PROFILE: undefined,
        AWS_REGION: undefined,
        AWS_DEFAULT_REGION: undefined,
      });
    });
    after(async () => {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await rm(awsDir, { recursive: true, force: true });
    });

    it('uses a plain profile and a role_arn profile (AssumeRole through a local STS)', async () => {
      const sts = await startStsStub({
        accessKeyId: server.accessKeyId,
        secretAccessKey: server.secretAccessKey,
        sessionToken: 'assumed-session-token',
      });
      const recorder = await startRegionRecorder(server.endpoint);
      try {
        const config = join(awsDir, 'config');
        const credentials = join(awsDir, 'credentials');
        await writeFile(
          config,
          [
            '[profile plain]',
            'region = eu-west-1',
            '',
            '[profile role]',
            'role_arn = arn:aws:iam::123456789012:role/ferry-test',
            'source_profile = base',
            'region = ap-southeast-2',
            '',
          ].join('\n'),
        );
        // s3rver only knows its own key pair: "base" would be refused, so success proves the assumed keys were used.
        await writeFile(
          credentials,
          [
            '[plain]',
            `aws_access_key_id = ${server.accessKeyId}`,
            `aws_secret_access_key = ${server.secretAccessKey}`,
            '',
            '[base]',
            'aws_access_key_id = AKIABASEPROFILE',
            'aws_secret_access_key = base-secret',
            '',
          ].join('\n'),
        );
        setEnv({
          AWS_CONFIG_FILE: config,
          AWS_SHARED_CREDENTIALS_FILE: credentials,
          AWS_ENDPOINT_URL_STS: sts.endpoint,
        });

        // Neither connection names a region and AWS_REGION is unset: each request is signed for the
        // profile's region (seen in the SigV4 credential scope on the way to s3rver).
        const viaRecorder = { endpoint: recorder.endpoint, accessKeyId: undefined, region: undefined };
        const plain = await open({ auth: 'profile', profile: 'plain', ...viaRecorder });
        await plain.write('/from-plain-profile.txt', patternBytes('plain-profile', 10));
        assert.equal((await plain.stat('/from-plain-profile.txt')).size, 10);
        await plain.close();
        assert.deepEqual(recorder.takeRegions(), ['eu-west-1'], "signed for the plain profile's region");

        const role = await open({ auth: 'profile', profile: 'role', ...viaRecorder });
        await role.write('/from-role-profile.txt', patternBytes('role-profile', 11));
        assert.equal((await role.stat('/from-role-profile.txt')).size, 11);
        await role.close();
        assert.deepEqual(recorder.takeRegions(), ['ap-southeast-2'], "signed for the role profile's region");

        // AWS_REGION names the region when the connection does not, over the profile's; the connection's wins.
        setEnv({ AWS_REGION: 'ca-central-1' });
        const envRegion = await open({ auth: 'profile', profile: 'plain', ...viaRecorder });
        await envRegion.stat('/from-plain-profile.txt');
        await envRegion.close();
        const ownRegion = await open({ auth: 'profile', profile: 'plain', ...viaRecorder, region: 'sa-east-1' });
        await ownRegion.stat('/from-plain-profile.txt');
        await ownRegion.close();
        setEnv({ AWS_REGION: undefined });
        assert.deepEqual(recorder.takeRegions(), ['ca-central-1', 'sa-east-1']);
        assert.equal(sts.calls.length, 1, 'one AssumeRole call');
        assert.equal(sts.calls[0]!.action, 'AssumeRole');
        assert.equal(sts.calls[0]!.roleArn, 'arn:aws:iam::123456789012:role/ferry-test');
        assert.equal(sts.calls[0]!.signedWith, 'AKIABASEPROFILE', 'signed with the source profile');

        const base = await open({ auth: 'profile', profile: 'base', accessKeyId: undefined });
        await expectCode(base.stat('/from-role-profile.txt'), 'AuthFailed');
        await base.close();
      } finally {
        await sts.stop();
        await recorder.stop();
      }
    });

    it('opens from the standard environment for s3:// addresses', async () => {
      setEnv({
        AWS_ACCESS_KEY_ID: server.accessKeyId,
        AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
        AWS_ENDPOINT_URL_S3: server.endpoint,
        AWS_REGION: 'us-east-1',
      });
      const spec = s3SpecFromEnvironment(BUCKET);
      assert.equal(spec.endpoint, server.endpoint);
      assert.equal(spec.pathStyle, true);
      assert.equal(spec.checksumMode, 'WHEN_REQUIRED');
      assert.equal(spec.auth, 'env');
      const fromEnv = await openS3Provider(spec, { secrets: async () => undefined, log });
      await fromEnv.write('/from-env.txt', patternBytes('env', 12));
      assert.equal(await sha256Of(await fromEnv.read('/from-env.txt')), await patternSha256('env', 12));
      await fromEnv.close();
      assert.deepEqual(
        {
          auth: s3SpecFromEnvironment('b', { AWS_PROFILE: 'work' }).auth,
          profile: s3SpecFromEnvironment('b', { AWS_PROFILE: 'work' }).profile,
        },
        { auth: 'profile', profile: 'work' },
      );
    });
  });
});
