// Scans folders for secret strings: every file, byte for byte, so a canary written anywhere (a log, a
// settings file, a persisted queue, a temporary left behind) is found.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface CanaryHit {
  file: string;
  canary: string;
}

export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** Every (file, canary) pair where the file contains the canary as UTF-8, UTF-16LE or base64. */
export async function scanForCanaries(dirs: readonly string[], canaries: readonly string[]): Promise<CanaryHit[]> {
  const hits: CanaryHit[] = [];
  for (const dir of dirs) {
    for (const file of await filesUnder(dir)) {
      const bytes = await readFile(file);
      for (const canary of canaries) {
        const forms = [
          Buffer.from(canary, 'utf8'),
          Buffer.from(canary, 'utf16le'),
          Buffer.from(Buffer.from(canary).toString('base64')),
        ];
        if (forms.some((form) => bytes.includes(form))) hits.push({ file, canary });
      }
    }
  }
  return hits;
}
