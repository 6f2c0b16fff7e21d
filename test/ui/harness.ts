// The UI tests' world: the renderer built once, the real `fileferry serve` started on loopback with a data
// folder of the test's own, and Debian's Chromium driven by playwright-core. Tests find everything by role and
// accessible name, as a screen reader would: the regions "Left pane" / "Right pane", the textbox "Address",
// the grid "Files" and its rows named by file name, the region "Transfers".
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'main/cli/fileferry.mjs');
const CHROMIUM = '/usr/bin/chromium';

export const SCREENSHOTS = join(ROOT, 'docs/screenshots');

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

/** Builds the renderer when out/renderer is missing or older than its sources. */
export function ensureRendererBuilt(): void {
  const built = join(ROOT, 'out/renderer/index.html');
  const sources = Math.max(newest(join(ROOT, 'renderer')), newest(join(ROOT, 'shared')));
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  const build = spawnSync('npx', ['electron-vite', 'build', '--logLevel', 'warn'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
  });
  if (build.status !== 0) throw new Error(`electron-vite build failed: ${build.stdout}${build.stderr}`);
}

export interface RunningApp {
  url: string;
  origin: string;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/** Starts `fileferry serve` with FILEFERRY_HOME=home and resolves with the URL it prints. */
export async function startApp(home: string, env: Record<string, string> = {}): Promise<RunningApp> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  ensureRendererBuilt();
  await mkdir(home, { recursive: true });
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, FILEFERRY_HOME: home, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`fileferry serve printed no address in 30 s:\n${output}`)), 30_000);
    const check = () => {
      const match = /^(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m.exec(output);
      if (match) {
        clearTimeout(timer);
        done(match[1]!);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => fail(new Error(`fileferry serve exited ${code}:\n${output}`)));
  });
  return {
    url,
    origin: new URL(url).origin,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}

/**
 * Drags `from` onto `to` with the mouse, as a person does; with `shift`, Shift is held once the drag has started
 * (the move modifier on Linux and Windows).
 */
export async function drag(from: Locator, to: Locator, options: { shift?: boolean } = {}): Promise<void> {
  const page = from.page();
  const start = (await from.boundingBox())!;
  const end = (await to.boundingBox())!;
  await page.mouse.move(start.x + Math.min(40, start.width / 2), start.y + start.height / 2);
  await page.mouse.down();
  await page.mouse.move(start.x + 60, start.y + start.height / 2 + 30, { steps: 4 });
  if (options.shift) await page.keyboard.down('Shift');
  await page.mouse.move(end.x + end.width / 2, end.y + Math.min(end.height / 2, 200), { steps: 6 });
  await page.mouse.up();
  if (options.shift) await page.keyboard.up('Shift');
}

export interface AppPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and page errors seen so far. */
  errors: string[];
  pane(side: 'left' | 'right'): Locator;
  grid(side: 'left' | 'right'): Locator;
  row(side: 'left' | 'right', name: string): Locator;
  /** Types an address into a pane's address bar and presses Enter; waits until the listing is complete. */
  open(side: 'left' | 'right', address: string): Promise<void>;
  transfers(): Locator;
}

export async function openApp(browser: Browser, app: RunningApp, options: { dark?: boolean } = {}): Promise<AppPage> {
  const context = await browser.newContext({
    viewport: { width: 1400, height: 860 },
    colorScheme: options.dark ? 'dark' : 'light',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(app.url);
  const pane = (side: 'left' | 'right') =>
    page.getByRole('region', { name: side === 'left' ? 'Left pane' : 'Right pane' });
  const grid = (side: 'left' | 'right') => pane(side).getByRole('grid', { name: 'Files' });
  await grid('left').waitFor();
  return {
    page,
    context,
    errors,
    pane,
    grid,
    row: (side, name) => grid(side).getByRole('row', { name, exact: true }),
    async open(side, address) {
      const before = await pane(side).getAttribute('data-listing-id');
      const bar = pane(side).getByRole('textbox', { name: 'Address' });
      await bar.focus();
      await bar.fill(address);
      await bar.press('Enter');
      await waitListed(pane(side), before);
    },
    transfers: () => page.getByRole('region', { name: 'Transfers' }),
  };
}

/**
 * The page's errors, less one every modal dialog causes: Radix's scroll lock adds a <style> element that the
 * page's Content-Security-Policy refuses (harmless: the window never scrolls). Anything else is a fault.
 */
export function unexpectedErrors(ui: AppPage): string[] {
  return ui.errors.filter(
    (error) => !error.includes("violates the following Content Security Policy directive 'style-src"),
  );
}

/** Waits until the pane has finished a listing other than `before` (its data-listing-id). */
export async function waitListed(pane: Locator, before: string | null, timeout = 30_000): Promise<void> {
  await pane.page().waitForFunction(
    ({ element, before }) => {
      const id = element?.getAttribute('data-listing-id');
      const state = element?.getAttribute('data-listing');
      return id !== before && id !== null && (state === 'complete' || state === 'failed');
    },
    { element: await pane.elementHandle(), before },
    { timeout },
  );
}
