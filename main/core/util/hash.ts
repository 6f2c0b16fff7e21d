// Hashing of byte streams, for verification and for providers whose hash() must read the file.
import { createHash } from 'node:crypto';
import type { HashAlgorithm } from '../../../shared/provider';
import { FerryError } from '../../../shared/errors';

const NODE_NAMES: Partial<Record<HashAlgorithm, string>> = { md5: 'md5', sha1: 'sha1', sha256: 'sha256' };

export function createHasher(algorithm: HashAlgorithm) {
  const name = NODE_NAMES[algorithm];
  if (!name) throw new FerryError('Unsupported', `FileFerry cannot compute ${algorithm} hashes locally.`);
  return createHash(name);
}

export async function hashStream(source: AsyncIterable<Uint8Array>, algorithm: HashAlgorithm): Promise<string> {
  const hasher = createHasher(algorithm);
  for await (const chunk of source) hasher.update(chunk);
  return hasher.digest('hex');
}
