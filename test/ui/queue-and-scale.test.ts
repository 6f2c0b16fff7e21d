// The queue panel and a long folder, in Chromium against web mode: pause, resume and cancel a 200 MiB transfer
// from its job row; retry a job that failed because its server was gone, once it is back; a folder of 10,000
// entries keeps fewer than 200 rows in the DOM however far it is scrolled. Screenshots of the main window (light
// and dark, a transfer running) go to docs/screenshots.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Browser } from 'playwright-core';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { patternBytes } from '../helpers/pattern';
import { until } from '../helpers/until';
import { removeDirs, tempDir } from '../transfers/fixtures';
import { drag, launchBrowser, openApp, SCREENSHOTS, startApp, type AppPage, type RunningApp } from './harness';

const MiB = 1024 * 1024;

/** Makes the named folders (a trailing "/") and small files in `root`, with a few days' spread of dates. */
async function furnish(root: string, names: readonly string[]): Promise<void> {
  for (const [index, name] of names.entries()) {
    const path = join(root, name);
    if (name.endsWith('/')) await mkdir(path);
    else await writeFile(path, randomBytes(900 + index * 3_700));
    const when = new Date(Date.UTC(2026, 10, 20 + index, 9 + index, 14));
    await utimes(path, when, when);
  }
}

describe('the queue and long folders (web mode, Chromium)', () => {
  const dirs: string[] = [];
  let ftp: FtpServerHandle;
  let proxy: FaultProxy;
  let app: RunningApp;
  let browser: Browser;
  let ui: AppPage;
  let local: string;

  before(async () => {
    // Anonymous, so ftp:// addresses need no password (FileFerry logs in as anonymous with "anonymous@").
    ftp = await startFtpServer({ user: 'anonymous', password: 'anonymous@' });
    proxy = await startFaultProxy({ host: ftp.host, port: ftp.port });
    const home = await tempDir('ferry-ui-queue-home-');
    local = await tempDir('ferry-ui-queue-local-');
    dirs.push(home, local);
    app = await startApp(home);
    browser = await launchBrowser();
    ui = await openApp(browser, app);
    await mkdir(SCREENSHOTS, { recursive: true });
    // Folders that look like a working day's, for the screenshots (the tests only look at their own files).
    await furnish(ftp.root, ['releases/', 'backups/', 'site/', 'changelog.md', 'index.html', 'robots.txt']);
    await furnish(local, ['Documents/', 'Photos/', 'budget-2026.xlsx', 'invoice-1042.pdf', 'notes.md']);
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
    await proxy?.stop();
    await ftp?.stop();
    await removeDirs(...dirs);
  });

  it('pauses, resumes and cancels a 200 MiB transfer from its row in the queue', async () => {
    await pipeline(Readable.from(patternBytes('ui-big', 200 * MiB)), createWriteStream(join(ftp.root, 'big.bin')));
    // Slow enough to act on while it runs: 20 MiB/s through the proxy.
    proxy.throttle(20 * MiB, { direction: 'download' });
    await ui.open('left', local);
    await ui.open('right', `ftp://127.0.0.1:${proxy.port}/`);
    await drag(ui.row('right', 'big.bin'), ui.grid('left'));
    const job = ui.transfers().getByRole('listitem', { name: /big\.bin/ });
    await job.getByRole('progressbar').waitFor();
    await until(
      async () => Number(await job.getByRole('progressbar').getAttribute('aria-valuenow')) > 2,
      20_000,
      'progress shows',
    );
    await ui.page.screenshot({ path: join(SCREENSHOTS, 'two-panes-transfer-running.png') });

    await job.getByRole('button', { name: 'Pause big.bin' }).click();
    await ui
      .transfers()
      .getByRole('tab', { name: /Queued/ })
      .click();
    const paused = ui.transfers().getByRole('listitem', { name: /big\.bin/ });
    await paused.getByRole('button', { name: 'Resume big.bin' }).waitFor();
    const partial = (await readdir(local)).find((name) => name.endsWith('.ffpart'));
    assert.ok(partial, 'a paused download keeps its temporary');
    const kept = (await stat(join(local, partial))).size;

    await paused.getByRole('button', { name: 'Resume big.bin' }).click();
    await ui
      .transfers()
      .getByRole('tab', { name: /Active/ })
      .click();
    await until(
      async () => (await stat(join(local, partial)).catch(() => ({ size: 0 }))).size > kept,
      20_000,
      'continues',
    );
    await ui
      .transfers()
      .getByRole('listitem', { name: /big\.bin/ })
      .getByRole('button', { name: 'Cancel big.bin' })
      .click();
    await until(
      async () => (await readdir(local)).every((name) => !name.startsWith('.big.bin')),
      20_000,
      'temporary removed',
    );
    assert.ok(!(await readdir(local)).includes('big.bin'), 'nothing under the final name');
    proxy.clearFaults();
  });

  it('retries a job that failed while its server was down, once it is back', async () => {
    await writeFile(join(ftp.root, 'later.txt'), 'worth the wait');
    await ui.open('right', `ftp://127.0.0.1:${proxy.port}/`);
    await ui.row('right', 'later.txt').waitFor();
    await proxy.refuseAll();
    await drag(ui.row('right', 'later.txt'), ui.grid('left'));
    await ui
      .transfers()
      .getByRole('tab', { name: /Failed/ })
      .click();
    const failed = ui.transfers().getByRole('listitem', { name: /later\.txt/ });
    await failed.waitFor({ timeout: 60_000 });
    await proxy.acceptAll();
    await failed.getByRole('button', { name: 'Retry later.txt' }).click();
    await until(
      async () => (await readFile(join(local, 'later.txt'), 'utf8').catch(() => '')) === 'worth the wait',
      30_000,
      'retried',
    );
  });

  it('a folder of 10,000 entries: scrolled to the end, fewer than 200 rows are in the DOM', async () => {
    const many = join(local, 'many');
    await mkdir(many);
    for (let i = 0; i < 10_000; i += 500) {
      await Promise.all(
        Array.from({ length: 500 }, (_, j) => writeFile(join(many, `entry-${String(i + j).padStart(5, '0')}.txt`), '')),
      );
    }
    await ui.open('left', many);
    await ui.pane('left').getByText('10,000 items').waitFor();
    await ui.grid('left').focus();
    await ui.page.keyboard.press('End');
    await ui.row('left', 'entry-09999.txt').waitFor();
    const rows = await ui.grid('left').getByRole('row').count();
    assert.ok(rows < 200, `${rows} rows in the DOM`);
  });

  it('looks right in the dark theme too', async () => {
    await ui.page.close();
    const dark = await openApp(browser, app, { dark: true });
    await dark.open('left', local);
    await dark.open('right', `ftp://127.0.0.1:${ftp.port}/`);
    await dark.page.screenshot({ path: join(SCREENSHOTS, 'two-panes-dark.png') });
    assert.deepEqual(dark.errors, []);
  });
});
