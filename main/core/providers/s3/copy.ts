// Server-side copies inside S3: CopyObject up to 5 GiB (its limit), a multipart copy of UploadPartCopy ranges
// above it. The bytes never pass through FileFerry. Also how a storage class changes: a copy onto itself.
// A copy keeps the file's own modification time in rclone's mtime metadata: the caller's, or the source's (its
// mtime metadata, else when S3 stored it), so a copy or a rename does not turn into a file made just now.
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCopyCommand,
  type HeadObjectCommandOutput,
  type S3Client,
  type StorageClass,
} from '@aws-sdk/client-s3';
import { FerryError } from '../../../../shared/errors';
import type { CancelSignal } from '../../../../shared/provider';
import type { Logger } from '../../log/logger';
import { ARCHIVE_CLASSES, archivedReason, formatMtime, MTIME_KEY, parseMtime, restoreStateFromHeader } from './entries';
import { s3Error } from './errors';
import { headObject, type ObjectRef } from './head';
import { copySource } from './location';
import { abortUpload, MAX_PARTS, MiB, type S3ResumeToken } from './upload';

/** S3's limits for copies. Mutable only so tests can exercise the multipart path with small objects. */
export const copyLimits = {
  /** Largest object CopyObject accepts in one request. */
  singleRequestMaxBytes: 5 * 1024 * MiB,
  /** Range copied per UploadPartCopy request. */
  partBytes: 512 * MiB,
  /** UploadPartCopy requests in flight at once. */
  concurrency: 4,
};

export interface CopyOptions {
  /** The target's storage class; default: the source's. */
  storageClass?: StorageClass;
  signal?: CancelSignal;
  /** Bytes copied so far: after CopyObject, or after each UploadPartCopy of a multipart copy. */
  onProgress?: (bytesDone: number) => void;
  /** The copy's modification time (kept as mtime metadata); with keepModified and none given, the source's. */
  modified?: number;
  keepModified?: boolean;
  log: Logger;
}

/** The headers a copy that replaces the metadata must restate, or they are lost. */
function restatedHeaders(source: HeadObjectCommandOutput) {
  return {
    ...(source.ContentType ? { ContentType: source.ContentType } : {}),
    ...(source.CacheControl ? { CacheControl: source.CacheControl } : {}),
    ...(source.ContentDisposition ? { ContentDisposition: source.ContentDisposition } : {}),
    ...(source.ContentEncoding ? { ContentEncoding: source.ContentEncoding } : {}),
    ...(source.ContentLanguage ? { ContentLanguage: source.ContentLanguage } : {}),
    ...(source.Expires ? { Expires: source.Expires } : {}),
    ...(source.WebsiteRedirectLocation ? { WebsiteRedirectLocation: source.WebsiteRedirectLocation } : {}),
  };
}

/** The copy's user metadata: the source's, with the modification time asked for. */
function copyMetadata(source: HeadObjectCommandOutput, options: CopyOptions): Record<string, string> | undefined {
  const stored = parseMtime(source.Metadata?.[MTIME_KEY]);
  const wanted = options.modified ?? (options.keepModified ? (stored ?? source.LastModified?.getTime()) : undefined);
  if (wanted === undefined || wanted === stored) return source.Metadata;
  return { ...source.Metadata, [MTIME_KEY]: formatMtime(wanted) };
}

export async function copyObject(
  client: S3Client,
  from: ObjectRef,
  to: ObjectRef,
  options: CopyOptions,
): Promise<void> {
  const source = await headObject(client, from, options.signal);
  const sourceClass = source.StorageClass ?? 'STANDARD';
  const unavailable = ARCHIVE_CLASSES.has(sourceClass)
    ? archivedReason(sourceClass, restoreStateFromHeader(source.Restore))
    : undefined;
  if (unavailable) throw new FerryError('Unsupported', `Cannot copy ${from.what}. ${unavailable}`);
  const storageClass = options.storageClass ?? (source.StorageClass as StorageClass | undefined);
  const size = source.ContentLength ?? 0;
  const metadata = copyMetadata(source, options);
  if (size <= copyLimits.singleRequestMaxBytes) {
    // COPY carries everything over; a new time needs REPLACE, which keeps only what the request restates.
    const replace = metadata !== source.Metadata;
    try {
      await client.send(
        new CopyObjectCommand({
          Bucket: to.bucket,
          Key: to.key,
          CopySource: copySource(from),
          MetadataDirective: replace ? 'REPLACE' : 'COPY',
          ...(replace ? { ...restatedHeaders(source), Metadata: metadata } : {}),
          ...(storageClass ? { StorageClass: storageClass } : {}),
        }),
        { abortSignal: options.signal as AbortSignal | undefined },
      );
      options.onProgress?.(size);
      return;
    } catch (error) {
      throw s3Error(error, `the copy of ${from.what} to ${to.what}`);
    }
  }
  await multipartCopy(client, from, to, { ...source, Metadata: metadata }, size, storageClass, options);
}

async function multipartCopy(
  client: S3Client,
  from: ObjectRef,
  to: ObjectRef,
  source: HeadObjectCommandOutput,
  size: number,
  storageClass: StorageClass | undefined,
  options: CopyOptions,
): Promise<void> {
  const what = `the copy of ${from.what} to ${to.what}`;
  const partBytes = Math.max(copyLimits.partBytes, Math.ceil(size / MAX_PARTS));
  let token: S3ResumeToken | undefined;
  try {
    // CopyObject carries the metadata over by itself; a multipart copy must restate it.
    const created = await client.send(
      new CreateMultipartUploadCommand({
        Bucket: to.bucket,
        Key: to.key,
        ...(storageClass ? { StorageClass: storageClass } : {}),
        ...restatedHeaders(source),
        ...(source.Metadata ? { Metadata: source.Metadata } : {}),
      }),
      { abortSignal: options.signal as AbortSignal | undefined },
    );
    token = { kind: 's3-multipart', bucket: to.bucket, key: to.key, uploadId: created.UploadId!, partSize: partBytes };
    const ranges: Array<{ number: number; first: number; last: number }> = [];
    for (let first = 0, number = 1; first < size; first += partBytes, number++) {
      ranges.push({ number, first, last: Math.min(size, first + partBytes) - 1 });
    }
    const etags = new Map<number, string>();
    let copied = 0;
    let nextIndex = 0;
    const worker = async () => {
      for (let range = ranges[nextIndex++]; range; range = ranges[nextIndex++]) {
        const result = await client.send(
          new UploadPartCopyCommand({
            Bucket: to.bucket,
            Key: to.key,
            UploadId: token!.uploadId,
            PartNumber: range.number,
            CopySource: copySource(from),
            CopySourceRange: `bytes=${range.first}-${range.last}`,
            ...(source.ETag ? { CopySourceIfMatch: source.ETag } : {}), // the source must not change mid-copy
          }),
          { abortSignal: options.signal as AbortSignal | undefined },
        );
        const etag = result.CopyPartResult?.ETag;
        if (!etag) throw new FerryError('Protocol', `S3 copied part ${range.number} of ${what} without an ETag.`);
        etags.set(range.number, etag);
        options.onProgress?.((copied += range.last - range.first + 1));
      }
    };
    await Promise.all(Array.from({ length: Math.min(copyLimits.concurrency, ranges.length) }, worker));
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: to.bucket,
        Key: to.key,
        UploadId: token.uploadId,
        MultipartUpload: { Parts: ranges.map((r) => ({ PartNumber: r.number, ETag: etags.get(r.number)! })) },
      }),
      { abortSignal: options.signal as AbortSignal | undefined },
    );
  } catch (error) {
    if (token) await abortUpload(client, token, options.log).catch(() => {});
    throw s3Error(error, what);
  }
}
