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
