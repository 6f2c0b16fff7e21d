// @doyensec/electronegativity over the Electron shell (main/electron) and the preload, scanned together so its
// global checks (CSP, navigation limits, permission handler) see the whole shell: zero findings. A rule may be
// disabled only on its line with `eng-disable RULE: reason`. The scanner exits 0 whatever it finds, so its SARIF
// report is read; and a copy with the hardening undone must produce findings, proving it read our files.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { removeDirs, tempDir } from '../transfers/fixtures';

const ROOT = join(import.meta.dirname, '..', '..');
const SCANNED = ['main/electron', 'preload'];
const SCANNER = join(
  dirname(createRequire(import.meta.url).resolve('@doyensec/electronegativity/package.json')),
  'dist',
  'index.js',
);

interface Finding {
  rule: string;
  file: string;
  line?: number;
  message: string;
}

/**
 * Copies the scanned folders under ROOT/src of a fresh folder (so both are one input, and the report can sit
 * beside them) and lets `edit` change the copy.
 */
async function sources(edit?: (src: string) => Promise<void>): Promise<string> {
  const root = await tempDir('ferry-eneg-');
  for (const folder of SCANNED) await cp(join(ROOT, folder), join(root, 'src', folder), { recursive: true });
  await edit?.(join(root, 'src'));
  return root;
}

async function scan(root: string): Promise<{ findings: Finding[]; output: string }> {
  const report = join(root, 'report.sarif');
  const input = join(root, 'src');
  const args = [
    '--import',
    pathToFileURL(join(import.meta.dirname, 'offline-dns.mjs')).href,
    SCANNER,
    '-i',
    input,
    '-e',
    '45.5.0',
    '-o',
    report,
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, output);
  const sarif = JSON.parse(await readFile(report, 'utf8')) as {
    runs: Array<{
      results: Array<{
        ruleId: string;
        message?: { text?: string };
        locations?: Array<{
          physicalLocation?: { artifactLocation?: { uri?: string }; region?: { startLine?: number } };
        }>;
      }>;
    }>;
  };
  const findings = sarif.runs.flatMap((run) =>
    run.results.map((result) => {
      const where = result.locations?.[0]?.physicalLocation;
      const uri = where?.artifactLocation?.uri;
      return {
        rule: result.ruleId,
        file: uri && uri !== 'N/A' ? relative(input, uri) : '(global)',
        ...(where?.region?.startLine !== undefined ? { line: where.region.startLine } : {}),
        message: result.message?.text ?? '',
      };
    }),
  );
  return { findings, output };
}

async function sourceFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.(ts|js|cjs|mjs|html)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe('electronegativity', () => {
  const dirs: string[] = [];
  after(() => removeDirs(...dirs));

  it('finds nothing in main/electron and preload, and reads them (a weakened copy is caught)', async () => {
    const clean = await sources();
    const weakened = await sources(async (src) => {
      const window = join(src, 'main/electron/window.ts');
      const text = await readFile(window, 'utf8');
      assert.match(text, /sandbox: true,/);
      assert.match(text, /contextIsolation: true,/);
      await writeFile(
        window,
        text
          .replace('sandbox: true,', 'sandbox: false,')
          .replace('contextIsolation: true,', 'contextIsolation: false,'),
      );
      const hardening = join(src, 'main/electron/hardening.ts');
      await writeFile(
        hardening,
        (await readFile(hardening, 'utf8')).replace(/\/\/ eng-disable OPEN_EXTERNAL_JS_CHECK.*/, ''),
      );
    });
    dirs.push(clean, weakened);
    const [ours, theirs] = await Promise.all([scan(clean), scan(weakened)]);
    assert.doesNotMatch(ours.output, /Error parsing/, 'every file parsed');
    assert.deepEqual(
      ours.findings,
      [],
      ours.findings.map((f) => `${f.rule} ${f.file}:${f.line ?? ''} ${f.message}`).join('\n'),
    );
    const caught = new Set(theirs.findings.map((finding) => `${finding.rule} ${finding.file}`));
    for (const expected of [
      'SANDBOX_JS_CHECK main/electron/window.ts',
      'CONTEXT_ISOLATION_JS_CHECK main/electron/window.ts',
      'OPEN_EXTERNAL_JS_CHECK main/electron/hardening.ts',
    ])
      assert.ok(caught.has(expected), `${expected} in ${[...caught].join(', ')}`);
  });

  it('has every rule it disables disabled on one line, with the reason', async () => {
    const disables: string[] = [];
    for (const folder of SCANNED) {
      for (const file of await sourceFiles(join(ROOT, folder))) {
        const lines = (await readFile(file, 'utf8')).split('\n');
        lines.forEach((line, index) => {
          if (!/eng-disable/.test(line)) return;
          const where = `${relative(ROOT, file)}:${index + 1}`;
          assert.ok(index > 0, `${where}: a file-wide disable on the first line`);
          assert.match(line, /\/\/ eng-disable [A-Z_]+_CHECK: \S.{10,}/, `${where}: one rule, a colon and the reason`);
          disables.push(where);
        });
      }
    }
    // The reviewed exceptions: the preload (ours, exposing only DesktopBridge), openExternal twice (https
    // only) and the CSP (computed, so the scanner cannot evaluate it; hardening.test.ts runs its evaluator).
    assert.equal(disables.length, 4, disables.join('\n'));
  });
});
