// The window when FileFerry itself goes away (the serve process stopped or crashed) while a folder is listing:
// the pane must stop saying "Listing…" and say what happened and what to do, not wait for ever. The listing
// is of an FTP address whose connect never completes (unanswered-port.ts), so it is still under way when the
// core stops; the core must not wait for that connect to time out before it exits.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startUnansweredPort, type UnansweredPort } from '../helpers/unanswered-port';
import { removeDirs, tempDir } from '../transfers/fixtures';
import { launchBrowser, openApp, startApp, type AppPage, type RunningApp } from './harness';

describe('the window when the core goes away (web mode, Chromium)', () => {
  const dirs: string[] = [];
  let port: UnansweredPort;
  let app: RunningApp;
  let browser: Browser;
  let ui: AppPage;

  before(async () => {
    port = await startUnansweredPort();
    const home = await tempDir('ferry-ui-gone-home-');
    dirs.push(home);
    app = await startApp(home);
    browser = await launchBrowser();
    ui = await openApp(browser, app);
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
    await port?.stop();
    await removeDirs(...dirs);
  });

  it('a listing under way when the core stops ends with an error that says to reload, not "Listing…" for ever', async () => {
    const pane = ui.pane('right');
    const bar = pane.getByRole('textbox', { name: 'Address' });
    await bar.fill(`ftp://127.0.0.1:${port.port}/`);
    await bar.press('Enter');
    await pane
      .getByText(/Listing/)
      .first()
      .waitFor();
    assert.equal(await pane.getAttribute('data-listing'), 'loading');

    // Stopping does not wait for the connect under way (it would time out after 30 s): the open is abandoned.
    const stopping = Date.now();
    await app.stop();
    assert.ok(Date.now() - stopping < 10_000, `serve took ${Date.now() - stopping} ms to stop`);
    const alert = pane.getByRole('alert');
    await alert.waitFor({ timeout: 10_000 });
    assert.match((await alert.textContent()) ?? '', /connection to FileFerry closed.*reload the page/i);
    assert.equal(await pane.getAttribute('data-listing'), 'failed');
  });
});
