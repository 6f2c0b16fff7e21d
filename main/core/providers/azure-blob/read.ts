// Ranged, streamed downloads. The SDK re-issues the ranged GET from where a broken stream stopped
// (maxRetryRequests), so a dropped connection mid-file costs only the missing bytes.
import type { BlobServiceClient } from '@azure/storage-blob';
import { FerryError } from '../../../../shared/errors';
import type { ReadOptions } from '../../../../shared/provider';
import { azureError, azureErrorCode, azureStatus, type AzureErrorContext } from './errors';
import type { BlobLocation } from './paths';
import { unavailableReason } from './tiers';
import { releaseOnReturn } from '../../util/release-on-return';

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
  const bytes = (async function* () {
    try {
      for await (const chunk of body) yield chunk as Uint8Array;
    } catch (error) {
      throw azureError(error, errorContext(loc.path, 'read'));
    }
  })();
  // Given up before the first byte (its target refused the file), the response still holds a socket.
  return releaseOnReturn(bytes, () => void (body as { destroy?: () => void }).destroy?.());
}

/** A clear message for an archived blob, naming its rehydration state when one is under way. */
async function archivedError(
  blob: ReturnType<ReturnType<BlobServiceClient['getContainerClient']>['getBlobClient']>,
  loc: BlobLocation,
  cause: unknown,
): Promise<FerryError> {
  const props = await blob.getProperties().catch(() => undefined);
  const reason = unavailableReason(props?.accessTier ?? 'Archive', props?.archiveStatus) ?? 'Archived.';
  return new FerryError('Unsupported', `${loc.path} cannot be read now. ${reason}`, {
    cause,
    details: { archived: true },
  });
}

async function* empty(): AsyncGenerator<Uint8Array> {}
