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

/**
 * Normalise to "/a/b": no empty or "." segments, ".." resolved without climbing above "/". Only "/" separates:
 * a "\" is an ordinary character of a name (legal on POSIX disks, most FTP servers and S3), so a name from a
 * listing such as "..\..\x" stays one name instead of becoming a way out of its folder. A path a person types
 * on Windows is turned into "/" form where it is typed (the CLI's address parser), not here.
 */
/** A path normalizePath would return unchanged: "/" or "/a/b" with no empty, "." or ".." segment. */
const ALREADY_NORMAL = /^(?:\/(?!\.\.?(?:\/|$))[^/]+)+$/;

export function normalizePath(path: string): string {
  assertSafePath(path);
  // Most paths the engine handles are normal already (it made them): checking is cheaper than rebuilding.
  if (path === '/' || ALREADY_NORMAL.test(path)) return path;
  const parts: string[] = [];
  for (const segment of path.split('/')) {
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
 * Why a name from a listing can be no child of a folder on any site, or undefined when it can. A hostile server
 * may return "..", "../x", "a/b" or an absolute path; joining such a name would write outside the folder the
 * user chose. CR, LF and NUL would inject FTP commands or cut C strings short. Each answer completes
 * "The name …".
 */
export function unsafeNameReason(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name === '.' || name === '..') return 'stands for a folder itself or its parent, never for one of its entries';
  if (name.includes('/')) return 'contains "/", the folder separator';
  if (FORBIDDEN_CHARS.test(name)) return 'contains a line break or NUL character, which no server can store safely';
  return undefined;
}

/**
 * What a site cannot hold in a name beyond what no site can (unsafeNameReason), as Capabilities.nameRules says:
 * - 'windows': a Windows disk. "\" and ":" would be a folder separator, a drive or an NTFS stream there;
 *   * ? " < > | and control characters are refused, a trailing dot or space silently dropped, and CON, NUL,
 *   COM1… open devices instead of files.
 * - 'no-backslash': "\" separates folders there as "/" does (Azure Blob Storage turns it into "/"; FTP servers
 *   such as IIS and ftp-srv take it as a separator), so "a\b" would land as "a/b" and "..\x" one folder up.
 * Absent: every other name is stored as it is (POSIX disks, most FTP servers, S3).
 */
export type NameRules = 'windows' | 'no-backslash';

const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])(\..*)?$/i;
// eslint-disable-next-line no-control-regex -- control characters are exactly what Windows refuses
const WINDOWS_FORBIDDEN = /[<>:"|?*\u0000-\u001f]/;

/**
 * Why a site with these rules cannot hold `name` as one entry of a folder, or undefined when it can. Each answer
 * completes "The name …". Judge names against the site that will store them: a name legal on the source may
 * still be one the target cannot hold.
 */
export function nameProblem(name: string, rules?: NameRules): string | undefined {
  const unsafe = unsafeNameReason(name);
  if (unsafe !== undefined || rules === undefined) return unsafe;
  if (name.includes('\\')) {
    return rules === 'windows'
      ? 'contains "\\", which a Windows disk takes as a folder separator'
      : 'contains "\\", which this site takes as a folder separator';
  }
  if (rules === 'no-backslash') return undefined;
  if (name.includes(':')) return 'contains ":", which a Windows disk takes as a drive or stream name';
  if (WINDOWS_FORBIDDEN.test(name))
    return 'contains a character a Windows disk cannot hold in a name (* ? " < > | or a control character)';
  if (/[. ]$/.test(name)) return 'ends with a dot or a space, which a Windows disk drops';
  if (WINDOWS_DEVICE.test(name)) return 'is a device name on Windows (CON, PRN, AUX, NUL, COM1…, LPT1…)';
  return undefined;
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
