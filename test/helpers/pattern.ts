// Deterministic, seekable test content: the AES-128-CTR keystream of a seed. Any byte range can be produced
// without generating what precedes it, so tests stream large files (and check ranged reads) without buffering.
import { createCipheriv, createHash } from 'node:crypto';

const BLOCK = 16;
const CHUNK = 256 * 1024;

function counterIv(blockIndex: bigint): Buffer {
  const iv = Buffer.alloc(16);
  iv.writeBigUInt64BE(blockIndex >> 64n, 0);
  iv.writeBigUInt64BE(blockIndex & 0xffffffffffffffffn, 8);
  return iv;
}

/** Streams `length` bytes of the pattern for `seed`, starting at byte `offset`. */
export async function* patternBytes(seed: string, length: number, offset = 0): AsyncGenerator<Uint8Array> {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const firstBlock = Math.floor(offset / BLOCK);
  const cipher = createCipheriv('aes-128-ctr', key, counterIv(BigInt(firstBlock)));
  let skip = offset - firstBlock * BLOCK;
  let remaining = length;
  const zeros = Buffer.alloc(CHUNK + BLOCK);
  while (remaining > 0) {
    const want = Math.min(CHUNK, remaining);
    const bytes = cipher.update(zeros.subarray(0, want + skip)).subarray(skip);
    skip = 0;
    remaining -= bytes.length;
    yield bytes;
  }
}

export async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of source) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

export async function sha256Of(source: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of source) hash.update(chunk);
  return hash.digest('hex');
}

export function patternSha256(seed: string, length: number, offset = 0): Promise<string> {
  return sha256Of(patternBytes(seed, length, offset));
}

/** Chunk sizes around a socket's 16 KiB high-water mark, so writes that complete at once and writes that queue both occur. */
export const MIXED_CHUNK_SIZES = [1024 * 1024, 7 * 1024, 300 * 1024, 1, 64 * 1024, 16 * 1024];

/**
 * A source that holds a writer to its promise (Capabilities.writeReleasesChunks): every chunk is a view of
 * the same buffer, overwritten as soon as the next chunk is asked for, so a writer that kept a chunk past
 * that point stores garbage. Chunk sizes cycle through `sizes`.
 */
export async function* reusedBufferChunks(data: Buffer, sizes = MIXED_CHUNK_SIZES): AsyncGenerator<Uint8Array> {
  const buffer = Buffer.alloc(Math.max(...sizes));
  for (let at = 0, i = 0; at < data.length; i++) {
    const size = Math.min(sizes[i % sizes.length]!, data.length - at);
    data.copy(buffer, 0, at, at + size);
    at += size;
    yield buffer.subarray(0, size);
    buffer.fill(0xee); // whatever still points at the last chunk now reads garbage
  }
}
