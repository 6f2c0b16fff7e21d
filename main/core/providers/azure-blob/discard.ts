// Clearing the staged blocks of an upload FileFerry has given up on (cancelled, or failed with no resume ahead).
// Azure has no call that drops uncommitted blocks: they go at the blob's next commit, or after a week. Until
// then they are billed, and because all block ids of one blob must have the same length, another tool's
// upload to that name (rclone, AzCopy: other id lengths) fails every Put Block with 400. So the blob is
// committed as it stands, which discards them and changes nothing anyone can read:
// - no blob under the name: a commit of no blocks, only if no blob exists (If-None-Match: *), then a delete of
//   that zero-byte blob conditioned on its ETag, so a blob another writer committed meanwhile is kept. (A
//   zero-byte Put Blob with If-None-Match: * does the same on Azure, but Azurite refuses it with
//   BlobAlreadyExists while blocks are staged; an empty Put Block List behaves alike on both.)
// - a blob committed from blocks: its committed block list again, with its headers, metadata, tags and tier,
//   conditioned on its ETag (If-Match). Same bytes, same properties, no uncommitted blocks.
// - a blob written in one Put Blob: it has no block list (Get Block List returns no committed blocks), and Put
//   Blob From URL of itself would need a source authorisation of its own for every kind of sign-in. Its bytes
//   are read (conditioned on its ETag) and staged as blocks under ids of this upload's length (indexes no
//   upload uses), then committed like the above. They cross the network twice, bounded by what anyone writes
//   in one Put Blob (FileFerry: one block; rclone: its upload cutoff; Azure: 5000 MiB). Putting the blob again
//   whole would do on Azure, but Azurite keeps the staged blocks through a Put Blob.
// A commit discards every uncommitted block of the blob, so this runs only while some block of this upload
// is still staged: a concurrent writer's own commit may have cleared them already. One block still in
// flight when the upload stopped may land after the commit, so the list is looked at once more.
import type { BlobGetPropertiesResponse, BlockBlobClient } from '@azure/storage-blob';
import { FerryError } from '../../../../shared/errors';
import { blockId, MAX_BLOCK_SIZE } from './block-upload';
import { azureErrorCode, azureStatus } from './errors';
import { parseTier, type AzureTier } from './tiers';

/** Block indexes counted down from here re-stage a Put Blob blob's bytes: no upload has that many blocks. */
const REWRITE_INDEX = 999_999;

export async function discardStagedBlocks(blob: BlockBlobClient, tag: string): Promise<void> {
  for (let pass = 0; pass < 2; pass++) {
    if (!(await hasStagedBlocksOf(blob, tag))) return;
    await commitAsItStands(blob, tag);
  }
}

/** Whether any uncommitted block of the blob is one of the upload tagged `tag` (see blockId). */
async function hasStagedBlocksOf(blob: BlockBlobClient, tag: string): Promise<boolean> {
  try {
    const { uncommittedBlocks = [] } = await blob.getBlockList('uncommitted');
    return uncommittedBlocks.some((block) => Buffer.from(block.name, 'base64').toString().startsWith(`${tag}-`));
  } catch (error) {
    if (azureStatus(error) === 404) return false; // no blob and no staged blocks
    throw error;
  }
}

async function commitAsItStands(blob: BlockBlobClient, tag: string): Promise<void> {
  let properties: BlobGetPropertiesResponse;
  try {
    properties = await blob.getProperties();
  } catch (error) {
    if (azureStatus(error) !== 404 || azureErrorCode(error) === 'ContainerNotFound') throw error;
    return await commitNothing(blob);
  }
  try {
    await recommit(blob, properties, tag);
  } catch (error) {
    // Another writer changed the blob meanwhile: its commit discarded the blocks already.
    if (azureStatus(error) !== 412) throw error;
  }
}

async function commitNothing(blob: BlockBlobClient): Promise<void> {
  let etag: string | undefined;
  try {
    etag = (await blob.commitBlockList([], { conditions: { ifNoneMatch: '*' } })).etag;
  } catch (error) {
    // A blob committed meanwhile by another writer: that commit discarded the blocks, and the blob is theirs.
    if (azureStatus(error) === 409) return;
    throw error;
  }
  try {
    await blob.delete({ conditions: { ifMatch: etag } });
  } catch (error) {
    if (azureStatus(error) !== 412 && azureStatus(error) !== 404) throw error;
  }
}

/** Commits the blob again with what it holds and the properties it has (see the file's comment). */
async function recommit(blob: BlockBlobClient, properties: BlobGetPropertiesResponse, tag: string): Promise<void> {
  if (properties.accessTier === 'Archive') {
    throw new FerryError(
      'Unsupported',
      `${blob.name} is archived, so its unfinished upload's blocks cannot be cleared; Azure drops them within a week.`,
    );
  }
  const conditions = { ifMatch: properties.etag };
  const tags = properties.tagCount ? (await blob.getTags({ conditions })).tags : undefined;
  const kept = {
    conditions,
    blobHTTPHeaders: {
      blobContentType: properties.contentType,
      blobContentEncoding: properties.contentEncoding,
      blobContentLanguage: properties.contentLanguage,
      blobContentDisposition: properties.contentDisposition,
      blobCacheControl: properties.cacheControl,
      blobContentMD5: properties.contentMD5,
    },
    metadata: properties.metadata ?? {},
    ...(tags ? { tags } : {}),
    ...explicitTier(properties),
  };
  const { committedBlocks = [], uncommittedBlocks = [] } = await blob.getBlockList('all');
  if (committedBlocks.length > 0 || properties.contentLength === 0) {
    // The SDK commits ids as "latest", which takes an uncommitted block over a committed one of the same id.
    const committed = new Set(committedBlocks.map((block) => block.name));
    if (uncommittedBlocks.some((block) => committed.has(block.name))) {
      throw new FerryError(
        'Protocol',
        `${blob.name} has a staged block under the id of one of its own, so it cannot be committed again unchanged; ` +
          'Azure drops the staged blocks within a week.',
      );
    }
    await blob.commitBlockList(
      committedBlocks.map((block) => block.name),
      kept,
    );
    return;
  }
  const size = properties.contentLength ?? 0;
  const ids: string[] = [];
  for (let offset = 0; offset < size; offset += MAX_BLOCK_SIZE) {
    const length = Math.min(MAX_BLOCK_SIZE, size - offset);
    const id = blockId(tag, REWRITE_INDEX - ids.length);
    const body = (await blob.download(offset, length, { conditions })).readableStreamBody;
    if (!body) throw new FerryError('Protocol', `Azure sent no body for ${blob.name}.`);
    await blob.stageBlock(id, () => body, length);
    ids.push(id);
  }
  await blob.commitBlockList(ids, kept);
}

/** The blob's tier where one was set on it (not inferred from the account's default) and FileFerry knows it. */
function explicitTier(properties: BlobGetPropertiesResponse): { tier?: AzureTier } {
  if (!properties.accessTier || properties.accessTierInferred) return {};
  try {
    return { tier: parseTier(properties.accessTier) };
  } catch {
    return {}; // a premium tier (P10…) belongs to page blobs and is kept by the blob itself
  }
}
