// Streams an upload into S3: one PutObject when the bytes fit in one part, otherwise a multipart upload
// with up to `concurrency` parts in flight, which can continue after an interruption.
//
// Why not @aws-sdk/lib-storage's Upload: it cannot continue an existing multipart upload (it always starts a
// new one) and does not reveal the upload id until it finishes, so an interrupted 50 GiB upload would restart
// from zero. Keeping one upload path for every size means the resumable path is the one every test exercises.
//
// Memory: at most `concurrency` parts in flight plus the one being filled, i.e. partSize × (concurrency + 1);
// the source is pulled only when a part slot is free, so a slow network slows the reader (backpressure).
//
// Metadata in rclone's convention: the file's modification time as mtime, and a multipart object's whole-file MD5
// as md5chksum (its ETag is no MD5), so rclone and FileFerry read each other's times and hashes.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
  type StorageClass,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { FerryError, isFerryError } from '../../../../shared/errors';
import type { CancelSignal, ResumeToken, WriteResult } from '../../../../shared/provider';
import type { Logger } from '../../log/logger';
import { onAbort, throwIfAborted } from '../../util/abort';
import { formatMtime, md5ForMetadata, md5FromEtag, MD5_KEY, MTIME_KEY } from './entries';
import { httpStatus, s3Error, s3ErrorCode } from './errors';
import { rewriteMetadata } from './metadata';
import { PartReader } from '../../util/part-reader';

export const MiB = 1024 * 1024;
export const MAX_PARTS = 10_000;
const MAX_PART_SIZE = 5 * 1024 * MiB;

export interface UploadTarget {
  bucket: string;
  key: string;
  /** The provider path, for messages. */
  what: string;
}

/** What the engine persists for an unfinished multipart upload (JSON-serialisable). */
export interface S3ResumeToken extends ResumeToken {
  kind: 's3-multipart';
  bucket: string;
  key: string;
  uploadId: string;
  partSize: number;
}

export interface UploadOptions {
  size?: number;
  offset?: number;
  partSizeMiB: number;
  concurrency: number;
  storageClass?: StorageClass;
  /** The file's modification time, kept as mtime metadata. */
  modified?: number;
  /** The whole file's MD5 (hex) as the caller knows it, kept as md5chksum on a multipart object. */
  md5?: string;
  resumeToken?: ResumeToken;
  onResumeToken?: (token: ResumeToken | undefined) => void;
  signal?: CancelSignal;
  log: Logger;
}

/** The configured part size, raised (in whole MiB) when a known size would otherwise need more than 10,000 parts. */
export function choosePartSize(partSizeMiB: number, size: number | undefined): number {
  const configured = partSizeMiB * MiB;
  if (size === undefined) return configured;
  const needed = Math.ceil(size / MAX_PARTS / MiB) * MiB;
  return Math.min(MAX_PART_SIZE, Math.max(configured, needed));
}

/** The largest object CopyObject takes, and so the largest whose metadata can be changed after the upload. */
const MAX_METADATA_REWRITE = 5 * 1024 * MiB;

/** The user metadata an upload starts with: the time, and for a multipart upload the MD5 when known up front. */
function uploadMetadata(options: UploadOptions, md5?: string): Record<string, string> | undefined {
  const metadata: Record<string, string> = {};
  if (options.modified !== undefined && Number.isFinite(options.modified))
    metadata[MTIME_KEY] = formatMtime(options.modified);
  if (md5) metadata[MD5_KEY] = md5ForMetadata(md5);
  return Object.keys(metadata).length > 0 ? metadata : undefined;
}

/** The caller's MD5 when it is one (32 hex digits), in lower case. */
function givenMd5(options: UploadOptions): string | undefined {
  const md5 = options.md5?.toLowerCase();
  return md5 && /^[0-9a-f]{32}$/.test(md5) ? md5 : undefined;
}

/**
 * The server cannot list an upload's parts (plain s3rver answers 405 MethodNotAllowed; some servers 501): resume
 * is impossible there, so the caller starts afresh instead of failing on the listing.
 */
function cannotListParts(error: unknown): boolean {
  const status = httpStatus(error);
  const code = s3ErrorCode(error);
  return status === 405 || status === 501 || code === 'MethodNotAllowed' || code === 'NotImplemented';
}

export function parseResumeToken(token: ResumeToken | undefined, target: UploadTarget): S3ResumeToken | undefined {
  if (!token) return undefined;
  const t = token as Partial<S3ResumeToken>;
  if (t.kind !== 's3-multipart' || typeof t.uploadId !== 'string' || typeof t.partSize !== 'number') {
    throw new FerryError(
      'InvalidInput',
      `The resume state for ${target.what} is not an S3 multipart upload; the transfer must restart.`,
    );
  }
  if (t.bucket !== target.bucket || t.key !== target.key) {
    throw new FerryError('InvalidInput', `The resume state belongs to s3://${t.bucket}/${t.key}, not ${target.what}.`);
  }
  return t as S3ResumeToken;
}

function md5Of(bytes: Buffer): Buffer {
  return createHash('md5').update(bytes).digest();
}

/** Compares a returned ETag with the MD5 of the bytes sent, where the ETag is an MD5 (not under KMS). */
function verifyEtag(etag: string | undefined, md5: Buffer, encryption: string | undefined, what: string): boolean {
  const served = md5FromEtag(etag, encryption);
  if (served === undefined) return false;
  if (served !== md5.toString('hex')) {
    throw new FerryError(
      'Integrity',
      `S3 stored different bytes for ${what} than FileFerry sent (MD5 ${md5.toString('hex')}, ETag ${served}). Retry the transfer.`,
    );
  }
  return true;
}

export interface StoredParts {
  /** The consecutive full-size parts from part 1, with their ETags. */
  parts: CompletedPart[];
  /** Bytes those parts hold. */
  bytes: number;
}

/**
 * Asks S3 (ListParts) which parts of the upload are stored. Only consecutive full-size parts from 1 count: a
 * short or missing part is sent again. Undefined when the upload no longer exists.
 */
export async function storedParts(
  client: S3Client,
  token: S3ResumeToken,
  signal?: CancelSignal,
  what = `s3://${token.bucket}/${token.key}`,
): Promise<StoredParts | undefined> {
  const sizes = new Map<number, { etag: string; size: number }>();
  let marker: string | undefined;
  try {
    do {
      const page = await client.send(
        new ListPartsCommand({
          Bucket: token.bucket,
          Key: token.key,
          UploadId: token.uploadId,
          ...(marker ? { PartNumberMarker: marker } : {}),
        }),
        { abortSignal: signal as AbortSignal | undefined },
      );
      for (const part of page.Parts ?? []) {
        if (part.PartNumber !== undefined && part.ETag)
          sizes.set(part.PartNumber, { etag: part.ETag, size: part.Size ?? 0 });
      }
      marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
    } while (marker);
  } catch (error) {
    if (s3ErrorCode(error) === 'NoSuchUpload' || s3ErrorCode(error) === 'NotFound') return undefined;
    if (cannotListParts(error)) return undefined;
    throw s3Error(error, what);
  }
  const parts: CompletedPart[] = [];
  for (let n = 1; sizes.get(n)?.size === token.partSize; n++) parts.push({ PartNumber: n, ETag: sizes.get(n)!.etag });
  return { parts, bytes: parts.length * token.partSize };
}

/**
 * Aborts a multipart upload so its parts stop being billed. A part still on its way when the abort arrives can
 * land after it; AWS therefore advises listing the parts once more and aborting again if any are there.
 */
export async function abortUpload(client: S3Client, token: S3ResumeToken, log: Logger): Promise<void> {
  if (!(await abortOnce(client, token, log))) return;
  let left: number;
  try {
    const listed = await client.send(
      new ListPartsCommand({ Bucket: token.bucket, Key: token.key, UploadId: token.uploadId }),
    );
    left = listed.Parts?.length ?? 0;
  } catch (error) {
    // NoSuchUpload: the abort is complete. Anything else (a server without ListParts) leaves the first abort's word.
    if (s3ErrorCode(error) !== 'NoSuchUpload' && !cannotListParts(error))
      log.info('Could not check that an aborted S3 upload left no parts', { what: token.key, error });
    return;
  }
  if (left > 0) {
    log.info('Parts of an aborted S3 upload landed after the abort; aborting again', {
      bucket: token.bucket,
      key: token.key,
      parts: left,
    });
    await abortOnce(client, token, log);
  }
}

/** One AbortMultipartUpload; false when the upload was already gone. */
async function abortOnce(client: S3Client, token: S3ResumeToken, log: Logger): Promise<boolean> {
  try {
    await client.send(
      new AbortMultipartUploadCommand({ Bucket: token.bucket, Key: token.key, UploadId: token.uploadId }),
    );
    return true;
  } catch (error) {
    if (s3ErrorCode(error) === 'NoSuchUpload') return false;
    // The parts then stay billed until a lifecycle rule removes them; say so in the log.
    log.warn('Could not abort an unfinished S3 multipart upload', {
      bucket: token.bucket,
      key: token.key,
      uploadId: token.uploadId,
      error,
    });
    throw s3Error(error, `s3://${token.bucket}/${token.key}`);
  }
}

export async function uploadObject(
  client: S3Client,
  target: UploadTarget,
  source: AsyncIterable<Uint8Array>,
  options: UploadOptions,
): Promise<WriteResult> {
  const { signal } = options;
  let token = parseResumeToken(options.resumeToken, target);
  let stored: StoredParts | undefined;
  if (token) {
    stored = await storedParts(client, token, signal, target.what);
    if (!stored) {
      // The upload is gone (aborted, expired, completed), or the server cannot list its parts: start afresh, and
      // abort it in case it still exists, so its parts are not left behind.
      options.log.info('S3 multipart upload cannot be continued; starting afresh', { what: target.what });
      await abortUpload(client, token, options.log).catch(() => {});
      token = undefined;
    }
  }
  const startOffset = stored?.bytes ?? 0;
  if (options.offset !== undefined && options.offset !== startOffset) {
    throw new FerryError(
      'InvalidInput',
      `The source starts at byte ${options.offset}, but S3 holds ${startOffset} bytes of the unfinished upload to ${target.what}. Ask resumeOffset() again and restart the source there.`,
    );
  }
  const reader = new PartReader(
    source,
    token?.partSize ?? choosePartSize(options.partSizeMiB, options.size),
    options.concurrency + 1,
    options.size === undefined ? undefined : options.size - startOffset,
  );

  try {
    if (!token) {
      throwIfAborted(signal);
      const first = (await reader.nextPart()) ?? Buffer.alloc(0);
      if (await reader.atEnd()) return await putSingle(client, target, first, options);
      token = await createUpload(client, target, reader.partSize, options);
      return await uploadParts(client, target, token, reader, { parts: [], bytes: 0 }, first, options);
    }
    return await uploadParts(client, target, token, reader, stored!, undefined, options);
  } finally {
    await reader.close().catch(() => {});
  }
}

async function putSingle(
  client: S3Client,
  target: UploadTarget,
  body: Buffer,
  options: UploadOptions,
): Promise<WriteResult> {
  const md5 = md5Of(body);
  try {
    const result = await client.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: target.key,
        Body: body,
        ContentLength: body.length,
        ContentMD5: md5.toString('base64'),
        ...(options.storageClass ? { StorageClass: options.storageClass } : {}),
        // No md5chksum: a single part's ETag is its MD5, which everyone reads.
        ...withMetadata(uploadMetadata(options)),
      }),
      { abortSignal: options.signal as AbortSignal | undefined },
    );
    const verified = verifyEtag(result.ETag, md5, result.ServerSideEncryption, target.what);
    return { size: body.length, ...(verified ? { hashes: { md5: md5.toString('hex') } } : {}) };
  } catch (error) {
    throw s3Error(error, target.what);
  }
}

function withMetadata(metadata: Record<string, string> | undefined): { Metadata?: Record<string, string> } {
  return metadata ? { Metadata: metadata } : {};
}

async function createUpload(
  client: S3Client,
  target: UploadTarget,
  partSize: number,
  options: UploadOptions,
): Promise<S3ResumeToken> {
  try {
    const created = await client.send(
      new CreateMultipartUploadCommand({
        Bucket: target.bucket,
        Key: target.key,
        ...(options.storageClass ? { StorageClass: options.storageClass } : {}),
        ...withMetadata(uploadMetadata(options, givenMd5(options))),
      }),
      { abortSignal: options.signal as AbortSignal | undefined },
    );
    if (!created.UploadId)
      throw new FerryError('Protocol', `S3 started an upload to ${target.what} without an upload id.`);
    const token: S3ResumeToken = {
      kind: 's3-multipart',
      bucket: target.bucket,
      key: target.key,
      uploadId: created.UploadId,
      partSize,
    };
    // Reported at once, so an upload interrupted even by a crash can be found and continued (or aborted).
    options.onResumeToken?.({ ...token });
    return token;
  } catch (error) {
    throw s3Error(error, target.what);
  }
}

async function uploadParts(
  client: S3Client,
  target: UploadTarget,
  token: S3ResumeToken,
  reader: PartReader,
  stored: StoredParts,
  firstPart: Buffer | undefined,
  options: UploadOptions,
): Promise<WriteResult> {
  const completed = new Map<number, string>(stored.parts.map((p) => [p.PartNumber!, p.ETag!]));
  let partNumber = stored.parts.length;
  let sent = 0;
  // Cancels parts in flight when the caller cancels or one part fails.
  const inFlightAbort = new AbortController();
  const detach = onAbort(options.signal, () => inFlightAbort.abort());
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  // The whole file's MD5, where every byte passes through this call (not a resumed upload, which did not see the
  // first parts). Parts are read in order, so it is updated as each is read; each part's ETag confirms its bytes.
  const whole = stored.bytes === 0 ? createHash('md5') : undefined;
  let discarded = false;

  const sendPart = async (number: number, body: Buffer): Promise<void> => {
    const md5 = md5Of(body);
    const result = await client.send(
      new UploadPartCommand({
        Bucket: token.bucket,
        Key: token.key,
        UploadId: token.uploadId,
        PartNumber: number,
        Body: body,
        ContentLength: body.length,
        ContentMD5: md5.toString('base64'),
      }),
      { abortSignal: inFlightAbort.signal },
    );
    if (!result.ETag) throw new FerryError('Protocol', `S3 accepted part ${number} of ${target.what} without an ETag.`);
    verifyEtag(result.ETag, md5, result.ServerSideEncryption, `part ${number} of ${target.what}`);
    completed.set(number, result.ETag);
    reader.recycle(body);
  };

  try {
    let next = firstPart;
    for (;;) {
      if (failure) break;
      throwIfAborted(options.signal);
      const body = next ?? (await reader.nextPart());
      next = undefined;
      if (!body) break;
      if (++partNumber > MAX_PARTS) {
        throw new FerryError(
          'InvalidInput',
          `${target.what} needs more than ${MAX_PARTS} parts of ${reader.partSize / MiB} MiB. Raise the connection's part size.`,
        );
      }
      sent += body.length;
      whole?.update(body);
      const task = sendPart(partNumber, body).catch((error: unknown) => {
        failure ??= error;
        inFlightAbort.abort();
      });
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
      while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (failure) throw failure;
    throwIfAborted(options.signal);

    const parts = [...completed.entries()]
      .sort(([a], [b]) => a - b)
      .map(([PartNumber, ETag]) => ({ PartNumber, ETag }));
    if (parts.length === 0) {
      // A resumed upload whose source turned out empty: nothing to assemble; store an empty object instead.
      await abortUpload(client, token, options.log);
      options.onResumeToken?.(undefined);
      return putSingle(client, target, Buffer.alloc(0), options);
    }
    const size = stored.bytes + sent;
    const computed = whole?.digest('hex');
    const given = givenMd5(options);
    if (computed && given && computed !== given && size > MAX_METADATA_REWRITE) {
      // The md5chksum stored at the start would not describe these bytes, and it cannot be corrected afterwards:
      // nothing is kept (a resume would store the same wrong md5chksum).
      await abortUpload(client, token, options.log).catch(() => {});
      options.onResumeToken?.(undefined);
      discarded = true;
      throw new FerryError(
        'Integrity',
        `The bytes sent to ${target.what} have MD5 ${computed}, not ${given} as the source said: it changed while being read, or the bytes were damaged on the way. Retry the transfer.`,
        { details: { algorithm: 'md5', source: given, read: computed } },
      );
    }
    const done = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: token.bucket,
        Key: token.key,
        UploadId: token.uploadId,
        MultipartUpload: { Parts: parts },
      }),
      { abortSignal: options.signal as AbortSignal | undefined },
    );
    options.onResumeToken?.(undefined);
    if (computed && computed !== given && size <= MAX_METADATA_REWRITE)
      await addMd5(client, target, computed, done, options);
    // The MD5 of the bytes sent, where this call saw them all (never the caller's word, nor the ETag, no MD5).
    return { size, ...(computed ? { hashes: { md5: computed } } : {}) };
  } catch (error) {
    // Parts already on their way are left to settle (they are bounded by `concurrency`), so what S3 holds is
    // known before deciding whether to keep the upload.
    await Promise.allSettled(inFlight);
    const mapped = isFerryError(error) ? error : s3Error(error, target.what);
    if (discarded) {
      // Aborted already.
    } else if (options.onResumeToken) {
      // The caller persists the token and owns the upload now: it resumes it later or calls discardResume().
      options.log.info('S3 multipart upload kept for resume', {
        what: target.what,
        uploadId: token.uploadId,
        code: mapped.code,
      });
    } else {
      await abortUpload(client, token, options.log).catch(() => {});
    }
    throw mapped;
  } finally {
    detach();
  }
}

/**
 * Adds the whole file's MD5 to a completed multipart object by copying it onto itself: metadata cannot be given at
 * CompleteMultipartUpload, and the MD5 is known only once every byte has passed.
 *
 * Why pay for it: without md5chksum a multipart object's only hash is its ETag ("…-N"), no MD5, so `rclone check`
 * says "hashes could not be checked" and FileFerry cannot verify a later copy of it by hash. The cost is one
 * CopyObject request (priced as a PUT) and the time S3 takes to copy the bytes inside the service, against uploads
 * that already took one request per part, with no byte downloaded. Only up to 5 GiB (CopyObject's limit): above
 * it a multipart copy of the whole object onto itself would cost a request per part and minutes of server-side
 * copying for a checksum, so such objects go without one unless the caller gave the MD5 up front (WriteOptions.md5,
 * then set at CreateMultipartUpload). On a versioned bucket the copy makes a second version of identical bytes,
 * removed here so that storage is not billed twice. The upload has succeeded either way: a failed rewrite is logged
 * and the object keeps its bytes, only without md5chksum.
 */
async function addMd5(
  client: S3Client,
  target: UploadTarget,
  md5: string,
  completed: { ETag?: string; VersionId?: string },
  options: UploadOptions,
): Promise<void> {
  if (!completed.ETag) return;
  try {
    const version = await rewriteMetadata(client, target, {
      // The upload set no content headers, so none need restating; the time and class must be, or they are lost.
      metadata: uploadMetadata(options, md5) ?? {},
      ...(options.storageClass ? { storageClass: options.storageClass } : {}),
      etag: completed.ETag,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (completed.VersionId && version && version !== completed.VersionId) {
      await client
        .send(new DeleteObjectCommand({ Bucket: target.bucket, Key: target.key, VersionId: completed.VersionId }))
        .catch((error: unknown) =>
          options.log.info('Could not remove the version an MD5 rewrite superseded', { what: target.what, error }),
        );
    }
  } catch (error) {
    options.log.warn('Could not add the MD5 to a multipart S3 object; it stays without md5chksum', {
      what: target.what,
      error,
    });
  }
}
