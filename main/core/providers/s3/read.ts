// Ranged downloads: GetObject with a Range header, streamed as it arrives. A server that ignores Range
// (answers 200 with the whole object) is handled by skipping and trimming, so the caller always gets
// exactly the bytes it asked for. A read longer than parallelReadSettings.cutoff is read as several ranged
// GETs at once (util/parallel-ranged-read.ts), reassembled in order.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { FerryError } from '../../../../shared/errors';
import type { ReadOptions } from '../../../../shared/provider';
import { ARCHIVE_CLASSES, archivedMessage, restoreStateFromHeader, restoringMessage } from './entries';
import { s3Error, s3ErrorCode } from './errors';
import { headObject, type ObjectRef } from './head';
import { releaseOnReturn } from '../../util/release-on-return';
import {
  destroyedOnAbort,
  parallelRangedRead,
  parallelReadSettings,
  type RangeOpener,
} from '../../util/parallel-ranged-read';

async function* nothing(): AsyncGenerator<Uint8Array> {}

/**
 * Skips `skip` bytes and stops after `limit` bytes (Infinity: no limit); ending early releases the socket.
 * A body that ends before its Content-Length, or fails midway, becomes a FerryError (Network, usually).
 */
async function* trimmed(
  body: AsyncIterable<Uint8Array>,
  skip: number,
  limit: number,
  bodyLength: number | undefined,
  what: string,
): AsyncGenerator<Uint8Array> {
  let toSkip = skip;
  let left = limit;
  let received = 0;
  try {
    for await (const raw of body) {
      received += raw.length;
      let chunk = raw;
      if (toSkip > 0) {
        if (chunk.length <= toSkip) {
          toSkip -= chunk.length;
          continue;
        }
        chunk = chunk.subarray(toSkip);
        toSkip = 0;
      }
      if (chunk.length >= left) {
        if (left > 0) yield chunk.subarray(0, left);
        return; // leaving the for-await destroys the response stream
      }
      left -= chunk.length;
      yield chunk;
    }
  } catch (error) {
    throw s3Error(error, what);
  }
  if (bodyLength !== undefined && received < bodyLength) {
    throw new FerryError(
      'Network',
      `The download of ${what} ended after ${received} of ${bodyLength} bytes. Retry to continue.`,
    );
  }
}

export async function readObject(
  client: S3Client,
  ref: ObjectRef,
  options: ReadOptions = {},
): Promise<AsyncIterable<Uint8Array>> {
  const offset = options.offset ?? 0;
  const length = options.length;
  if (offset < 0 || (length !== undefined && length < 0))
    throw new FerryError('InvalidInput', `A read of ${ref.what} needs a non-negative offset and length.`);
  if (length === 0) {
    await headObject(client, ref, options.signal); // still NotFound for a missing object
    return nothing();
  }
  const range =
    offset === 0 && length === undefined
      ? undefined
      : `bytes=${offset}-${length === undefined ? '' : offset + length - 1}`;
  try {
    const response = await client.send(
      new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, ...(range ? { Range: range } : {}) }),
      { abortSignal: options.signal as AbortSignal | undefined },
    );
    const body = response.Body as AsyncIterable<Uint8Array> | undefined;
    if (!body) return nothing();
    const honouredRange = range !== undefined && response.ContentRange !== undefined;
    const parallel = parallelReadSettings;
    // A large read goes on as several ranged GETs at once, this response serving the first part; only where
    // ranges work (a server that ignored ours, or does not advertise them, is read in one stream as before).
    const rangesWork = range === undefined ? response.AcceptRanges === 'bytes' : honouredRange;
    if (rangesWork && response.ContentLength !== undefined && response.ContentLength > parallel.cutoff) {
      const first = body;
      const bytes = parallelRangedRead(rangeOpener(client, ref, offset, first, response.ETag), {
        offset,
        end: offset + response.ContentLength,
        partSize: parallel.partSize,
        streams: parallel.streams,
        signal: options.signal,
        what: ref.what,
        reuseChunks: options.reuseChunks,
      });
      return releaseOnReturn(bytes, () => void (first as { destroy?: () => void }).destroy?.());
    }
    const bytes = trimmed(
      body,
      range && !honouredRange ? offset : 0,
      length ?? Infinity,
      response.ContentLength,
      ref.what,
    );
    // Given up before the first byte (its target refused the file), the response still holds a socket.
    return releaseOnReturn(bytes, () => void (body as { destroy?: () => void }).destroy?.());
  } catch (error) {
    const code = s3ErrorCode(error);
    if (code === 'InvalidRange') {
      // Reading from exactly the end is an empty read, not an error (a resumed download that was complete).
      const size = (await headObject(client, ref, options.signal)).ContentLength ?? 0;
      if (offset === size) return nothing();
      throw new FerryError('InvalidInput', `Byte ${offset} is beyond the end of ${ref.what} (${size} bytes).`, {
        cause: error,
      });
    }
    if (code === 'InvalidObjectState') throw await archivedReadError(client, ref, error, options.signal);
    throw s3Error(error, ref.what);
  }
}

/**
 * Opens the parts of a parallel read: the part at `offset` from the response already open (its rest is
 * closed once the part is read), every other one with a ranged GET of its own, conditioned on the first
 * response's ETag so that an object replaced meanwhile is never stitched from two versions.
 */
function rangeOpener(
  client: S3Client,
  ref: ObjectRef,
  offset: number,
  opened: AsyncIterable<Uint8Array>,
  etag: string | undefined,
): RangeOpener {
  let first: AsyncIterable<Uint8Array> | undefined = opened;
  return async (from, length, signal) => {
    if (from === offset && first) {
      const body = first;
      first = undefined;
      return destroyedOnAbort(trimmed(body, 0, Infinity, undefined, ref.what), body, signal);
    }
    let response;
    try {
      response = await client.send(
        new GetObjectCommand({
          Bucket: ref.bucket,
          Key: ref.key,
          Range: `bytes=${from}-${from + length - 1}`,
          ...(etag ? { IfMatch: etag } : {}),
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      if (s3ErrorCode(error) === 'PreconditionFailed')
        throw new FerryError('Integrity', `${ref.what} changed on S3 during the download. Copy it again.`, {
          cause: error,
        });
      throw s3Error(error, ref.what);
    }
    const body = response.Body as AsyncIterable<Uint8Array> | undefined;
    if (!body) throw new FerryError('Protocol', `S3 sent no bytes for a part of ${ref.what}. Retry to continue.`);
    // The reader stops at the part's end itself; a part read to its end gives its socket back to the pool.
    const skip = response.ContentRange === undefined ? from : 0; // a server that ignored this Range after all
    return destroyedOnAbort(trimmed(body, skip, Infinity, response.ContentLength, ref.what), body, signal);
  };
}

/**
 * GetObject refuses an archived object both before a restore is asked for and while one runs; the error
 * does not say which, HEAD's x-amz-restore does. Without an answer, the message asks for a restore.
 */
async function archivedReadError(
  client: S3Client,
  ref: ObjectRef,
  cause: unknown,
  signal: ReadOptions['signal'],
): Promise<FerryError> {
  const head = await headObject(client, ref, signal).catch(() => undefined);
  const storageClass = head?.StorageClass ?? (cause as { StorageClass?: string }).StorageClass;
  const named =
    head?.ArchiveStatus ??
    (storageClass && ARCHIVE_CLASSES.has(storageClass) ? storageClass : 'GLACIER or DEEP_ARCHIVE');
  const restoring = restoreStateFromHeader(head?.Restore) === 'in-progress';
  return new FerryError(
    'Unsupported',
    `Cannot download ${ref.what}. ${restoring ? restoringMessage(named) : archivedMessage(named)}`,
    { cause, details: { archived: true, ...(restoring ? { restoring: true } : {}) } },
  );
}
