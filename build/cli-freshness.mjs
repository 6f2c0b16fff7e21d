// Whether the built `fileferry` command in out/cli/ still matches the sources: the one rule the launcher
// (main/cli/fileferry.mjs), the build (build/cli.mjs), the benchmark and the tests share.
//
// out/cli/build.json lists every file the build read with the modification time it had then. The build is up
// to date while each of them still has that time: an edit, a checkout, a file removed, or an import added to
// a file (which edits it) all change one. Times are compared for equality, not "newer than the build", so a
// file put back from a backup with an older time counts as changed too. Checking ~150 files costs 1–5 ms.
import { readFileSync, statSync } from 'node:fs';

export const CLI_OUT = 'out/cli/';
export const MANIFEST = 'build.json';

/**
 * `root`: the repository's folder as a file: URL ending in "/". Returns the built entry's URL when the build
 * is up to date, else why not ("no build", or the first file that changed).
 */
export function builtEntry(root) {
  const out = new URL(CLI_OUT, root);
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(new URL(MANIFEST, out), 'utf8'));
  } catch {
    return { why: 'not built (npm run build:cli builds it)' };
  }
  for (const [file, mtimeMs] of Object.entries(manifest.inputs ?? {})) {
    if (statSync(new URL(file, root), { throwIfNoEntry: false })?.mtimeMs !== mtimeMs) {
      return { why: `${file} changed since the build` };
    }
  }
  if (typeof manifest.entry !== 'string') return { why: `${MANIFEST} names no entry` };
  return { entry: new URL(manifest.entry, out) };
}
