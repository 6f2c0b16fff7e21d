// Service-to-service copies into Azure: the service fetches the bytes from a URL itself (Put Block From URL
// per block range, in parallel, then Put Block List; Put Blob From URL for a blob that fits in one block), so
// an S3 → Azure copy never passes the bytes through this computer. Like an ordinary upload, the blob only
// changes at the final commit. When Azure cannot fetch the URL it answers CannotVerifyCopySource (with the
// source's status); that becomes a Network error naming the reason, and the engine falls back to streaming.
import type { BlockBlobClient } from '@azure/storage-blob';
import { FerryError } from '../../../../shared/errors';
import { redact } from '../../../../shared/redact';
import type { FromUrlWriteOptions, WriteResult } from '../../../../shared/provider';
import { azureError, azureErrorCode, azureStatus, firstLine, type AzureErrorContext } from './errors';
import { blockId, knownMd5, MAX_BLOCKS, newResumeToken } from './block-upload';
import { discardStagedBlocks } from './discard';
import { modTimeMetadata } from './mod-time';
import { forEachParallel } from './parallel';
import type { AzureTier } from './tiers';

/** Azure's limit for Put Blob From URL. */
const MAX_SINGLE_PUT = 5000 * 1024 * 1024;

export interface FromUrlOptions extends FromUrlWriteOptions {
  blockSize: number;
  concurrency: number;
  tier?: AzureTier;
}

export async function writeBlobFromUrl(
  blob: BlockBlobClient,
  url: string,
  options: FromUrlOptions,
  errorContext: AzureErrorContext,
): Promise<WriteResult> {
  const abortSignal = options.signal as AbortSignal | undefined;
  // The file's time and its MD5 where the caller knows it (an S3 source's ETag), as a streamed upload keeps them.
  const metadata = modTimeMetadata(options.modified);
  const md5 = knownMd5(options.md5);
  const kept = {
    ...(options.tier ? { tier: options.tier } : {}),
    ...(metadata ? { metadata } : {}),
    ...(md5 ? { blobHTTPHeaders: { blobContentMD5: md5 } } : {}),
  };
  // Set once blocks may be staged: a copy that stops leaves none behind (discard.ts says why).
  let staging: string | undefined;
  try {
    if (options.size === 0) {
      await blob.commitBlockList([], { abortSignal, ...kept });
      return { size: 0 };
    }
    if (options.size <= options.blockSize && options.size <= MAX_SINGLE_PUT) {
      await blob.syncUploadFromURL(url, { abortSignal, ...kept });
      options.onProgress?.(options.size);
      return { size: options.size };
    }
    let blockSize = options.blockSize;
    if (Math.ceil(options.size / blockSize) > MAX_BLOCKS) blockSize = Math.ceil(options.size / MAX_BLOCKS);
    const { tag } = newResumeToken(blockSize);
    staging = tag;
    const count = Math.ceil(options.size / blockSize);
    const indexes = Array.from({ length: count }, (_, i) => i);
    let staged = 0;
    await forEachParallel(indexes, options.concurrency, async (i) => {
      const offset = i * blockSize;
      const length = Math.min(blockSize, options.size - offset);
      await blob.stageBlockFromURL(blockId(tag, i), url, offset, length, { abortSignal });
      options.onProgress?.((staged += length));
    });
    await blob.commitBlockList(
      indexes.map((i) => blockId(tag, i)),
      { abortSignal, ...kept },
    );
    return { size: options.size };
  } catch (error) {
    if (staging) await discardStagedBlocks(blob, staging).catch(() => {});
    throw fromUrlError(error, url, errorContext);
  }
}

function fromUrlError(error: unknown, url: string, context: AzureErrorContext): FerryError {
  const code = azureErrorCode(error);
  const status = azureStatus(error);
  const source = redact(url.replace(/\?.*$/, ''));
  if (code === 'CannotVerifyCopySource') {
    const said = firstLine((error as Error).message);
    // Azure cannot reach this source (a private endpoint, a firewall, a policy): the same for its other files.
    // Only an object deleted meanwhile is this file's alone; taking that for the source's costs the rest of
    // the job the service-side path, never a byte.
    return new FerryError(
      'Network',
      `Azure could not fetch the source ${source} itself (HTTP ${status ?? '?'}: ${said}).`,
      {
        cause: error,
        details: { azureCode: code, status: status ?? 0, siteWide: true },
      },
    );
  }
  if (code === 'NotImplemented' || code === 'FeatureNotSupported' || status === 501) {
    return new FerryError('Unsupported', `This Azure endpoint cannot copy from a URL (${code ?? status}).`, {
      cause: error,
      details: { siteWide: true },
    });
  }
  return azureError(error, context);
}
