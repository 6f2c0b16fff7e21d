// Web mode in a real browser: Debian's Chromium (driven by playwright-core) opens the address the real
// `fileferry serve` prints. The page loads without a console error, the renderer reaches the API over the
// WebSocket and shows what it read (the files of the server's home folder), the launch cookie stays out of
// the page's reach, the Content-Security-Policy header blocks injected inline script, a page of another
// origin on this machine cannot open the API socket, and Ctrl-C stops the server cleanly (exit 0).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { API_VERSION } from '../../shared/api';
import { WIRE_PATH } from '../../shared/api/wire';
import { contentSecurityPolicy } from '../../shared/security';
import { expectExit, startCli, type RunningCli } from '../cli/run-cli';
import { until } from '../helpers/until';
import { removeDirs, tempDir } from '../transfers/fixtures';
import { ensureRendererBuilt, launchBrowser } from '../ui/harness';

const URL_LINE = /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/m;

describe('web mode in Chromium', () => {
  const dirs: string[] = [];
  let serve: RunningCli;
  let url: string;
  let origin: string;
  let browser: Browser;
  const proofName = `web-mode-proof-${randomBytes(4).toString('hex')}.txt`;

  before(async () => {
    ensureRendererBuilt();
    const [home, data] = [await tempDir('ferry-web-home-'), await tempDir('ferry-web-data-')];
    dirs.push(home, data);
    await writeFile(path.join(home, proofName), 'seen over the WebSocket');
    serve = startCli(data, ['serve', '--port', '0'], { HOME: home });
    await until(() => URL_LINE.test(serve.stdout()) || serve.child.exitCode !== null, 60_000, 'the printed URL');
    url = URL_LINE.exec(serve.stdout())?.[0] ?? assert.fail(`no URL printed: ${serve.stdout()}`);
    origin = new URL(url).origin;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    if (serve && serve.child.exitCode === null) serve.child.kill('SIGKILL');
    await removeDirs(...dirs);
  });

  /** A fresh page (own cookies) that records console errors, page errors and WebSocket frames. */
  async function openPage(): Promise<{ page: Page; errors: string[]; frames: string[] }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    const frames: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('websocket', (socket) => socket.on('framereceived', (frame) => frames.push(String(frame.payload))));
    return { page, errors, frames };
  }

  it('prints the address on a line of its own', () => {
    assert.ok(serve.stdout().split('\n').includes(url));
  });

  it('loads the page with no console error, reaches the API over the WebSocket and shows what it read', async () => {
    const { page, errors, frames } = await openPage();
    const response = await page.goto(url);
    assert.equal(response?.status(), 200);
    assert.equal(page.url(), `${origin}/`, 'the token left the address bar');
    await page.getByText(proofName).first().waitFor({ timeout: 30_000 });
    const messages = frames.map(
      (frame) => JSON.parse(frame) as { type: string; api?: number; value?: { api?: number; shell?: string } },
    );
    assert.ok(
      messages.some((m) => m.type === 'welcome' && m.api === API_VERSION),
      'welcomed',
    );
    assert.ok(
      messages.some((m) => m.type === 'result' && m.value?.api === API_VERSION && m.value.shell === 'web'),
      'app.info answered over the socket',
    );
    const [cookie] = await page.context().cookies();
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, 'Strict');
    assert.equal(await page.evaluate('document.cookie'), '', 'the page script cannot read the token');
    await page.waitForTimeout(500); // anything the first render still logs
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('the Content-Security-Policy header blocks an injected inline script and inline handlers', async () => {
    const { page } = await openPage();
    const response = await page.goto(url);
    const header = contentSecurityPolicy({ connect: [`ws://${new URL(origin).host}`] });
    assert.equal(await response?.headerValue('content-security-policy'), header);
    // Page scripts as strings: this file is type-checked for Node, without the DOM's types.
    await page.evaluate(`
      window.violations = [];
      document.addEventListener('securitypolicyviolation', (event) =>
        window.violations.push({ directive: event.effectiveDirective, policy: event.originalPolicy }));
    `);
    await page.addScriptTag({ content: 'window.injected = true;' }).catch(() => undefined);
    await page.evaluate(`
      const button = document.createElement('button');
      button.setAttribute('onclick', 'window.clicked = true');
      document.body.append(button);
      button.click();
    `);
    await page.waitForTimeout(200); // violation reports are dispatched asynchronously
    const outcome = (await page.evaluate(
      '({ injected: window.injected, clicked: window.clicked, violations: window.violations })',
    )) as { injected?: boolean; clicked?: boolean; violations: Array<{ directive: string; policy: string }> };
    assert.equal(outcome.injected, undefined, 'the injected script did not run');
    assert.equal(outcome.clicked, undefined, 'the inline handler did not run');
    const byHeader = outcome.violations.filter((v) => v.policy === header).map((v) => v.directive);
    assert.ok(
      byHeader.includes('script-src-elem'),
      `the header's policy blocked the script: ${JSON.stringify(outcome.violations)}`,
    );
    assert.ok(byHeader.includes('script-src-attr'), 'and the inline handler');
    await page.context().close();
  });

  it('a page of another origin on this machine cannot open the API socket, though the browser sends the cookie', async () => {
    // Same site (127.0.0.1, another port), so SameSite=Strict lets the cookie through: the Origin check refuses it.
    const { page } = await openPage();
    await page.goto(url);
    const other: Server = createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end('<!doctype html><title>elsewhere</title>');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      await page.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
      const tryToConnect = `new Promise((resolve) => {
        const socket = new WebSocket(${JSON.stringify(`${origin.replace(/^http/, 'ws')}${WIRE_PATH}`)});
        socket.onopen = () => resolve('opened');
        socket.onclose = (event) => resolve('closed ' + event.code);
      })`;
      assert.equal(await page.evaluate(tryToConnect), 'closed 1006');
      const own = await (await browser.newContext()).newPage();
      await own.goto(url);
      const ok = await own.evaluate(tryToConnect);
      assert.equal(ok, 'opened', 'the same script from the page itself connects');
      await own.context().close();
    } finally {
      other.close();
      await page.context().close();
    }
  });

  it('stops on Ctrl-C: saves, closes and exits 0', async () => {
    serve.child.kill('SIGINT');
    const result = await serve.result;
    expectExit(result, 0);
    assert.match(result.stderr, /stopping/);
  });
});
