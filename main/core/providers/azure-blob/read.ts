// Ranged, streamed downloads. The SDK re-issues the ranged GET from where a broken stream stopped
// (maxRetryRequests), so a dropped connection mid-file costs only the missing bytes. A read longer than
// parallelReadSettings.cutoff is read as several ranged downloads at once (util/parallel-ranged-read.ts).
import type { BlobServiceClient } from '@azure/storage-blob';
import { FerryError } from '../../../../shared/errors';
import type { CancelSignal, ReadOptions } from '../../../../shared/provider';
import { azureError, azureErrorCode, azureStatus, type AzureErrorContext } from './errors';
import type { BlobLocation } from './paths';
import { unavailableReason } from './tiers';
import { releaseOnReturn } from '../../util/release-on-return';
import {
  destroyedOnAbort,
  parallelRangedRead,
  parallelReadSettings,
  type RangeOpener,
} from '../../util/parallel-ranged-read';

export async function readBlob(
  service: BlobServiceClient,
  loc: BlobLocation,
  options: ReadOptions,
  errorContext: (what: string, operation: AzureErrorContext['operation']) => AzureErrorContext,
): Promise<AsyncIterable<Uint8Array>> {
  if (loc.container === undefined || loc.key === '')
    throw new FerryError('InvalidInput', `${loc.path} is a folder, not a file.`);
  const blob = service.getContainerClient(loc.container).getBlobClient(loc.key);
  const offset = options.offset ?? 0;
  const abortSignal = options.signal as AbortSignal | undefined;
  if (options.length === 0) {
    // The SDK treats a count of 0 as "to the end"; check existence and return nothing.
    await blob.getProperties({ abortSignal }).catch((error: unknown) => {
      throw azureError(error, errorContext(loc.path, 'read'));
    });
    return empty();
  }
  let response;
  try {
    response = await blob.download(offset, options.length, { abortSignal, maxRetryRequests: 5 });
  } catch (error) {
    if (azureStatus(error) === 416) {
      // A range starting at the end of the blob: nothing to read (Azure answers 416 InvalidRange).
      const props = await blob.getProperties({ abortSignal }).catch(() => undefined);
      if (props && offset >= (props.contentLength ?? 0)) return empty();
    }
    if (azureErrorCode(error) === 'BlobArchived') throw await archivedError(blob, loc, error);
    throw azureError(error, errorContext(loc.path, 'read'));
  }
  const body = response.readableStreamBody;
  if (!body) return empty();
  const what = () => errorContext(loc.path, 'read');
  const destroy = () => void (body as { destroy?: () => void }).destroy?.();
  const parallel = parallelReadSettings;
  if (response.contentLength !== undefined && response.contentLength > parallel.cutoff) {
    // A large read goes on as several ranged downloads at once, this response serving the first part.
    const open = rangeOpener(blob, offset, body, response.etag, what);
    const bytes = parallelRangedRead(open, {
      offset,
      end: offset + response.contentLength,
      partSize: parallel.partSize,
      streams: parallel.streams,
      signal: options.signal,
      what: loc.path,
      reuseChunks: options.reuseChunks,
    });
    return releaseOnReturn(bytes, destroy);
  }
  // Given up before the first byte (its target refused the file), the response still holds a socket.
  return releaseOnReturn(mapped(body, what, options.signal), destroy);
}

type BlobClient = ReturnType<ReturnType<BlobServiceClient['getContainerClient']>['getBlobClient']>;

/**
 * The body's chunks, failures mapped. The SDK's retrying stream reports a connection lost mid-body as an
 * AbortError, which would read as a cancel: unless `signal` (the caller's) fired, it is a network failure.
 */
async function* mapped(
  body: NodeJS.ReadableStream,
  what: () => AzureErrorContext,
  signal: CancelSignal | undefined,
): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of body) yield chunk as Uint8Array;
  } catch (error) {
    const mappedError = azureError(error, what());
    if (mappedError.code === 'Cancelled' && !signal?.aborted)
      throw new FerryError(
        'Network',
        `The connection to Azure was lost while reading ${what().what}. Retry to continue.`,
        { cause: error },
      );
    throw mappedError;
  }
}

/**
 * Opens the parts of a parallel read: the part at `offset` from the response already open (its rest is
 * closed once the part is read), every other one with a ranged download of its own, conditioned on the
 * first response's ETag so that a blob replaced meanwhile is never stitched from two versions.
 */
function rangeOpener(
  blob: BlobClient,
  offset: number,
  opened: NodeJS.ReadableStream,
  etag: string | undefined,
  what: () => AzureErrorContext,
): RangeOpener {
  let first: NodeJS.ReadableStream | undefined = opened;
  return async (from, length, signal) => {
    if (from === offset && first) {
      const body = first;
      first = undefined;
      return destroyedOnAbort(mapped(body, what, signal), body, signal);
    }
    let response;
    try {
      response = await blob.download(from, length, {
        abortSignal: signal,
        maxRetryRequests: 5,
        ...(etag ? { conditions: { ifMatch: etag } } : {}),
      });
    } catch (error) {
      if (azureStatus(error) === 412)
        throw new FerryError('Integrity', `${what().what} changed on Azure during the download. Copy it again.`, {
          cause: error,
        });
      throw azureError(error, what());
    }
    const body = response.readableStreamBody;
    if (!body) throw new FerryError('Protocol', `Azure sent no bytes for a part of ${what().what}. Retry to continue.`);
    return destroyedOnAbort(mapped(body, what, signal), body, signal);
  };
}

/** A clear message for an archived blob, naming its rehydration state when one is under way. */
async function archivedError(blob: BlobClient, loc: BlobLocation, cause: unknown): Promise<FerryError> {
  const props = await blob.getProperties().catch(() => undefined);
  const reason = unavailableReason(props?.accessTier ?? 'Archive', props?.archiveStatus) ?? 'Archived.';
  return new FerryError('Unsupported', `${loc.path} cannot be read now. ${reason}`, {
    cause,
    details: { archived: true },
  });
}

async function* empty(): AsyncGenerator<Uint8Array> {}
