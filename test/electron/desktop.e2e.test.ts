// The desktop app end to end with Playwright's Electron driver: the real main process, preload and window (built
// into a folder of its own), a temporary data folder (FILEFERRY_HOME). It starts, the page is ours (served from
// app://fileferry/ with the CSP header, no Node in it), lists a folder of the local disk and runs one transfer,
// all through the preload's bridge. It needs an Electron binary and a display; where either is missing (as on
// the machines these tests usually run on: no binary can be downloaded) it is skipped, and says why.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile, readFile, stat, symlink, writeFile, mkdir } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import type { DesktopBridge } from '../../shared/api';
import { removeDirs, tempDir } from '../transfers/fixtures';

const ROOT = join(import.meta.dirname, '..', '..');
/**
 * The page's global, as the preload sets it up. The functions handed to page.evaluate run in the page: they must
 * not bind an arrow function to a name (const f = () => …), which tsx wraps in a __name() the page lacks.
 */
type InPage = { fileferry: DesktopBridge };
const require = createRequire(import.meta.url);

/** The Electron binary without triggering its download (requiring 'electron' would start one), or why not. */
function electronBinary(): { path: string } | { why: string } {
  const electronDir = dirname(require.resolve('electron/package.json'));
  const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  const pathFile = join(electronDir, 'path.txt');
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  const candidate = override ? join(override, name ?? 'electron') : name ? join(electronDir, 'dist', name) : undefined;
  if (candidate && existsSync(candidate)) return { path: candidate };
  return {
    why: `no Electron binary (${candidate ?? `${electronDir}/dist`} is missing and none can be downloaded here)`,
  };
}

function whySkipped(): string | undefined {
  const binary = electronBinary();
  if ('why' in binary) return binary.why;
  if (process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY'])
    return 'no display (DISPLAY and WAYLAND_DISPLAY are unset; run it under xvfb-run)';
  return undefined;
}

// Skipped as a whole: node's reporter prints the one line with the reason, and counts nothing as passed.
const skip = whySkipped();

describe('the desktop app (Electron, end to end)', { skip: skip ?? false }, () => {
  const dirs: string[] = [];
  let app: ElectronApplication;
  let page: Page;
  let disk: string;

  before(async () => {
    const binary = electronBinary();
    assert.ok('path' in binary);
    const project = await tempDir('ferry-e2e-app-');
    const dataDir = await tempDir('ferry-e2e-data-');
    disk = await tempDir('ferry-e2e-disk-');
    dirs.push(project, dataDir, disk);
    const manifest = require.resolve('electron-vite/package.json');
    const { bin } = JSON.parse(await readFile(manifest, 'utf8')) as { bin: Record<string, string> };
    const build = spawnSync(
      process.execPath,
      [join(dirname(manifest), bin['electron-vite']!), 'build', '--outDir', join(project, 'out'), '--logLevel', 'warn'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    assert.equal(build.status, 0, `${build.stdout}${build.stderr}`);
    await copyFile(join(ROOT, 'package.json'), join(project, 'package.json'));
    await symlink(join(ROOT, 'node_modules'), join(project, 'node_modules'), 'dir');
    app = await _electron.launch({
      executablePath: binary.path,
      // Chromium refuses to start as root with its sandbox on; everywhere else the sandbox stays.
      args: process.getuid?.() === 0 ? ['--no-sandbox', project] : [project],
      env: { ...process.env, FILEFERRY_HOME: dataDir, ELECTRON_RENDERER_URL: '' } as Record<string, string>,
      timeout: 60_000,
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });
  after(async () => {
    await app?.close();
    await removeDirs(...dirs);
  });

  it('starts with our page from app://fileferry/, with the CSP and without Node', async () => {
    assert.equal(page.url(), 'app://fileferry/index.html');
    const globals = await page.evaluate(() => ({
      bridge: typeof (globalThis as Record<string, unknown>)['fileferry'],
      require: typeof (globalThis as Record<string, unknown>)['require'],
      process: typeof (globalThis as Record<string, unknown>)['process'],
    }));
    assert.deepEqual(globals, { bridge: 'object', require: 'undefined', process: 'undefined' });
    // A string, so this Node-typed file needs no DOM types.
    const inline = await page.evaluate(`(() => {
      const script = document.createElement('script');
      script.textContent = 'globalThis.__inlineRan = true';
      document.head.append(script);
      return globalThis.__inlineRan === true;
    })()`);
    assert.equal(inline, false, 'the CSP blocks an injected inline script');
    const info = await page.evaluate(() => (globalThis as unknown as InPage).fileferry['app.info'](undefined));
    assert.equal(info.shell, 'desktop');
  });

  it('lists a folder of the local disk', async () => {
    await writeFile(join(disk, 'a.txt'), 'a');
    await mkdir(join(disk, 'photos'));
    const names = await page.evaluate(async (root) => {
      const bridge = (globalThis as unknown as InPage).fileferry;
      const seen: string[] = [];
      const stop = bridge.events.listing((page) => seen.push(...page.entries.map((entry) => entry.name)));
      await bridge['browse.list']({
        listingId: 'e2e',
        location: { connection: { spec: { kind: 'local', root } }, path: '/' },
      });
      stop();
      return seen.sort();
    }, disk);
    assert.deepEqual(names, ['a.txt', 'photos']);
  });

  it('runs one transfer to completion', async () => {
    await writeFile(join(disk, 'report.csv'), 'x,y\n1,2\n');
    await mkdir(join(disk, 'copies'));
    const state = await page.evaluate(async (root) => {
      const bridge = (globalThis as unknown as InPage).fileferry;
      const local = { connection: { spec: { kind: 'local' as const, root } } };
      const added: { id?: string } = {};
      const finished = new Map<string, string>();
      const done = new Promise<string>((resolve) => {
        const stop = bridge.events.transfer((event) => {
          if (event.type !== 'job' || !['completed', 'failed', 'cancelled'].includes(event.job.state)) return;
          finished.set(event.job.id, event.job.state);
          if (event.job.id !== added.id) return;
          stop();
          resolve(event.job.state);
        });
      });
      const job = await bridge['transfers.add']({
        source: { ...local, path: '/report.csv' },
        target: { ...local, path: '/copies' },
        intoFolder: true,
      });
      added.id = job.id;
      return finished.get(job.id) ?? (await done);
    }, disk);
    assert.equal(state, 'completed');
    assert.equal(await readFile(join(disk, 'copies', 'report.csv'), 'utf8'), 'x,y\n1,2\n');
    assert.ok((await stat(join(disk, 'report.csv'))).isFile(), 'the source stays');
  });
});
