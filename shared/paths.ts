// Remote paths are POSIX-style strings rooted at "/" for every provider (the local provider maps them
// onto its root folder). These helpers are the one place that joins, splits and checks them.
import { FerryError } from './errors';

const FORBIDDEN_CHARS = /[\r\n\0]/;

/** Refuse CR, LF and NUL before anything reaches a protocol: they would inject FTP commands or truncate C strings. */
export function assertSafePath(path: string, what = 'Path'): void {
  if (FORBIDDEN_CHARS.test(path)) {
    throw new FerryError(
      'InvalidInput',
      `${what} contains a line break or NUL character, which no server can store safely. Rename it and try again.`,
    );
  }
}

/** Normalise to "/a/b": forward slashes, no empty or "." segments, ".." resolved without climbing above "/". */
export function normalizePath(path: string): string {
  assertSafePath(path);
  const parts: string[] = [];
  for (const segment of path.replace(/\\/g, '/').split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') parts.pop();
    else parts.push(segment);
  }
  return '/' + parts.join('/');
}

export function joinPath(base: string, ...names: string[]): string {
  return normalizePath([base, ...names].join('/'));
}

export function parentPath(path: string): string {
  const normal = normalizePath(path);
  const cut = normal.lastIndexOf('/');
  return cut <= 0 ? '/' : normal.slice(0, cut);
}

export function baseName(path: string): string {
  const normal = normalizePath(path);
  return normal.slice(normal.lastIndexOf('/') + 1);
}

/**
 * Whether a name from a listing can be used as one child of a folder. A hostile server may return "..",
 * "../x", "a/b" or an absolute path; joining such a name would write outside the folder the user chose.
 */
export function isSafeChildName(name: string): boolean {
  return (
    name.length > 0 &&
    name !== '.' &&
    name !== '..' &&
    !name.includes('/') &&
    !name.includes('\\') &&
    !FORBIDDEN_CHARS.test(name) &&
    !/^[a-zA-Z]:/.test(name)
  );
}

/** Whether `child` lies inside `root` (or is root). Both are normalised first. */
export function isInside(root: string, child: string): boolean {
  const r = normalizePath(root);
  const c = normalizePath(child);
  return r === '/' || c === r || c.startsWith(r + '/');
}

/** The path of `child` relative to `root`, as segments; throws if child is outside. */
export function relativeSegments(root: string, child: string): string[] {
  if (!isInside(root, child)) throw new FerryError('InvalidInput', `${child} is not inside ${root}.`);
  const r = normalizePath(root);
  const c = normalizePath(child);
  const rest = r === '/' ? c.slice(1) : c.slice(r.length + 1);
  return rest === '' ? [] : rest.split('/');
}
