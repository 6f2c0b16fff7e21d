// The history view in Debian's Chromium against web mode: a file dragged from one pane to the other shows up in
// it (done, with its size), the search and the result filter narrow it, an export writes a CSV with that record
// into the Downloads folder, and "show in pane" opens the folder of the copy with the file selected.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { until } from '../helpers/until';
import { removeDirs, tempDir } from '../transfers/fixtures';
import {
  launchBrowser,
  openApp,
  SCREENSHOTS,
  startApp,
  unexpectedErrors,
  type AppPage,
  type RunningApp,
} from './harness';

describe('the transfer history view (web mode, Chromium)', () => {
  const dirs: string[] = [];
  let app: RunningApp;
  let browser: Browser;
  let ui: AppPage;
  let source: string;
  let target: string;

  before(async () => {
    const home = await tempDir('ferry-ui-history-home-');
    source = await tempDir('ferry-ui-history-src-');
    target = await tempDir('ferry-ui-history-dst-');
    dirs.push(home, source, target);
    app = await startApp(home);
    browser = await launchBrowser();
    ui = await openApp(browser, app);
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
    await removeDirs(...dirs);
  });

  it('lists a transfer just made in a pane, filters it, exports it and shows it in a pane', async () => {
    await writeFile(join(source, 'quarterly report.pdf'), Buffer.alloc(48_213, 7));
    await mkdir(join(source, 'photos'));
    for (const name of ['beach.jpg', 'hills.jpg'])
      await writeFile(join(source, 'photos', name), Buffer.alloc(9_000, 1));
    await ui.open('left', source);
    await ui.open('right', target);
    for (const name of ['quarterly report.pdf', 'photos']) {
      await ui.row('left', name).dragTo(ui.grid('right'));
      await ui.row('right', name).waitFor({ timeout: 30_000 });
    }

    await ui.page.getByRole('button', { name: 'History', exact: true }).click();
    const view = ui.page.getByRole('dialog', { name: 'Transfer history' });
    const table = view.getByRole('table', { name: 'Transfer history' });
    const rows = table.getByRole('row').filter({ hasNotText: 'When' });
    await until(async () => (await rows.count()) === 3, 10_000, 'three records');
    const report = rows.filter({ hasText: 'quarterly report.pdf' });
    assert.match((await report.textContent()) ?? '', /Done/);
    assert.match((await report.textContent()) ?? '', /47\.1 KiB/);
    await ui.page.screenshot({ path: join(SCREENSHOTS, 'history.png') });

    // The search narrows it as you type; a result with no match says what to do.
    await view.getByRole('searchbox', { name: 'Search history' }).fill('quarterly');
    await until(async () => (await rows.count()) === 1, 10_000, 'one record left');
    await view.getByRole('combobox', { name: 'Result' }).selectOption('failed');
    await view.getByText('No transfer matches these filters').waitFor();
    await view.getByRole('combobox', { name: 'Result' }).selectOption('done');
    await until(async () => (await rows.count()) === 1, 10_000, 'the done record again');
    assert.match((await view.locator('footer').textContent()) ?? '', /1 of 3 records/);

    // A date range: today holds it, from tomorrow on nothing; one connection (the local disk) holds it too.
    const day = (offset: number) => {
      const date = new Date(Date.now() + offset * 86_400_000);
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
    };
    await view.getByRole('combobox', { name: 'When' }).selectOption('custom');
    await view.getByLabel('From', { exact: true }).fill(day(0));
    await view.getByLabel('To', { exact: true }).fill(day(0));
    await until(async () => (await rows.count()) === 1, 10_000, 'the record of today');
    await view.getByLabel('From', { exact: true }).fill(day(1));
    await view.getByLabel('To', { exact: true }).fill(day(1));
    await view.getByText('No transfer matches these filters').waitFor();
    await view.getByRole('combobox', { name: 'When' }).selectOption('any');
    await view.getByRole('combobox', { name: 'Connection' }).selectOption('local');
    await until(async () => (await rows.count()) === 1, 10_000, 'the record on the local disk');

    // The export holds what the filters show.
    await view.getByRole('button', { name: 'Export CSV' }).click();
    const notice = view.getByRole('status').filter({ hasText: 'Exported' });
    await notice.waitFor();
    const path = /Exported 1 record to (.+\.csv)$/.exec((await notice.textContent()) ?? '')?.[1];
    assert.ok(path, `no path in "${await notice.textContent()}"`);
    const lines = (await readFile(path, 'utf8')).trim().split(/\r\n/);
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[1]!, /quarterly report\.pdf/);
    assert.match(lines[1]!, /,done,/);

    // "Show in pane" opens the copy's folder in the right pane, with the file selected.
    await report.hover();
    await report
      .getByRole('button', { name: 'Show the destination of quarterly report.pdf in the right pane' })
      .click();
    await view.waitFor({ state: 'detached' });
    await until(
      async () => (await ui.pane('right').getByRole('textbox', { name: 'Address' }).inputValue()) === target,
      10_000,
      'the right pane at the copy’s folder',
    );
    await until(
      async () => (await ui.row('right', 'quarterly report.pdf').getAttribute('aria-selected')) === 'true',
      10_000,
      'the copy selected',
    );
    assert.deepEqual(unexpectedErrors(ui), []);
  });
});
