// The CLI's side of addresses (shared/address.ts parses them): relative local paths resolve against the
// working directory, and a local OS path becomes the local provider's root and path.
import path from 'node:path';
import { parseAddress as parseShared, type Address } from '../../shared/address';

export { describeAddress, type Address, type FtpSpecInput } from '../../shared/address';

/**
 * A local OS path as the local provider takes it: a root (a drive on Windows) and a "/"-separated path below it.
 * This is the one place where "\" separates folders, and only on Windows, where a person types C:\Users\me: on
 * POSIX a "\" is part of a name, and normalizePath never splits on it.
 */
export function localProviderPath(osPath: string, paths: path.PlatformPath = path): { root: string; path: string } {
  const root = paths.parse(osPath).root;
  const rest = osPath.slice(root.length);
  return { root, path: '/' + (paths.sep === '\\' ? rest.split('\\').join('/') : rest) };
}

/** Parses one command-line address; a relative local path resolves against `cwd`. */
export function parseAddress(input: string, cwd: string): Address {
  return parseShared(input, (typed) => path.resolve(cwd, typed));
}
