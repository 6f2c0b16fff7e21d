#!/usr/bin/env node
// Launcher for the `fileferry` command. It runs the plain-JavaScript build in out/cli/ (build/cli.mjs, run by
// `npm ci` through "prepare" and by `npm run build`) when that build is up to date, and the TypeScript sources
// through tsx otherwise (about 0.4 s more at every start).
//
// "Up to date" is build/cli-freshness.mjs: every file the build read still has the modification time it had
// then. So a developer who edits a source runs that edit at once — through tsx, until the next build — and
// never a stale build. The launcher does not rebuild by itself: that would put a second of esbuild in front of
// the command, and several commands started together (a test run) would each rebuild.
import { builtEntry } from '../../build/cli-freshness.mjs';

const ROOT = new URL('../../', import.meta.url);

async function fromSources() {
  const [{ fileURLToPath }, { register }] = await Promise.all([import('node:url'), import('tsx/esm/api')]);
  // tsx is pinned to this repository's tsconfig, whatever the current directory holds.
  register({ tsconfig: fileURLToPath(new URL('tsconfig.json', ROOT)) });
  return import('./index.ts');
}

const { entry } = builtEntry(ROOT);
const { main } = entry ? await import(entry.href) : await fromSources();
process.exitCode = await main(process.argv.slice(2));
