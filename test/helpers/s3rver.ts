// s3rver 3.7.1 on loopback, as a child node process (it needs --openssl-legacy-provider, which only a process's
// own command line can enable), with the S3 operations it lacks filled in over its own on-disk store.
//
// s3rver implements objects, listings, copies and multipart uploads, but not: ListParts, ListMultipartUploads,
// AbortMultipartUpload, UploadPartCopy, the GLACIER_IR class, changing a storage class by a copy onto itself,
// storage classes in listings (always STANDARD), refusing GetObject on an unrestored GLACIER/DEEP_ARCHIVE
// object (AWS answers 403 InvalidObjectState), or restores (x-amz-restore on HEAD and GET, RestoreStatus in
// listings; a test sets an object's restore state with setRestore, as if RestoreObject had run and, with
// ongoing-request="false", finished). It also decodes x-amz-copy-source with decodeURI, so keys with
// "#", "?", "&" or "+" cannot be copied, and an UploadPart to an unknown upload id silently recreates it. The
// middleware below adds exactly these, each following AWS's documented behaviour; everything else is s3rver's.
// One fix is in its store instead: a listing with a delimiter misses the common prefix of keys two or more
// levels down ("y/a/b/c.txt" listed under "y/" gives no "y/a/") unless an object sits one level down, since its
// folder walk stops below the first delimiter; AWS finds them (see the walk patch in serve()).
//
// Every request the server answers is reported to the test (method, URL, status), so tests can count
// requests, e.g. how many UploadPart calls a resumed upload made.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { S3Client } from '@aws-sdk/client-s3';
import type { z } from 'zod';
import type { s3SpecSchema } from '../../shared/connection';

/** s3rver's built-in account; it checks request signatures against it. */
export const S3RVER_ACCESS_KEY_ID = 'S3RVER';
export const S3RVER_SECRET_ACCESS_KEY = 'S3RVER';

export type S3SpecInput = z.input<typeof s3SpecSchema>;

export interface S3Request {
  method: string;
  /** Path and query as sent, e.g. "/bucket/key?partNumber=3&uploadId=…". */
  url: string;
  status: number;
}

export interface S3rverServer {
  port: number;
  /** The server's process (for the benchmarks' server-load figures). */
  pid: number;
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Input for s3SpecSchema.parse: `bucket` on this server with its access key (the secret is the caller's). */
  spec(bucket: string, overrides?: Partial<S3SpecInput>): S3SpecInput;
  /** Requests answered so far, in order (waits until the server has reported every request answered before the call). */
  requests(): Promise<S3Request[]>;
  clearRequests(): Promise<void>;
  /**
   * Fault injection for tests: `corruptEtags` makes the next N PutObject/UploadPart responses carry a wrong
   * ETag (a server that stored other bytes); `holdParts` keeps UploadPart requests waiting until set false.
   */
  control(settings: { corruptEtags?: number; holdParts?: boolean }): Promise<void>;
  /** UploadPart requests currently held by `holdParts`. */
  heldParts(): Promise<number>;
  /**
   * Sets the x-amz-restore value an archived object reports (undefined: no restore asked for), e.g.
   * `ongoing-request="true"` while restoring or `ongoing-request="false", expiry-date="…"` once readable.
   */
  setRestore(bucket: string, key: string, restore: string | undefined): Promise<void>;
  /** Unfinished multipart uploads on disk for a bucket (independent of the S3 API). */
  uploadsOnDisk(bucket: string): Promise<string[]>;
  /** The folder s3rver keeps its buckets in (the UI benchmark seeds a 100,000-object prefix there). */
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * An SDK client of the server's own, for checks behind the provider's back (ListMultipartUploads, HEAD…):
 * path-style, and checksums only where required (the SDK's default trailers corrupt objects on s3rver).
 */
export function s3rverClient(server: Pick<S3rverServer, 'endpoint' | 'accessKeyId' | 'secretAccessKey'>): S3Client {
  return new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

const READY = '@@S3RVER-READY ';
const REQUEST = '@@S3RVER-REQUEST ';
const SELF = fileURLToPath(import.meta.url);

export interface S3rverOptions {
  buckets?: string[];
  /**
   * Serve HTTPS with this certificate (PEM files, e.g. from test/helpers/certs.ts). The calling process must
   * trust it (NODE_EXTRA_CA_CERTS) for the helper's own control requests, as every other client must.
   */
  https?: { certPath: string; keyPath: string };
  /** An access key of the test's own, accepted beside s3rver's built-in one (e.g. distinctive canary values). */
  accessKey?: { id: string; secret: string };
}

export async function startS3rver(options: S3rverOptions = {}): Promise<S3rverServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ferry-s3rver-'));
  const args = [
    '--openssl-legacy-provider',
    '--import',
    'tsx',
    SELF,
    '--serve',
    dataDir,
    (options.buckets ?? []).join(','),
    options.https ? JSON.stringify(options.https) : '',
    options.accessKey ? JSON.stringify(options.accessKey) : '',
  ];
  const child = spawn(process.execPath, args, { cwd: resolve('.'), stdio: ['pipe', 'pipe', 'pipe'] });
  const requests: S3Request[] = [];
  const syncsSeen = new Set<string>();
  let syncs = 0;
  let output = '';
  let buffered = '';
  let port = 0;
  child.stdout!.on('data', (data: Buffer) => {
    buffered += data.toString();
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line.startsWith(REQUEST)) {
        const request = JSON.parse(line.slice(REQUEST.length)) as S3Request;
        const sync = /[?&]x-ferry-sync=([^&]+)/.exec(request.url)?.[1];
        if (sync) syncsSeen.add(sync);
        else if (!/[?&]x-ferry-/.test(request.url)) requests.push(request);
      } else if (line.startsWith(READY)) port = Number(line.slice(READY.length));
      else output = (output + line + '\n').slice(-4000);
    }
  });
  child.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGTERM');
      await Promise.race([exited, delay(5000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  while (port === 0) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`s3rver exited with code ${child.exitCode}: ${output}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`s3rver did not start within 30 s: ${output}`);
    }
    await delay(50);
  }
  const endpoint = `${options.https ? 'https' : 'http'}://127.0.0.1:${port}`;
  // The log travels through a pipe, so it can trail the responses: a marker request, answered after every
  // earlier one, shows when the log has caught up.
  const settle = async () => {
    const id = String(++syncs);
    await (await fetch(`${endpoint}/?x-ferry-sync=${id}`)).arrayBuffer();
    while (!syncsSeen.has(id)) await delay(5);
  };
  return {
    port,
    pid: child.pid ?? -1,
    endpoint,
    accessKeyId: options.accessKey?.id ?? S3RVER_ACCESS_KEY_ID,
    secretAccessKey: options.accessKey?.secret ?? S3RVER_SECRET_ACCESS_KEY,
    spec: (bucket, overrides = {}) => ({
      kind: 's3',
      bucket,
      endpoint,
      region: 'us-east-1',
      auth: 'keys',
      accessKeyId: options.accessKey?.id ?? S3RVER_ACCESS_KEY_ID,
      ...overrides,
    }),
    requests: async () => {
      await settle();
      return [...requests];
    },
    clearRequests: async () => {
      await settle();
      requests.splice(0);
    },
    control: async (settings) => {
      const response = await fetch(`${endpoint}/?x-ferry-control=${encodeURIComponent(JSON.stringify(settings))}`);
      await response.arrayBuffer();
    },
    heldParts: async () => Number(await (await fetch(`${endpoint}/?x-ferry-held=1`)).text()),
    setRestore: async (bucket, key, restore) => {
      const setting = encodeURIComponent(JSON.stringify({ bucket, key, restore: restore ?? null }));
      await (await fetch(`${endpoint}/?x-ferry-restore=${setting}`)).arrayBuffer();
    },
    uploadsOnDisk: async (bucket) => readdir(join(dataDir, bucket, '._S3rver_uploads')).catch(() => []),
    dataDir,
    stop,
  };
}

// ---- the child process -------------------------------------------------------------------------------------

/* eslint-disable @typescript-eslint/no-explicit-any -- s3rver ships no types */
type Ctx = any;
type Next = () => Promise<void>;

async function serve(
  dataDir: string,
  buckets: string[],
  https?: { certPath: string; keyPath: string },
  accessKey?: { id: string; secret: string },
): Promise<void> {
  const require = createRequire(import.meta.url);
  // Before s3rver's store loads (it takes `walk` by destructuring): walk every folder of the bucket. The store
  // still filters each key by prefix, startAfter and delimiter; its folder filter only saved time, and stopped
  // the walk short of keys whose common prefix it then never reported.
  const utils = require('s3rver/lib/utils') as { walk: (dir: string, filter?: unknown) => Iterable<string> };
  const walk = utils.walk;
  utils.walk = (dir: string) => walk(dir);
  const S3rver = require('s3rver');
  if (accessKey) require('s3rver/lib/models/account').DUMMY_ACCOUNT.createKeyPair(accessKey.id, accessKey.secret);
  const S3Error = require('s3rver/lib/models/error');
  const S3Object = require('s3rver/lib/models/object');
  const authentication = require('s3rver/lib/middleware/authentication')();
  if (!S3Object.STORAGE_CLASSES.includes('GLACIER_IR')) S3Object.STORAGE_CLASSES.push('GLACIER_IR');
  const ARCHIVE = ['GLACIER', 'DEEP_ARCHIVE'];
  /** x-amz-restore values by "bucket/key", set by the test (see setRestore). */
  const restores = new Map<string, string>();
  const readable = (restore: string | undefined) => !!restore && /ongoing-request="false"/.test(restore);

  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory: dataDir,
    silent: true,
    configureBuckets: buckets.filter(Boolean).map((name) => ({ name })),
    ...(https ? { cert: await readFile(https.certPath), key: await readFile(https.keyPath) } : {}),
  });
  const store = server.store;
  const uploadDir = (bucket: string, uploadId: string) =>
    join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId);

  // An abort can arrive while a part of the same upload is still being written (a client cancelling with
  // parts on the wire). s3rver's putPart would then recreate the removed folder around that part, or make
  // the removal fail, leaving part data that no API shows. On S3 such a part is either dropped or listed
  // (ListParts) until aborted again; here it is dropped: removed once its write ends, and the abort's removal
  // is retried while a write is adding files to the folder.
  const abortedUploads = new Set<string>();
  const removeUpload = async (bucket: string, uploadId: string) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await rm(uploadDir(bucket, uploadId), { recursive: true, force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOTEMPTY' || attempt === 10) throw error;
        await delay(20);
      }
    }
  };
  const putPart = store.putPart.bind(store);
  store.putPart = async (bucket: string, uploadId: string, partNumber: string, content: unknown) => {
    try {
      return await putPart(bucket, uploadId, partNumber, content);
    } finally {
      if (abortedUploads.has(uploadId)) await removeUpload(bucket, uploadId);
    }
  };
  const uploadExists = async (bucket: string, uploadId: string) => {
    if (!/^[0-9a-f]+$/.test(uploadId)) return false;
    return stat(join(uploadDir(bucket, uploadId), 'key')).then(
      () => true,
      () => false,
    );
  };
  const noSuchUpload = (uploadId: string) =>
    new S3Error(
      'NoSuchUpload',
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      { UploadId: uploadId },
    );

  const listParts = async (ctx: Ctx, bucket: string, key: string) => {
    const dir = uploadDir(bucket, ctx.query.uploadId);
    const names = (await readdir(dir))
      .filter((n: string) => /^\d+$/.test(n))
      .map(Number)
      .sort((a: number, b: number) => a - b);
    const parts = await Promise.all(
      names.map(async (n: number) => {
        const info = await stat(join(dir, String(n)));
        const md5 = (await readFile(join(dir, `${n}.md5`), 'utf8').catch(() => '')).trim();
        return { PartNumber: n, LastModified: info.mtime.toISOString(), ETag: JSON.stringify(md5), Size: info.size };
      }),
    );
    ctx.body = {
      ListPartsResult: {
        Bucket: bucket,
        Key: key,
        UploadId: ctx.query.uploadId,
        PartNumberMarker: 0,
        MaxParts: 1000,
        IsTruncated: false,
        Part: parts,
      },
    };
  };

  const listUploads = async (ctx: Ctx, bucket: string) => {
    const root = store.getResourcePath(bucket, undefined, 'uploads');
    const ids: string[] = await readdir(root).catch(() => []);
    const uploads = [];
    for (const id of ids) {
      const key = await readFile(join(root, id, 'key'), 'utf8').catch(() => undefined);
      if (key === undefined || (ctx.query.prefix && !key.startsWith(ctx.query.prefix))) continue;
      uploads.push({ Key: key, UploadId: id, Initiated: (await stat(join(root, id))).mtime.toISOString() });
    }
    ctx.body = {
      ListMultipartUploadsResult: {
        Bucket: bucket,
        KeyMarker: '',
        UploadIdMarker: '',
        MaxUploads: 1000,
        IsTruncated: false,
        Upload: uploads,
      },
    };
  };

  const sourceOf = (ctx: Ctx) => {
    let source = decodeURI(ctx.headers['x-amz-copy-source']);
    source = source.startsWith('/') ? source.slice(1) : source;
    const [srcBucket, ...rest] = source.split('/');
    return { srcBucket: srcBucket as string, srcKey: rest.join('/') };
  };

  const uploadPartCopy = async (ctx: Ctx, bucket: string) => {
    const { srcBucket, srcKey } = sourceOf(ctx);
    const metadata = await store.getMetadata(srcBucket, srcKey).catch(() => {
      throw new S3Error('NoSuchKey', 'The specified key does not exist.', { Key: srcKey });
    });
    const ifMatch = ctx.headers['x-amz-copy-source-if-match'];
    if (ifMatch && ifMatch.replace(/"/g, '') !== metadata.etag.replace(/"/g, ''))
      throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
    const size = Number(metadata['content-length']);
    const match = /^bytes=(\d+)-(\d+)$/.exec(ctx.headers['x-amz-copy-source-range'] ?? `bytes=0-${size - 1}`);
    const first = Number(match?.[1]);
    const last = Number(match?.[2]);
    if (!match || last < first || last >= size)
      throw new S3Error(
        'InvalidArgument',
        'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
      );
    const content = createReadStream(store.getResourcePath(srcBucket, srcKey, 'object'), { start: first, end: last });
    const { md5 } = await store.putPart(bucket, ctx.query.uploadId, ctx.query.partNumber, content);
    ctx.body = { CopyPartResult: { LastModified: new Date().toISOString(), ETag: JSON.stringify(md5) } };
  };

  /** CopyObject that changes the storage class keeps the metadata (MetadataDirective COPY), as on AWS. */
  const copyWithStorageClass = async (ctx: Ctx, bucket: string, key: string) => {
    const { srcBucket, srcKey } = sourceOf(ctx);
    const metadata = await store.getMetadata(srcBucket, srcKey).catch(() => {
      throw new S3Error('NoSuchKey', 'The specified key does not exist.', { Key: srcKey });
    });
    const storageClass = ctx.headers['x-amz-storage-class'];
    if (!S3Object.STORAGE_CLASSES.includes(storageClass))
      throw new S3Error('InvalidStorageClass', 'The storage class you specified is not valid');
    const result = await store.copyObject(srcBucket, srcKey, bucket, key, {
      ...metadata,
      'x-amz-storage-class': storageClass,
    });
    ctx.body = {
      CopyObjectResult: { LastModified: new Date(result['last-modified']).toISOString(), ETag: result.etag },
    };
  };

  const extensions = async (ctx: Ctx, next: Next) => {
    const segments = ctx.path.split('/');
    const bucket = decodeURIComponent(segments[1] ?? '');
    const key = decodeURIComponent(segments.slice(2).join('/'));
    const query = ctx.query;
    if (ctx.headers['x-amz-copy-source']) {
      // AWS decodes the whole value; s3rver uses decodeURI, which leaves %23, %3F, %26, %2B… encoded.
      ctx.headers['x-amz-copy-source'] = encodeURI(decodeURIComponent(ctx.headers['x-amz-copy-source']));
    }
    const authenticated = (handler: () => Promise<void>) => {
      ctx.params = { bucket, ...(key ? { key } : {}) };
      return authentication(ctx, async () => {
        if (!(await store.getBucket(bucket)))
          throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
        await handler();
      });
    };

    if (bucket && !key && ctx.method === 'GET' && 'uploads' in query)
      return authenticated(() => listUploads(ctx, bucket));
    if (bucket && key && 'uploadId' in query) {
      const exists = await uploadExists(bucket, query.uploadId);
      const requireUpload = () => {
        if (!exists) throw noSuchUpload(query.uploadId);
      };
      if (ctx.method === 'GET') return authenticated(async () => (requireUpload(), listParts(ctx, bucket, key)));
      if (ctx.method === 'DELETE') {
        return authenticated(async () => {
          requireUpload();
          abortedUploads.add(query.uploadId);
          await removeUpload(bucket, query.uploadId);
          ctx.status = 204;
        });
      }
      if (ctx.method === 'PUT' && ctx.headers['x-amz-copy-source'])
        return authenticated(async () => (requireUpload(), uploadPartCopy(ctx, bucket)));
      if (!exists) return authenticated(async () => requireUpload());
      return next();
    }
    if (
      bucket &&
      key &&
      ctx.method === 'PUT' &&
      ctx.headers['x-amz-copy-source'] &&
      ctx.headers['x-amz-storage-class'] &&
      ctx.headers['x-amz-metadata-directive'] !== 'REPLACE'
    ) {
      return authenticated(() => copyWithStorageClass(ctx, bucket, key));
    }
    const restore = key ? restores.get(`${bucket}/${key}`) : undefined;
    if (
      bucket &&
      key &&
      ctx.method === 'GET' &&
      Object.keys(query).every((q) => q.startsWith('response-') || q.startsWith('X-Amz-') || q === 'x-id')
    ) {
      const metadata = await store.getMetadata(bucket, key).catch(() => undefined);
      const storageClass = metadata?.['x-amz-storage-class'];
      // AWS refuses both an object never restored and one whose restore is still running.
      if (ARCHIVE.includes(storageClass) && !readable(restore)) {
        return authenticated(async () => {
          throw new S3Error('InvalidObjectState', "The operation is not valid for the object's storage class", {
            StorageClass: storageClass,
          });
        });
      }
    }
    await next();
    if (restore && (ctx.method === 'HEAD' || ctx.method === 'GET') && ctx.status < 300)
      ctx.set('x-amz-restore', restore);
    // Listings: report each object's storage class instead of s3rver's constant STANDARD, and, when asked
    // for (x-amz-optional-object-attributes), the restore status of objects with a restore.
    const listing = ctx.body?.ListBucketResult;
    if (bucket && !key && ctx.method === 'GET' && listing?.Contents) {
      const withRestore = /RestoreStatus/.test(ctx.headers['x-amz-optional-object-attributes'] ?? '');
      for (const entry of listing.Contents) {
        const metadata = await store.getMetadata(bucket, entry.Key).catch(() => undefined);
        entry.StorageClass = metadata?.['x-amz-storage-class'] ?? 'STANDARD';
        const restored = restores.get(`${bucket}/${entry.Key}`);
        if (withRestore && restored) {
          const expiry = /expiry-date="([^"]+)"/.exec(restored)?.[1];
          entry.RestoreStatus = {
            IsRestoreInProgress: !readable(restored),
            ...(expiry ? { RestoreExpiryDate: new Date(expiry).toISOString() } : {}),
          };
        }
      }
    }
  };

  const requestLog = async (ctx: Ctx, next: Next) => {
    ctx.res.once('finish', () =>
      process.stdout.write(
        `${REQUEST}${JSON.stringify({ method: ctx.method, url: ctx.url, status: ctx.res.statusCode })}\n`,
      ),
    );
    if ('x-ferry-control' in ctx.query) {
      Object.assign(faults, JSON.parse(ctx.query['x-ferry-control']));
      ctx.body = 'ok';
      return;
    }
    if ('x-ferry-restore' in ctx.query) {
      const { bucket, key, restore } = JSON.parse(ctx.query['x-ferry-restore']);
      if (restore === null) restores.delete(`${bucket}/${key}`);
      else restores.set(`${bucket}/${key}`, restore);
      ctx.body = 'ok';
      return;
    }
    if ('x-ferry-held' in ctx.query) {
      ctx.body = String(held);
      return;
    }
    await next();
  };

  const faults = { corruptEtags: 0, holdParts: false };
  let held = 0;
  /** Runs PutObject/UploadPart requests through the injected faults. */
  const faultInjection = async (ctx: Ctx, next: Next) => {
    const copy = !!ctx.headers['x-amz-copy-source'];
    const isPart = ctx.method === 'PUT' && 'uploadId' in ctx.query && 'partNumber' in ctx.query && !copy;
    const isPut =
      ctx.method === 'PUT' &&
      Object.keys(ctx.query).every((q) => q === 'x-id') &&
      !copy &&
      ctx.path.split('/').length > 2;
    if (isPart && faults.holdParts) {
      held++;
      while (faults.holdParts) await delay(20);
      held--;
    }
    await next();
    if ((isPart || isPut) && faults.corruptEtags > 0 && ctx.status === 200) {
      faults.corruptEtags--;
      ctx.set('ETag', '"00000000000000000000000000000000"');
    }
  };

  // Order: the request log outermost; the extensions just before s3rver's router, inside its XML encoder.
  server.middleware.unshift(requestLog);
  server.middleware.splice(server.middleware.length - 1, 0, faultInjection, extensions);
  const address = await server.run();
  process.stdout.write(`${READY}${address.port}\n`);
  const shutdown = () => server.close(() => process.exit(0));
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  // The parent holds our stdin open: when the test process dies (even by SIGKILL), stdin ends; then we
  // remove the data folder the parent can no longer remove, and exit.
  process.stdin.resume();
  process.stdin.once('end', () => {
    void rm(dataDir, { recursive: true, force: true }).finally(() => process.exit(0));
  });
}

if (process.argv[2] === '--serve' && process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const https = process.argv[5] ? (JSON.parse(process.argv[5]) as { certPath: string; keyPath: string }) : undefined;
  const accessKey = process.argv[6] ? (JSON.parse(process.argv[6]) as { id: string; secret: string }) : undefined;
  serve(process.argv[3]!, (process.argv[4] ?? '').split(','), https, accessKey).catch((error: unknown) => {
    process.stderr.write(`s3rver failed to start: ${String((error as Error)?.stack ?? error)}\n`);
    process.exit(1);
  });
}
