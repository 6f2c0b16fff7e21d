// The built `fileferry` (build/cli.mjs → out/cli/): once built, the launcher runs it rather than the sources;
// it answers --version and an ls of a vsftpd folder exactly as the sources do; each command loads only what it
// needs; and a source edited after the build is run, not ignored. Everything happens in a copy of the checkout
// (node_modules linked), so building and editing there disturbs no one else's run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Metafile } from 'esbuild';
import { makeDocx, makePdf } from '../helpers/document-fixtures';
import { startVsftpd, type VsftpdHandle } from '../helpers/vsftpd';
import { cleanEnv, expectExit, type CliResult } from './run-cli';

const REPO = path.resolve(import.meta.dirname, '../..');
const RECORD_LOADS = pathToFileURL(path.join(import.meta.dirname, 'record-loads.mjs')).href;
/** What the built command needs of the checkout. */
const CHECKOUT = [
  'main',
  'shared',
  'build/cli.mjs',
  'build/cli-freshness.mjs',
  'package.json',
  'tsconfig.json',
  'tsconfig.base.json',
];
const CLOUD_SDKS = /node_modules\/(@aws-sdk|@smithy|@azure)\/|main\/core\/providers\/(s3|azure-blob)\//;

interface Run extends CliResult {
  /** Every ES module the process loaded, as paths relative to the copy (node: builtins left out). */
  loaded: string[];
}

describe('the built fileferry command', () => {
  let tree: string;
  let home: string;
  let server: VsftpdHandle;
  let folder: string;
  let runs = 0;
  const fromSources: Record<string, Run> = {};

  /** Runs the copy's launcher as `npx fileferry` would, recording which modules it loaded. */
  const fileferry = async (...args: string[]): Promise<Run> => {
    const loads = path.join(home, `loads-${runs++}.txt`);
    await writeFile(loads, '');
    const child = spawn(
      process.execPath,
      ['--import', RECORD_LOADS, path.join(tree, 'main/cli/fileferry.mjs'), ...args],
      {
        env: { ...cleanEnv(), FILEFERRY_HOME: home, FILEFERRY_TEST_LOADS: loads },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    const loaded = (await readFile(loads, 'utf8'))
      .split('\n')
      .filter((url) => url.startsWith('file:'))
      .map((url) => path.relative(tree, new URL(url).pathname));
    return { code, stdout, stderr, loaded };
  };

  /** Builds the copy as `npm ci` does (its "prepare" script runs build/cli.mjs). */
  const build = async (): Promise<Metafile> => {
    const { buildCli } = (await import(
      pathToFileURL(path.join(tree, 'build/cli.mjs')).href
    )) as typeof import('../../build/cli.mjs');
    return (await buildCli({ quiet: true })).metafile;
  };

  /** The source files compiled into the modules a run loaded from out/cli/. */
  const sourcesIn = (run: Run, metafile: Metafile): string[] =>
    run.loaded.flatMap((file) => Object.keys(metafile.outputs[file]?.inputs ?? {}));

  before(async () => {
    tree = await mkdtemp(path.join(tmpdir(), 'ferry-built-cli-'));
    for (const entry of CHECKOUT) await cp(path.join(REPO, entry), path.join(tree, entry), { recursive: true });
    await symlink(path.join(REPO, 'node_modules'), path.join(tree, 'node_modules'));
    home = path.join(tree, 'home');
    await mkdir(home);
    server = await startVsftpd();
    await mkdir(path.join(server.root, 'pub/three'));
    for (const name of ['a.txt', 'b.bin', 'c d.txt']) {
      await writeFile(path.join(server.root, 'pub/three', name), `${name}\n`.repeat(3));
    }
    folder = `ftp://127.0.0.1:${server.port}/pub/three`;
  });

  after(async () => {
    await server?.stop();
    if (tree) await rm(tree, { recursive: true, force: true });
  });

  it('runs the TypeScript sources while there is no build', async () => {
    for (const [name, args] of [
      ['version', ['--version']],
      ['ls', ['ls', folder]],
    ] as const) {
      const run = await fileferry(...args);
      expectExit(run, 0);
      assert.ok(run.loaded.includes('main/cli/index.ts'), `${name}: the sources ran`);
      fromSources[name] = run;
    }
    const { version } = JSON.parse(await readFile(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    assert.equal(fromSources.version!.stdout, `${version}\n`);
    const lines = fromSources.ls!.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3, fromSources.ls!.stdout);
    assert.match(lines[0]!, /^- +18 .* a\.txt$/);
    assert.match(lines[1]!, /^- +18 .* b\.bin$/);
    assert.match(lines[2]!, /^- +24 .* c d\.txt$/);
  });

  it('after a build runs the built JavaScript: the same answers, and only what each command needs', async () => {
    const metafile = await build();

    const version = await fileferry('--version');
    expectExit(version, 0);
    assert.ok(version.loaded.includes('out/cli/index.mjs'), `the build ran: ${version.loaded.join(' ')}`);
    assert.deepEqual(
      version.loaded.filter((file) => file.endsWith('.ts')),
      [],
      'no TypeScript was loaded (no tsx)',
    );
    assert.equal(version.stdout, fromSources.version!.stdout);
    assert.equal(version.stderr, fromSources.version!.stderr);
    const versionSources = sourcesIn(version, metafile);
    assert.deepEqual(
      versionSources.filter((file) => file.includes('main/core/providers/') || file.includes('node_modules/')),
      [],
      '--version loads no provider and no package',
    );

    const ls = await fileferry('ls', folder);
    expectExit(ls, 0);
    assert.ok(ls.loaded.includes('out/cli/index.mjs'));
    assert.equal(ls.stdout, fromSources.ls!.stdout);
    assert.equal(ls.stderr, fromSources.ls!.stderr);
    const lsSources = sourcesIn(ls, metafile);
    assert.ok(lsSources.includes('main/core/providers/ftp/index.ts'), 'ls ftp:// loaded the FTP provider');
    assert.deepEqual(
      lsSources.filter((file) => CLOUD_SDKS.test(file)),
      [],
      'ls ftp:// loads neither the AWS nor the Azure SDK',
    );
    assert.deepEqual(
      lsSources.filter((file) => file.includes('main/core/transfers/engine')),
      [],
      'ls does not load the transfer engine',
    );
  });

  it('reads PDF and DOCX text in the build as from the sources (pdfjs-dist and mammoth bundled)', async () => {
    await build();
    await writeFile(path.join(home, 'doc.pdf'), await makePdf(['The ferry leaves at noon.']));
    await writeFile(path.join(home, 'doc.docx'), await makeDocx(['The ferry leaves at noon.']));
    // Without --yes nothing is sent and the command says what it read: the document's text, not a failure.
    const pdf = await fileferry('summarize', path.join(home, 'doc.pdf'));
    expectExit(pdf, 2);
    assert.ok(pdf.loaded.includes('out/cli/index.mjs'), 'the build ran');
    assert.match(pdf.stderr, /PDF, 1 page; \d+ B read/);
    const docx = await fileferry('summarize', path.join(home, 'doc.docx'));
    expectExit(docx, 2);
    assert.match(docx.stderr, /Word document \(DOCX\); [\d.]+ (B|KiB) read/);
  });

  it('runs a source edited after the build instead of the stale build, and the next build again', async () => {
    const lsModule = path.join(tree, 'main/cli/commands/ls.ts');
    const original = await readFile(lsModule, 'utf8');
    const marker = 'EDITED AFTER THE BUILD';
    assert.ok(original.includes('`fileferry ls ADDRESS'));
    await writeFile(lsModule, original.replace('`fileferry ls ADDRESS', `\`${marker}\nfileferry ls ADDRESS`));

    const edited = await fileferry('ls', '--help');
    expectExit(edited, 0);
    assert.match(edited.stdout, new RegExp(marker), 'the edit is what ran');
    assert.ok(edited.loaded.includes('main/cli/commands/ls.ts'), 'the sources ran');
    assert.ok(!edited.loaded.includes('out/cli/index.mjs'), 'the stale build did not run');

    await build();
    const rebuilt = await fileferry('ls', '--help');
    expectExit(rebuilt, 0);
    assert.ok(rebuilt.loaded.includes('out/cli/index.mjs'), 'the new build ran');
    assert.equal(rebuilt.stdout, edited.stdout);
  });
});
