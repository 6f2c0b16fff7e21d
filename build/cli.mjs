#!/usr/bin/env node
// Builds the `fileferry` command to plain JavaScript in out/cli/, so that neither a checkout nor the packaged
// app compiles TypeScript at every start (tsx cost about 0.4 s before the first line of our code ran).
//
//   node build/cli.mjs          (run by `npm ci` / `npm install` through "prepare", and by `npm run build`)
//
// What comes out, and why:
// - out/cli/index.mjs exports main(argv) (main/cli/index.ts); every module main/cli loads with import() —
//   each command, each provider and its SDK — is a chunk of its own (esbuild's code splitting), so a command
//   loads only what it uses: `--version` no provider, `ls ftp://…` neither the AWS nor the Azure SDK.
// - Packages are bundled into those chunks, not left in node_modules: one file per chunk instead of hundreds
//   of module resolutions and reads, and zod tree-shaken (see zodNamespace). Measured (medians, same minute):
//   `ls` of a three-file vsftpd folder 0.48 s with packages left in node_modules, 0.33 s bundled; loading
//   the S3 provider 0.55 → 0.34 s, the Azure one 0.54 → 0.25 s. The native modules (keytar, better-sqlite3)
//   stay in node_modules: the core loads them with createRequire, at first use.
// - out/cli/build.json records each source file the build read with its modification time. The launcher
//   (main/cli/fileferry.mjs) runs the build only while every one of them is unchanged (cli-freshness.mjs), and
//   the sources through tsx otherwise, so a developer who edits a file never runs stale code.
//
// Chunks are named by their content hash. A build adds the chunks that are new, then replaces index.mjs and
// build.json each in one rename, and removes only the chunks neither this build nor the one before used: a
// CLI started from the previous build (a running copy, or another person's test run) still finds the chunks
// it loads later.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_OUT, MANIFEST } from './cli-freshness.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = fileURLToPath(new URL(`../${CLI_OUT}`, import.meta.url));
const ENTRY = 'index.mjs';

/**
 * Files besides the bundled sources whose change makes a build stale: this script, the compiler settings, and
 * npm's record of node_modules (rewritten by every install), standing for the packages bundled in.
 */
const ALSO_DEPENDS_ON = [
  'build/cli.mjs',
  'tsconfig.json',
  'tsconfig.base.json',
  'node_modules/.package-lock.json',
  // A folder's time changes when a file is added to it: `history` bundles whatever history-*.ts this folder
  // holds (an import by pattern), so a new one there makes the build stale although no file it read changed.
  'main/cli/commands',
];

/**
 * `import { z } from 'zod'` makes a bundler keep all of zod — every one of its ~60 locales — since `z` is one
 * namespace object; `import * as z from 'zod'` (zod's own recommended form) lets esbuild keep only what the
 * code uses. Measured: zod bundled alone 743 KiB → 170 KiB, and 0.1 s less to start. Rewriting the import here
 * keeps every source file as it is and catches imports added later.
 */
const zodNamespace = {
  name: 'zod-namespace',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = readFileSync(args.path, 'utf8');
      const rewritten = source.replace(/^import \{ z \} from 'zod';$/m, "import * as z from 'zod';");
      return rewritten === source ? undefined : { contents: rewritten, loader: 'ts' };
    });
  },
};

/** Builds into out/cli; returns the manifest written and esbuild's metafile (which source is in which chunk). */
export async function buildCli({ quiet = false } = {}) {
  const { build } = await import('esbuild');
  const started = Date.now();
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { index: 'main/cli/index.ts' },
    outdir: OUT,
    write: false,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    outExtension: { '.js': '.mjs' },
    chunkNames: '[name]-[hash]',
    // Loaded with createRequire at first use; native code cannot be bundled.
    external: ['keytar', 'better-sqlite3'],
    // Bundled CommonJS packages (basic-ftp, parts of the SDKs) call require() for Node's own modules; an ES
    // module has no require, so each chunk makes one.
    banner: {
      js: "import { createRequire as __ffCreateRequire } from 'node:module';\nconst require = __ffCreateRequire(import.meta.url);",
    },
    // Less to read and parse: 4–7 % faster to start. Names are kept, so stack traces in the log stay readable.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    metafile: true,
    plugins: [zodNamespace],
    logLevel: 'warning',
  });

  const inputs = {};
  // Packages count through node_modules/.package-lock.json (their path may lead outside ROOT through a link).
  const sources = Object.keys(result.metafile.inputs).filter((file) => !file.includes('node_modules/'));
  for (const file of [...sources, ...ALSO_DEPENDS_ON]) {
    let mtimeMs;
    try {
      mtimeMs = statSync(path.join(ROOT, file)).mtimeMs;
    } catch {
      continue; // node_modules/.package-lock.json is absent after `npm install --no-package-lock`
    }
    // Changed while esbuild was reading: which version went in is unknown, so the build is never fresh for it.
    inputs[file] = mtimeMs >= started ? 0 : mtimeMs;
  }
  const files = result.outputFiles.map((file) => path.relative(OUT, file.path));
  const manifest = { entry: ENTRY, builtAt: new Date().toISOString(), files, inputs };

  mkdirSync(OUT, { recursive: true });
  const previous = readManifest()?.files ?? [];
  // The chunks first, then the entry that imports them, then the manifest that makes the launcher use them.
  const entry = result.outputFiles.find((file) => path.relative(OUT, file.path) === ENTRY);
  for (const file of result.outputFiles) {
    // Hashed chunk names: an existing file of that name has these very bytes.
    if (file !== entry && !existsSync(file.path)) writeAtomically(file.path, file.contents);
  }
  writeAtomically(entry.path, entry.contents);
  writeAtomically(path.join(OUT, MANIFEST), JSON.stringify(manifest, null, 1));
  const keep = new Set([...files, ...previous, MANIFEST]);
  for (const name of readdirSync(OUT)) {
    // A .tmp file of a build running at this moment is about to be renamed; a crashed one's is left a while.
    const age = Date.now() - (statSync(path.join(OUT, name), { throwIfNoEntry: false })?.mtimeMs ?? 0);
    const writing = name.endsWith('.tmp') && age < 600_000;
    if (!keep.has(name) && !writing) rmSync(path.join(OUT, name), { force: true, recursive: true });
  }
  if (!quiet) {
    const kib = result.outputFiles.reduce((sum, file) => sum + file.contents.length, 0) / 1024;
    process.stderr.write(
      `[build:cli] out/cli: ${files.length} files, ${kib.toFixed(0)} KiB, ${Date.now() - started} ms\n`,
    );
  }
  return { manifest, metafile: result.metafile };
}

function readManifest() {
  try {
    return JSON.parse(readFileSync(path.join(OUT, MANIFEST), 'utf8'));
  } catch {
    return undefined;
  }
}

/** A reader sees the old file or the new one, never half of one. */
function writeAtomically(file, contents) {
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}

async function esbuildInstalled() {
  try {
    await import('esbuild');
    return true;
  } catch {
    return false;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  // `npm ci --omit=dev` has no esbuild: that install must still succeed, and the launcher then runs the
  // sources through tsx (a runtime dependency), as before this build existed.
  if (!(await esbuildInstalled())) {
    process.stderr.write(
      '[build:cli] esbuild is not installed: the fileferry command will run its sources with tsx.\n',
    );
  } else {
    // esbuild has printed what is wrong, with file and line; a stack trace of this script would add nothing.
    await buildCli().catch(() => {
      process.stderr.write('[build:cli] the build failed (see above).\n');
      process.exit(1);
    });
  }
}
