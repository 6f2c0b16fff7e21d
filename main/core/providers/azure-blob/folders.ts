// Operations on many blobs at once: virtual folders (marker blobs, recursive delete, move) and containers.
// Each works while listing (flat listing continues by name, so deleting what was listed is safe), keeping
// memory flat however large the folder.
import { setTimeout as delay } from 'node:timers/promises';
import type { BlobBeginCopyFromUrlPollState, BlobClient, ContainerClient } from '@azure/storage-blob';
import { FerryError } from '../../../../shared/errors';
import { azureErrorCode, isNotFound } from './errors';
import { forEachParallel } from './parallel';
import { folderMarker, folderPrefix, type BlobLocation } from './paths';
import type { AzureTier } from './tiers';

/** Parallel requests for many-blob operations. */
const TREE_CONCURRENCY = 8;

/** Creates the markers of the folders `keys` ("a", "a/b" → "a/", "a/b/"). Existing markers are kept as they are. */
export async function createFolderMarkers(
  container: ContainerClient,
  keys: readonly string[],
  abortSignal?: AbortSignal,
): Promise<void> {
  const markers = keys.map(folderMarker);
  await forEachParallel(markers, TREE_CONCURRENCY, async (marker) => {
    try {
      // hdi_isfolder is how ADLS Gen2 marks directories; tools that know it show the marker as a folder too.
      await container.getBlockBlobClient(marker).upload('', 0, {
        abortSignal,
        conditions: { ifNoneMatch: '*' },
        metadata: { hdi_isfolder: 'true' },
      });
    } catch (error) {
      if (azureErrorCode(error) !== 'BlobAlreadyExists' && (error as { statusCode?: number }).statusCode !== 409)
        throw error;
    }
  });
}

/** Removes a virtual folder: refuses a non-empty one unless recursive; NotFound when nothing is there. */
export async function removeFolder(
  container: ContainerClient,
  loc: BlobLocation,
  recursive: boolean,
  abortSignal?: AbortSignal,
): Promise<void> {
  const prefix = folderPrefix(loc.key);
  let found = false;
  const batch: string[] = [];
  for await (const item of container.listBlobsFlat({ prefix, abortSignal })) {
    found = true;
    if (item.name === prefix) continue; // the marker goes last
    if (!recursive) {
      throw new FerryError(
        'InvalidInput',
        `The folder ${loc.path} is not empty. Remove it recursively to delete its contents too.`,
      );
    }
    batch.push(item.name);
    if (batch.length >= 1000) await deleteBlobs(container, batch.splice(0), abortSignal);
  }
  if (!found) throw new FerryError('NotFound', `${loc.path} does not exist.`);
  await deleteBlobs(container, batch, abortSignal);
  await deleteBlobs(container, [prefix], abortSignal);
}

export async function removeContainer(
  container: ContainerClient,
  loc: BlobLocation,
  recursive: boolean,
  abortSignal?: AbortSignal,
): Promise<void> {
  if (!recursive) {
    for await (const page of container.listBlobsFlat({ abortSignal }).byPage({ maxPageSize: 1 })) {
      if (page.segment.blobItems.length > 0) {
        throw new FerryError(
          'InvalidInput',
          `The container ${loc.path} is not empty. Remove it recursively to delete its contents too.`,
        );
      }
      if (!page.continuationToken) break;
    }
  }
  await container.delete({ abortSignal });
}

/** Deletes blobs in parallel; one already gone is fine (a concurrent delete got there first). */
export async function deleteBlobs(
  container: ContainerClient,
  names: string[],
  abortSignal?: AbortSignal,
): Promise<void> {
  await forEachParallel(names, TREE_CONCURRENCY, async (name) => {
    try {
      await container.getBlobClient(name).delete({ abortSignal, deleteSnapshots: 'include' });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  });
}

/** Between polls of a pending copy (within an account Azure usually finishes at once; across accounts later). */
const COPY_POLL_MS = 500;

/**
 * Server-side Copy Blob, polled until the service reports it finished. A copy that ends failed or aborted
 * rejects with the service's reason; a cancelled one stops polling and asks the service to abort the copy.
 * Either way what the unfinished copy left under the target's name is removed (see removeUnfinishedCopy).
 *
 * The SDK's beginCopyFromURL starts the copy (its first poll), and the polling is a loop of our own: the
 * SDK's pollUntilDone polls for ever once a copy ends "aborted", and neither stops its polls nor aborts the
 * service's copy when the caller cancels.
 */
export async function copyBlob(
  source: BlobClient,
  target: BlobClient,
  abortSignal?: AbortSignal,
  tier?: AzureTier,
  onProgress?: (bytesDone: number) => void,
  metadata?: Record<string, string>,
): Promise<void> {
  // A SAS-authorised client's URL carries the SAS, which also authorises reading the source. Without
  // `metadata` the copy keeps the source's (its `mtime` among them).
  const poller = await target.beginCopyFromURL(source.url, {
    abortSignal,
    ...(tier ? { tier } : {}),
    ...(metadata ? { metadata } : {}),
  });
  // The SDK types the state as the generic one; what it returns is its copy state, which holds the copy id.
  const { copyId, isCompleted } = poller.getOperationState() as BlobBeginCopyFromUrlPollState;
  let status = isCompleted ? 'success' : 'pending';
  let reason: string | undefined;
  while (status === 'pending') {
    try {
      await delay(COPY_POLL_MS, undefined, { signal: abortSignal });
      const properties = await target.getProperties({ abortSignal });
      status = properties.copyStatus ?? 'success';
      reason = properties.copyStatusDescription;
      // x-ms-copy-progress: "bytes copied/total bytes".
      const copied = Number(/^(\d+)\//.exec(properties.copyProgress ?? '')?.[1]);
      if (status === 'pending' && Number.isFinite(copied)) onProgress?.(copied);
    } catch (error) {
      // Left alone, the service would go on writing the target after the person cancelled.
      if (abortSignal?.aborted && copyId) {
        await target.abortCopyFromURL(copyId).catch(() => {});
        await removeUnfinishedCopy(target, copyId);
      }
      throw error;
    }
  }
  if (status === 'failed' || status === 'aborted') {
    const why = reason ? `: ${reason.trim().replace(/\.$/, '')}` : '';
    const removed = copyId !== undefined && (await removeUnfinishedCopy(target, copyId));
    throw new FerryError(
      'Protocol',
      `Azure ${status === 'failed' ? 'could not finish' : 'stopped (aborted)'} copying ${source.name} to ${target.name}${why}. ` +
        (removed
          ? 'What it had begun under that name was removed; copy it again.'
          : 'The target holds no complete copy; copy it again.'),
      { details: { copyStatus: status, removed } },
    );
  }
}

/**
 * A Copy Blob that did not finish leaves a blob under the target's name that is neither the file nor what
 * was there before (after Abort Copy Blob, Azure documents one of zero length), and it must not pass for
 * the file. It is deleted only while it is still that copy's (same copy id, and by ETag, so a blob written
 * there meanwhile is kept), and without the job's signal, which is aborted when the person cancelled.
 * False when nothing was removed.
 */
async function removeUnfinishedCopy(target: BlobClient, copyId: string): Promise<boolean> {
  try {
    const properties = await target.getProperties();
    if (properties.copyId !== copyId || properties.copyStatus === 'success') return false;
    await target.delete({ conditions: { ifMatch: properties.etag } });
    return true;
  } catch {
    return false;
  }
}

/**
 * Moves a virtual folder blob by blob: each blob is copied, then deleted. An interrupted move leaves every
 * blob in one place or the other (never lost), and running the move again finishes it.
 */
export async function moveFolder(
  from: ContainerClient,
  source: BlobLocation,
  to: ContainerClient,
  target: BlobLocation,
  abortSignal?: AbortSignal,
): Promise<void> {
  if (
    from.containerName === to.containerName &&
    (target.key === source.key || target.key.startsWith(`${source.key}/`))
  ) {
    throw new FerryError('InvalidInput', `Cannot move the folder ${source.path} into itself.`);
  }
  const prefix = folderPrefix(source.key);
  let found = false;
  const names = (async function* () {
    for await (const item of from.listBlobsFlat({ prefix, abortSignal })) yield item.name;
  })();
  await forEachParallel(names, TREE_CONCURRENCY, async (name) => {
    found = true;
    const rest = name.slice(prefix.length);
    const targetName = rest === '' ? folderMarker(target.key) : `${target.key}/${rest}`;
    await copyBlob(from.getBlobClient(name), to.getBlobClient(targetName), abortSignal);
    await deleteBlobs(from, [name], abortSignal);
  });
  if (!found) throw new FerryError('NotFound', `${source.path} does not exist.`);
}
