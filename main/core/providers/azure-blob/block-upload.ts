// Streamed uploads through staged blocks (Put Block + Put Block List); a file of one block at most goes up
// in a single Put Blob. The blob changes only at the final commit (or that one request), so a failed or
// cancelled upload leaves an existing blob byte-identical. Blocks are staged in
// parallel (uploadConcurrency), so memory stays near (concurrency + 2) × block size whatever the file size.
//
// Resume: block ids are derived from a per-upload tag and the block index, so after an interruption the
// staged-but-uncommitted blocks can be recognised (Get Block List ?blocklisttype=uncommitted) and the upload
// continues after the longest run of full blocks from index 0. There is nothing to abort server-side:
// Azure discards uncommitted blocks after a week, or at the next commit of this blob.
//
// Integrity: the whole file's MD5 is computed while streaming and stored as Content-MD5 at commit (the
// service stores but does not check it, so comparisons are client-side), and the committed block list is
// read back (checkCommitted). A resumed upload did not see its first bytes, so it cannot compute the
// whole-file MD5: it stores the one the caller knows (WriteOptions.md5), so that other tools can check the
// blob, and reports none of its own. A per-block MD5
// (transactionalContentMD5, which the service verifies) guards a block in transit; it is sent only over
// plain HTTP (emulators, private endpoints). Over HTTPS, TLS already rejects any altered byte, so a second
// MD5 pass over every byte (≈1.3 s of CPU per GiB, the largest CPU cost of an upload) would buy nothing.
// Over TLS a block goes out in slices (util/sliced-body explains why).
import { createHash, randomBytes } from 'node:crypto';
import type { BlockBlobClient, BlockBlobUploadOptions } from '@azure/storage-blob';
import { FerryError, cancelledError } from '../../../../shared/errors';
import type { ResumeToken, WriteOptions, WriteResult } from '../../../../shared/provider';
import { onAbort } from '../../util/abort';
import { PartReader } from '../../util/part-reader';
import { isTlsUrl, slicedBody } from '../../util/sliced-body';
import { azureStatus } from './errors';
import { modTimeMetadata } from './mod-time';
import { BoundedParallel } from './parallel';
import type { AzureTier } from './tiers';

const MiB = 1024 * 1024;
export const MAX_BLOCKS = 50_000;
export const MAX_BLOCK_SIZE = 4000 * MiB;

export interface BlockResumeToken extends ResumeToken {
  kind: 'azure-blocks';
  /** Random per upload; with the block index it names every block. */
  tag: string;
  blockSize: number;
}

export function isBlockResumeToken(token: ResumeToken | undefined): token is BlockResumeToken {
  return (
    !!token &&
    token.kind === 'azure-blocks' &&
    typeof token.tag === 'string' &&
    /^[A-Za-z0-9_-]{16}$/.test(token.tag) &&
    typeof token.blockSize === 'number' &&
    token.blockSize > 0
  );
}

export function newResumeToken(blockSize: number): BlockResumeToken {
  return { kind: 'azure-blocks', tag: randomBytes(12).toString('base64url'), blockSize };
}

/** All ids of one blob must have the same length: a 16-character tag and a 6-digit index. */
export function blockId(tag: string, index: number): string {
  return Buffer.from(`${tag}-${String(index).padStart(6, '0')}`).toString('base64');
}

/** The configured block size, raised when a known size would otherwise need more than 50,000 blocks. */
export function chooseBlockSize(configuredMiB: number, size: number | undefined): number {
  let blockSize = configuredMiB * MiB;
  if (size !== undefined && Math.ceil(size / blockSize) > MAX_BLOCKS)
    blockSize = Math.ceil(size / MAX_BLOCKS / MiB) * MiB;
  return Math.min(blockSize, MAX_BLOCK_SIZE);
}

/** How many full blocks of `token`'s upload are staged consecutively from index 0. */
export async function stagedBlockCount(
  blob: BlockBlobClient,
  token: BlockResumeToken,
  abortSignal?: AbortSignal,
): Promise<number> {
  let list;
  try {
    list = await blob.getBlockList('uncommitted', { abortSignal });
  } catch (error) {
    if (azureStatus(error) === 404) return 0; // no blob and no staged blocks
    throw error;
  }
  const sizes = new Map((list.uncommittedBlocks ?? []).map((block) => [block.name, block.size]));
  let count = 0;
  while (sizes.get(blockId(token.tag, count)) === token.blockSize) count++;
  return count;
}

/**
 * The service checks each block on arrival (its MD5 over HTTP, TLS otherwise) but not what a commit builds
 * from them, nor the blob's Content-MD5. So the client reads the committed list back: exactly the blocks
 * sent, in order, each of the size sent. With the whole-file MD5 taken from the source stream, that ties
 * the blob's bytes to the bytes read.
 */
async function checkCommitted(
  blob: BlockBlobClient,
  ids: string[],
  blockSize: number,
  total: number,
  abortSignal: AbortSignal,
): Promise<void> {
  const { committedBlocks = [] } = await blob.getBlockList('committed', { abortSignal });
  const last = ids.length - 1;
  const sizeOf = (i: number) => (i === last ? total - last * blockSize : blockSize);
  const same =
    committedBlocks.length === ids.length &&
    committedBlocks.every((block, i) => block.name === ids[i] && block.size === sizeOf(i));
  if (same) return;
  throw new FerryError(
    'Integrity',
    `Azure committed ${blob.name} from other blocks than were sent (${committedBlocks.length} committed, ` +
      `${ids.length} sent): the blob does not hold the file. Copy it again.`,
    { details: { committed: committedBlocks.length, sent: ids.length } },
  );
}

/** Whether blocks sent to `url` need their own MD5: only without TLS. */
export function needsBlockMd5(url: string): boolean {
  return !isTlsUrl(url);
}

export interface BlockUploadOptions extends WriteOptions {
  blockSize: number;
  concurrency: number;
  tier?: AzureTier;
  /** Blocks 0..startIndex-1 of the token's upload are already staged. */
  startIndex: number;
  token: BlockResumeToken;
}

export async function uploadBlocks(
  blob: BlockBlobClient,
  source: AsyncIterable<Uint8Array>,
  options: BlockUploadOptions,
): Promise<WriteResult> {
  const { token, startIndex } = options;
  const blockSize = token.blockSize;
  const controller = new AbortController();
  const detach = onAbort(options.signal, () => controller.abort());
  const abortSignal = controller.signal;
  const wholeMd5 = startIndex === 0 ? createHash('md5') : undefined;
  const md5PerBlock = needsBlockMd5(blob.url);
  const sliced = isTlsUrl(blob.url);
  const pool = new BoundedParallel(options.concurrency);
  // Blocks in use at once: those being staged plus the one being filled. A staged block's buffer is reused.
  const reader = new PartReader(
    source,
    blockSize,
    options.concurrency + 1,
    startIndex === 0 ? options.size : undefined,
  );
  let index = startIndex;
  let total = startIndex * blockSize;
  const checkDelivered = () => {
    if (options.size !== undefined && total !== options.size) {
      throw new FerryError(
        'Integrity',
        `The source delivered ${total} bytes but announced ${options.size}; the blob was not changed.`,
      );
    }
  };
  options.onResumeToken?.(token);
  try {
    // A file of one block at most goes up whole: one request (Put Blob) instead of a block and its commit.
    let first: Buffer | undefined;
    if (startIndex === 0) {
      first = (await reader.nextPart()) ?? Buffer.alloc(0);
      if (await reader.atEnd()) {
        total = first.length;
        checkDelivered();
        const result = await putWhole(blob, first, {
          abortSignal,
          md5InTransit: md5PerBlock,
          sliced,
          tier: options.tier,
          metadata: modTimeMetadata(options.modified),
        });
        options.onResumeToken?.(undefined);
        return result;
      }
    }
    try {
      for (let block = first ?? (await reader.nextPart()); block; block = await reader.nextPart()) {
        if (abortSignal.aborted) throw cancelledError('The upload');
        if (index >= MAX_BLOCKS) {
          throw new FerryError(
            'InvalidInput',
            `The file is larger than ${MAX_BLOCKS} blocks of ${blockSize / MiB} MiB. Raise the block size of this connection.`,
          );
        }
        wholeMd5?.update(block);
        const id = blockId(token.tag, index);
        const blockMd5 = md5PerBlock ? createHash('md5').update(block).digest() : undefined;
        total += block.length;
        index++;
        await pool.run(() =>
          blob
            // A function body is called again for each attempt the SDK makes, so a retry gets a fresh stream.
            .stageBlock(id, sliced ? () => slicedBody(block) : block, block.length, {
              ...(blockMd5 ? { transactionalContentMD5: blockMd5 } : {}),
              abortSignal,
            })
            .then(() => reader.recycle(block)),
        );
      }
    } catch (error) {
      // Let blocks already on the wire finish: they are valid and count towards a later resume.
      await pool.settle();
      throw error;
    }
    await pool.drain();
    if (abortSignal.aborted) throw cancelledError('The upload');
    checkDelivered();
    const ids = Array.from({ length: index }, (_, i) => blockId(token.tag, i));
    const md5 = wholeMd5?.digest();
    const contentMd5 = md5 ?? knownMd5(options.md5);
    const metadata = modTimeMetadata(options.modified);
    await blob.commitBlockList(ids, {
      abortSignal,
      ...(contentMd5 ? { blobHTTPHeaders: { blobContentMD5: contentMd5 } } : {}),
      ...(metadata ? { metadata } : {}),
      ...(options.tier ? { tier: options.tier } : {}),
    });
    options.onResumeToken?.(undefined);
    await checkCommitted(blob, ids, blockSize, total, abortSignal);
    return { size: total, ...(md5 ? { hashes: { md5: md5.toString('hex') } } : {}) };
  } catch (error) {
    if (options.signal?.aborted) throw cancelledError('The upload');
    throw error;
  } finally {
    detach();
    await reader.close().catch(() => {});
  }
}

/** The caller's whole-file MD5 (hex) as Content-MD5 bytes; undefined unless it is one. */
export function knownMd5(hex: string | undefined): Buffer | undefined {
  return hex && /^[0-9a-f]{32}$/i.test(hex) ? Buffer.from(hex, 'hex') : undefined;
}

interface PutWholeOptions {
  abortSignal: AbortSignal;
  /** The blob's metadata (its `mtime`), if any. */
  metadata: Record<string, string> | undefined;
  /** Have the service check the body's MD5 (plain HTTP, as for a block). */
  md5InTransit: boolean;
  sliced: boolean;
  tier: AzureTier | undefined;
}

/**
 * A file of one block at most, in one Put Blob: one request instead of Put Block and Put Block List, and
 * still atomic. Its MD5 is stored as the blob's Content-MD5, and over plain HTTP also sent as the request's
 * (the SDK passes `transactionalContentMD5` on for uploads when no other checksum algorithm is configured,
 * though its upload options do not declare it).
 */
async function putWhole(blob: BlockBlobClient, body: Buffer, options: PutWholeOptions): Promise<WriteResult> {
  const md5 = createHash('md5').update(body).digest();
  const uploadOptions: BlockBlobUploadOptions & { transactionalContentMD5?: Uint8Array } = {
    abortSignal: options.abortSignal,
    blobHTTPHeaders: { blobContentMD5: md5 },
    ...(options.metadata ? { metadata: options.metadata } : {}),
    ...(options.md5InTransit ? { transactionalContentMD5: md5 } : {}),
    ...(options.tier ? { tier: options.tier } : {}),
  };
  await blob.upload(options.sliced ? () => slicedBody(body) : body, body.length, uploadOptions);
  return { size: body.length, hashes: { md5: md5.toString('hex') } };
}
