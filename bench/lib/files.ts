// Benchmark data: incompressible files generated once per run, streamed to disk (never held in memory), and
// SHA-256 digests to prove each copy correct after it was timed.
import { createHash, randomFill } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

const fill = promisify(randomFill);
const CHUNK = 4 * 1024 * 1024;

export const MiB = 1024 * 1024;

/** Writes `size` random bytes to `path`, one 4 MiB buffer at a time. */
export async function writeRandomFile(path: string, size: number): Promise<void> {
  const file = await open(path, 'w');
  try {
    const buffer = Buffer.alloc(Math.min(CHUNK, Math.max(size, 1)));
    for (let left = size; left > 0;) {
      const piece = buffer.subarray(0, Math.min(buffer.length, left));
      await fill(piece);
      await file.write(piece);
      left -= piece.length;
    }
  } finally {
    await file.close();
  }
}

/** Writes `count` random files of `size` bytes into `folder` (created), named f0000.bin, f0001.bin, … */
export async function writeRandomFiles(folder: string, count: number, size: number): Promise<void> {
  await mkdir(folder, { recursive: true });
  for (let i = 0; i < count; i++) await writeRandomFile(join(folder, `f${String(i).padStart(4, '0')}.bin`), size);
}

export async function sha256OfStream(source: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of source) hash.update(chunk);
  return hash.digest('hex');
}

export function sha256OfFile(path: string): Promise<string> {
  return sha256OfStream(createReadStream(path, { highWaterMark: 1024 * 1024 }));
}

/** Digest of every file under `folder`: relative path → SHA-256. */
export async function sha256OfTree(folder: string): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    digests.set(relative(folder, path), await sha256OfFile(path));
  }
  return digests;
}

/** Throws unless both trees hold the same files with the same bytes. */
export function assertSameTree(what: string, expected: Map<string, string>, actual: Map<string, string>): void {
  const missing = [...expected.keys()].filter((name) => actual.get(name) !== expected.get(name));
  const extra = [...actual.keys()].filter((name) => !expected.has(name));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `${what}: ${missing.length} files missing or different (e.g. ${missing[0] ?? '-'}), ${extra.length} unexpected (e.g. ${extra[0] ?? '-'})`,
    );
  }
}

export function assertSameDigest(what: string, expected: string, actual: string): void {
  if (expected !== actual) throw new Error(`${what}: SHA-256 ${actual} differs from the source's ${expected}`);
}
