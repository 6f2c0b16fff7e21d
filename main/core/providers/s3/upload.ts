// Streams an upload into S3: one PutObject when the bytes fit in one part, otherwise a multipart upload
// with up to `concurrency` parts in flight, which can continue after an interruption.
//
// Why not @aws-sdk/lib-storage's Upload: it cannot continue an existing multipart upload (it always starts a
// new one) and does not reveal the upload id until it finishes, so an interrupted 50 GiB upload would restart
// from zero. Keeping one upload path for every size means the resumable path is the one every test exercises.
//
// Memory: at most `concurrency` parts in flight plus the one being filled, i.e. partSize × (concurrency + 1);
// the source is pulled only when a part slot is free, so a slow network slows the reader (backpressure).
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
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
import { md5FromEtag } from './entries';
import { s3Error, s3ErrorCode } from './errors';
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
    throw s3Error(error, what);
  }
  const parts: CompletedPart[] = [];
  for (let n = 1; sizes.get(n)?.size === token.partSize; n++) parts.push({ PartNumber: n, ETag: sizes.get(n)!.etag });
  return { parts, bytes: parts.length * token.partSize };
}

export async function abortUpload(client: S3Client, token: S3ResumeToken, log: Logger): Promise<void> {
  try {
    await client.send(
      new AbortMultipartUploadCommand({ Bucket: token.bucket, Key: token.key, UploadId: token.uploadId }),
    );
  } catch (error) {
    if (s3ErrorCode(error) === 'NoSuchUpload') return;
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
    if (!stored) token = undefined; // the upload is gone (aborted, expired, completed): start afresh
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
      }),
      { abortSignal: options.signal as AbortSignal | undefined },
    );
    const verified = verifyEtag(result.ETag, md5, result.ServerSideEncryption, target.what);
    return { size: body.length, ...(verified ? { hashes: { md5: md5.toString('hex') } } : {}) };
  } catch (error) {
    throw s3Error(error, target.what);
  }
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
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: token.bucket,
        Key: token.key,
        UploadId: token.uploadId,
        MultipartUpload: { Parts: parts },
      }),
      { abortSignal: options.signal as AbortSignal | undefined },
    );
    options.onResumeToken?.(undefined);
    // A multipart ETag is not an MD5 of the object, so no whole-object hash is reported.
    return { size: stored.bytes + sent };
  } catch (error) {
    // Parts already on their way are left to settle (they are bounded by `concurrency`), so what S3 holds is
    // known before deciding whether to keep the upload.
    await Promise.allSettled(inFlight);
    const mapped = isFerryError(error) ? error : s3Error(error, target.what);
    if (options.onResumeToken) {
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
