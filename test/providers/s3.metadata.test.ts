// The S3 provider's side of cloud fidelity (issue 19), against s3rver: modification times kept as rclone's mtime
// metadata, a multipart upload's MD5 kept as md5chksum (checked behind an AWS-form ETag proxy, as s3rver's own
// multipart ETag is an MD5), nothing left after an abort, a reset named as one, and a resume on a server without
// ListParts (plain s3rver) that starts afresh.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { s3SpecSchema } from '../../shared/connection';
import type { Provider, ResumeToken } from '../../shared/provider';
import { createLogger } from '../../main/core/log/logger';
import { openS3Provider } from '../../main/core/providers/s3';
import { collect, patternBytes, patternSha256, sha256Of } from '../helpers/pattern';
import { s3rverClient, startS3rver, type S3rverServer, type S3SpecInput } from '../helpers/s3rver';
import { startAwsEtagProxy, type AwsEtagProxy } from '../helpers/aws-etag-proxy';
import { expectCode } from '../helpers/expect-error';
import { failingAfter } from '../helpers/failing-source';

const MiB = 1024 * 1024;
const BUCKET = 'fidelity';
const log = createLogger({ test: 's3-metadata' });

const md5Of = async (seed: string, size: number) =>
  createHash('md5')
    .update(await collect(patternBytes(seed, size)))
    .digest();

describe('s3 provider: times, hashes and aborts in rclone convention (s3rver)', () => {
  let server: S3rverServer;
  let proxy: AwsEtagProxy;
  let provider: Provider;
  let admin: S3Client;

  const open = (spec: Partial<S3SpecInput> = {}) =>
    openS3Provider(s3SpecSchema.parse(server.spec(BUCKET, { partSizeMiB: 5, uploadConcurrency: 3, ...spec })), {
      secrets: async (field) => (field === 'secretAccessKey' ? server.secretAccessKey : undefined),
      log,
    });
  const head = (key: string) => admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
  const copyRequests = async () =>
    (await server.requests()).filter((r) => r.method === 'PUT' && !/[?&]partNumber=/.test(r.url));

  before(async () => {
    server = await startS3rver({ buckets: [BUCKET] });
    proxy = await startAwsEtagProxy(server.endpoint);
    // Through the proxy: multipart objects carry AWS's "…-N" ETags, as on S3.
    provider = await open({ endpoint: proxy.endpoint });
    admin = s3rverClient(server);
  });
  after(async () => {
    admin?.destroy();
    await provider?.close();
    await proxy?.stop();
    await server?.stop();
  });

  it("keeps the modification time as rclone's mtime, reads it in stat, and keeps LastModified in listings", async () => {
    const when = Date.UTC(2021, 1, 3, 4, 5, 6, 789);
    await provider.write('/single.bin', patternBytes('t1', 1000), { modified: when });
    await provider.write('/multi.bin', patternBytes('t2', 11 * MiB), { modified: when + 1 });
    assert.equal((await head('single.bin')).Metadata?.mtime, '1612325106.789', "rclone's seconds.fraction");
    assert.equal((await head('multi.bin')).Metadata?.mtime, '1612325106.790');
    assert.equal((await provider.stat('/single.bin')).modified, when);
    assert.equal((await provider.stat('/multi.bin')).modified, when + 1);
    assert.equal(provider.capabilities.listedModTime, 'stored');
    assert.equal(provider.capabilities.setModTime, true);
    for await (const page of provider.list('/'))
      for (const entry of page.filter((e) => e.type === 'file'))
        assert.ok(Math.abs(entry.modified! - Date.now()) < 120_000, `${entry.name}: a listing gives the stored time`);

    // A server-side copy keeps the source's time, or sets the one asked for; so does a rename.
    await provider.copy!('/single.bin', '/copied.bin');
    assert.equal((await provider.stat('/copied.bin')).modified, when);
    await provider.copy!('/single.bin', '/copied-new.bin', { modified: when + 5000 });
    assert.equal((await provider.stat('/copied-new.bin')).modified, when + 5000);
    await provider.rename('/copied.bin', '/renamed.bin');
    assert.equal((await provider.stat('/renamed.bin')).modified, when);
    // An object with no mtime of its own gets its stored time on a copy, not the copy's.
    await provider.write('/plain.bin', patternBytes('t3', 10));
    const stored = (await provider.stat('/plain.bin')).modified!;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await provider.copy!('/plain.bin', '/plain-copy.bin');
    assert.equal((await provider.stat('/plain-copy.bin')).modified, stored);
  });

  it('reads the times other tools write: plain seconds, RFC 3339, and falls back to LastModified', async () => {
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const put = (key: string, mtime: string) =>
      admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x', Metadata: { mtime } }));
    await put('seconds.txt', '1612321506');
    await put('nanos.txt', '1612321506.123456789');
    await put('rfc.txt', '2021-02-03T03:05:06.5+00:00');
    await put('junk.txt', 'yesterday');
    assert.equal((await provider.stat('/seconds.txt')).modified, 1612321506_000);
    assert.equal((await provider.stat('/nanos.txt')).modified, 1612321506_123);
    assert.equal((await provider.stat('/rfc.txt')).modified, Date.UTC(2021, 1, 3, 3, 5, 6, 500));
    assert.ok(Math.abs((await provider.stat('/junk.txt')).modified! - Date.now()) < 120_000);
  });

  it("stores a multipart upload's MD5 as md5chksum: computed while sending, or given up front", async () => {
    const size = 11 * MiB;
    const md5 = await md5Of('m1', size);
    await server.clearRequests();
    const written = await provider.write('/computed.bin', patternBytes('m1', size), { size, modified: 1_000_000 });
    assert.equal(written.hashes?.md5, md5.toString('hex'), 'the MD5 of the bytes sent');
    let metadata = (await head('computed.bin')).Metadata;
    assert.equal(metadata?.md5chksum, md5.toString('base64'), "rclone's form: base64 of the 16 bytes");
    assert.equal(metadata?.mtime, '1000.000', 'the time survives the copy that adds the MD5');
    assert.equal((await copyRequests()).length, 1, 'one CopyObject onto itself added it');
    assert.match(proxy.multipartEtag(BUCKET, 'computed.bin') ?? '', /^[0-9a-f]{32}-3$/, 'served as on AWS');
    const entry = await provider.stat('/computed.bin');
    assert.equal(entry.hashes?.md5, md5.toString('hex'), 'stat reads md5chksum, never the "-3" ETag');
    assert.equal(entry.modified, 1_000_000);
    for await (const page of provider.list('/'))
      for (const listed of page.filter((e) => e.name === 'computed.bin'))
        assert.equal(listed.hashes, undefined, 'a listing has no metadata, and its "-3" ETag is no MD5');

    // Known up front: set at CreateMultipartUpload, no copy afterwards; with a storage class kept.
    await server.clearRequests();
    await provider.write('/given.bin', patternBytes('m1', size), {
      size,
      md5: md5.toString('hex'),
      storageClass: 'STANDARD_IA',
    });
    assert.equal((await copyRequests()).length, 0, 'no CopyObject');
    metadata = (await head('given.bin')).Metadata;
    assert.equal(metadata?.md5chksum, md5.toString('base64'));

    // The copy that adds the MD5 keeps the storage class.
    await provider.write('/classed.bin', patternBytes('m1', size), { size, storageClass: 'STANDARD_IA' });
    assert.equal((await head('classed.bin')).StorageClass, 'STANDARD_IA');
    assert.equal((await head('classed.bin')).Metadata?.md5chksum, md5.toString('base64'));

    // A wrong MD5 given up front is corrected from the bytes sent.
    await provider.write('/wrong.bin', patternBytes('m1', size), { size, md5: '0'.repeat(32) });
    assert.equal((await head('wrong.bin')).Metadata?.md5chksum, md5.toString('base64'));
  });

  it('keeps the given MD5 on a resumed upload, and computes none it could not see', async () => {
    const size = 16 * MiB;
    const md5 = await md5Of('r1', size);
    let token: ResumeToken | undefined;
    await expectCode(
      provider.write('/resumed.bin', failingAfter('r1', size, 11 * MiB), { size, onResumeToken: (t) => (token = t) }),
      'Network',
    );
    const offset = await provider.resumeOffset!('/resumed.bin', token!);
    assert.ok(offset > 0);
    const result = await provider.write('/resumed.bin', patternBytes('r1', size - offset, offset), {
      size,
      offset,
      resumeToken: token!,
    });
    assert.equal(result.hashes, undefined, 'the first parts were not seen by this call');
    assert.equal((await head('resumed.bin')).Metadata?.md5chksum, undefined);
    assert.equal(await sha256Of(await provider.read('/resumed.bin')), await patternSha256('r1', size));

    token = undefined;
    await expectCode(
      provider.write('/resumed-md5.bin', failingAfter('r1', size, 11 * MiB), {
        size,
        md5: md5.toString('hex'),
        onResumeToken: (t) => (token = t),
      }),
      'Network',
    );
    const again = await provider.resumeOffset!('/resumed-md5.bin', token!);
    await provider.write('/resumed-md5.bin', patternBytes('r1', size - again, again), {
      size,
      offset: again,
      resumeToken: token!,
    });
    assert.equal((await head('resumed-md5.bin')).Metadata?.md5chksum, md5.toString('base64'));
    assert.equal((await provider.stat('/resumed-md5.bin')).hashes?.md5, md5.toString('hex'));
  });

  it('lists the parts once more after aborting a cancelled upload, and leaves nothing behind', async () => {
    const direct = await open();
    try {
      await server.control({ holdParts: true });
      const controller = new AbortController();
      const writing = direct.write('/held.bin', patternBytes('h', 30 * MiB), { signal: controller.signal });
      const deadline = Date.now() + 20_000;
      while ((await server.heldParts()) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok((await server.heldParts()) >= 1, 'a part is in flight');
      await server.clearRequests();
      controller.abort();
      await expectCode(writing, 'Cancelled');
      await server.control({ holdParts: false });
      const requests = await server.requests();
      const abort = requests.findIndex((r) => r.method === 'DELETE' && /[?&]uploadId=/.test(r.url));
      assert.ok(abort >= 0, 'the upload was aborted');
      assert.ok(
        requests.slice(abort + 1).some((r) => r.method === 'GET' && /[?&]uploadId=/.test(r.url)),
        `ListParts after the abort: ${requests.map((r) => `${r.method} ${r.url}`).join(', ')}`,
      );
      while ((await server.heldParts()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(await server.uploadsOnDisk(BUCKET), [], 'no part data left');
      await expectCode(direct.stat('/held.bin'), 'NotFound');
    } finally {
      await server.control({ holdParts: false });
      await direct.close();
    }
  });

  it('says a connection was reset, naming s3://bucket/key', async () => {
    const sockets = new Set<Socket>();
    const resetting = createServer((socket) => {
      sockets.add(socket);
      socket.once('data', () => socket.resetAndDestroy());
    });
    await new Promise<void>((r) => resetting.listen(0, '127.0.0.1', r));
    try {
      const broken = await open({ endpoint: `http://127.0.0.1:${(resetting.address() as AddressInfo).port}` });
      const error = await expectCode(broken.stat('/dir/x.bin'), 'Network', /connection to S3 was reset/);
      assert.match(error.message, /s3:\/\/fidelity\/dir\/x\.bin/);
      assert.doesNotMatch(error.message, /did not answer in time/);
      await broken.close();
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((r) => resetting.close(() => r()));
    }
  });

  it('names objects s3://bucket/key in messages', async () => {
    const error = await expectCode(provider.stat('/nothing/here.bin'), 'NotFound');
    assert.match(error.message, /^s3:\/\/fidelity\/nothing\/here\.bin does not exist/);
    await expectCode(provider.read('/nothing/here.bin'), 'NotFound', /s3:\/\/fidelity\/nothing\/here\.bin/);
  });
});

describe('s3 provider on a server without ListParts (plain s3rver)', () => {
  let dir: string;
  let plain: { close(callback: () => void): void };
  let provider: Provider;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-plain-s3rver-'));
    const S3rver = createRequire(import.meta.url)('s3rver');
    const instance = new S3rver({
      address: '127.0.0.1',
      port: 0,
      directory: dir,
      silent: true,
      configureBuckets: [{ name: 'plain' }],
    });
    const address = (await instance.run()) as AddressInfo;
    plain = instance;
    provider = await openS3Provider(
      s3SpecSchema.parse({
        kind: 's3',
        bucket: 'plain',
        endpoint: `http://127.0.0.1:${address.port}`,
        region: 'us-east-1',
        auth: 'keys',
        accessKeyId: 'S3RVER',
        partSizeMiB: 5,
        uploadConcurrency: 2,
      }),
      { secrets: async () => 'S3RVER', log },
    );
  });
  after(async () => {
    await provider?.close();
    await new Promise<void>((r) => (plain ? plain.close(() => r()) : r()));
    await rm(dir, { recursive: true, force: true });
  });

  it('starts a failed upload afresh instead of failing on ListParts', async () => {
    const size = 12 * MiB;
    let token: ResumeToken | undefined;
    const failed = await expectCode(
      provider.write('/big.bin', failingAfter('p', size, 11 * MiB), { size, onResumeToken: (t) => (token = t) }),
      'Network',
      /dropped/,
    );
    assert.ok(token, 'the upload was kept for a resume');
    assert.match(failed.message, /injected/, 'the cause is the one reported');
    assert.equal(await provider.resumeOffset!('/big.bin', token), 0, 'nothing known to resume from');
    const result = await provider.write('/big.bin', patternBytes('p', size), { size, offset: 0, resumeToken: token });
    assert.equal(result.size, size);
    assert.equal(await sha256Of(await provider.read('/big.bin')), await patternSha256('p', size));
  });
});
