// Names the engine gives files on the target: the temporary a non-atomic write goes to (and whether a
// target gets one at all), and the "name (1).ext" a rename policy picks.
import { createHash } from 'node:crypto';
import { baseName, joinPath, parentPath } from '../../../shared/paths';
import type { Provider } from '../../../shared/provider';

const SUFFIX = '.ffpart';
/** Leaves room for the dot and suffix within the usual 255-byte name limit (UTF-8 may need 3 bytes a char). */
const MAX_KEPT = 70;

/** Whether write() goes to the final name itself: committed there (atomicWrite) or written there in place. */
export function writesFinal(target: Provider): boolean {
  return target.capabilities.atomicWrite || target.capabilities.writesInPlace === true;
}

/**
 * The temporary for `finalPath`: hidden, recognisable, in the same folder (so the final rename stays on one
 * file system / server) and derived from the final name only, so a restart finds the same partial file.
 */
export function tempPathFor(finalPath: string): string {
  let name = baseName(finalPath);
  if (Buffer.byteLength(name) > 200) {
    const digest = createHash('sha1').update(name).digest('hex').slice(0, 12);
    name = `${[...name].slice(0, MAX_KEPT).join('')}~${digest}`;
  }
  return joinPath(parentPath(finalPath), `.${name}${SUFFIX}`);
}

export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.endsWith(SUFFIX);
}

/** "report.pdf" → "report (n).pdf"; ".bashrc" → ".bashrc (n)"; "archive.tar.gz" → "archive.tar (n).gz". */
export function numberedPath(path: string, n: number): string {
  const name = baseName(path);
  const dot = name.lastIndexOf('.');
  const numbered = dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
  return joinPath(parentPath(path), numbered);
}
