// Two things that reach the window from outside it, in Debian's Chromium against web mode: an FTPS server whose
// certificate no authority vouches for (the pane says so and offers the trust dialog, which pins exactly the
// certificate shown), and files dropped from the desktop onto a pane open on an Azurite container (uploaded
// through the page's upload route, streamed into the blob). Outcomes are checked where they land: the pin in
// connections.json and the server listed, the blob's bytes by SHA-256.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import type { Browser } from 'playwright-core';
import { startAzurite, type AzuriteServer } from '../helpers/azurite';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';
import { removeDirs, tempDir } from '../transfers/fixtures';
import { launchBrowser, openApp, SCREENSHOTS, startApp, type AppPage, type RunningApp } from './harness';
import { closeManager, openInPane, openManager, savedConnection } from './harness-connections';

const CONTAINER = 'ui-drops';
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('certificates to trust and files dropped from the desktop (web mode, Chromium)', () => {
  const dirs: string[] = [];
  let ftps: FtpServerHandle;
  let azurite: AzuriteServer;
  let app: RunningApp;
  let browser: Browser;
  let ui: AppPage;
  let home: string;

  before(async () => {
    [ftps, azurite] = await Promise.all([startFtpServer({ tls: 'explicit' }), startAzurite()]);
    await writeFile(join(ftps.root, 'secret-plans.txt'), 'only over TLS\n');
    home = await tempDir('ferry-ui-trust-');
    dirs.push(home);
    app = await startApp(home);
    browser = await launchBrowser();
    ui = await openApp(browser, app);
    ui.page.setDefaultTimeout(15_000);
  });

  after(async () => {
    await browser?.close();
    await app?.stop();
    await Promise.all([ftps?.stop(), azurite?.stop()]);
    await removeDirs(...dirs);
  });

  async function saveFtps(name: string): Promise<void> {
    const manager = await openManager(ui);
    await manager.getByRole('button', { name: 'New connection' }).click();
    await manager.getByLabel('Name', { exact: true }).fill(name);
    await manager.getByLabel('Encryption').selectOption('explicit');
    await manager.getByLabel('Host').fill('127.0.0.1');
    await manager.getByLabel('Port').fill(String(ftps.port));
    await manager.getByLabel('User').fill(ftps.user);
    await manager.getByLabel('Password').fill(ftps.password);
    await manager.getByRole('button', { name: 'Save', exact: true }).click();
    await manager
      .getByRole('status')
      .filter({ hasText: `Saved “${name}”` })
      .waitFor();
  }

  it('an untrusted FTPS certificate: the pane offers a review, the dialog shows the certificate, "Trust always" pins it', async () => {
    await saveFtps('Secure FTP');
    await closeManager(ui);
    const pane = ui.pane('left');
    await pane.getByRole('button', { name: 'Connection' }).click();
    await ui.page
      .getByRole('menuitem')
      .filter({ has: ui.page.getByText('Secure FTP', { exact: true }) })
      .click();
    await pane.getByText(/certificate is not trusted/).waitFor();
    assert.equal(
      await ui.row('left', 'secret-plans.txt').count(),
      0,
      'nothing was listed over the untrusted connection',
    );

    await pane.getByRole('button', { name: 'Review certificate' }).click();
    const dialog = ui.page.getByRole('dialog', { name: "Trust this server's certificate?" });
    await dialog.waitFor();
    // What FileZilla shows before trusting: the names in it, its validity and the fingerprint to compare.
    const text = await dialog.innerText();
    assert.ok(text.includes(ftps.certificate!.sha256Fingerprint), `the fingerprint is shown:\n${text}`);
    assert.match(text, /Subject\s+FileFerry test/);
    assert.match(text, /Valid until\s+\w{3} +\d+ [\d:]+ \d{4} GMT/);
    // Cancel is the focused button: pressing Enter by habit trusts nothing.
    assert.equal(
      await dialog.getByRole('button', { name: 'Cancel' }).evaluate((b) => b === b.ownerDocument.activeElement),
      true,
    );
    await mkdir(SCREENSHOTS, { recursive: true });
    await ui.page.screenshot({ path: join(SCREENSHOTS, 'trust-certificate.png') });

    await dialog.getByRole('button', { name: 'Trust always' }).click();
    await ui.row('left', 'secret-plans.txt').waitFor();
    const saved = await savedConnection(home, 'Secure FTP');
    assert.deepEqual('pinnedFingerprints' in saved.spec && saved.spec.pinnedFingerprints, [
      ftps.certificate!.sha256Hex,
    ]);

    // A later launch connects without asking.
    await ui.context.close();
    await app.stop();
    app = await startApp(home);
    ui = await openApp(browser, app);
    ui.page.setDefaultTimeout(15_000);
    await openInPane(ui, 'left', 'Secure FTP');
    await ui.row('left', 'secret-plans.txt').waitFor();
    assert.equal(await ui.page.getByRole('dialog').count(), 0, 'no trust question');
    assert.equal(await ui.pane('left').getByRole('button', { name: 'Review certificate' }).count(), 0);
  });

  it('the connection manager: a test that fails on the certificate offers to trust it, and the test then passes', async () => {
    await saveFtps('Secure FTP 2');
    const manager = ui.page.getByRole('dialog', { name: 'Connections' });
    await manager.getByRole('button', { name: 'Test', exact: true }).click();
    await manager.getByText(/The test failed \(Protocol\)/).waitFor();
    await manager.getByRole('button', { name: 'Trust this certificate' }).click();
    await manager.getByText(/Connected: \/ was listed in/).waitFor();
    const saved = await savedConnection(home, 'Secure FTP 2');
    assert.deepEqual('pinnedFingerprints' in saved.spec && saved.spec.pinnedFingerprints, [
      ftps.certificate!.sha256Hex,
    ]);
    await closeManager(ui);
  });

  it('files dropped from the desktop onto an Azurite pane are uploaded, byte for byte', async () => {
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(CONTAINER);
    await container.create();
    const manager = await openManager(ui);
    await manager.getByRole('button', { name: 'New connection' }).click();
    await manager.getByLabel('Name', { exact: true }).fill('Drops');
    await manager.getByLabel('Protocol').selectOption('azure-blob');
    await manager.getByLabel('Storage account').fill(azurite.account);
    await manager.getByLabel('Container').fill(CONTAINER);
    await manager.getByLabel('Sign-in').selectOption('connection-string');
    await manager.getByLabel('Connection string').fill(azurite.connectionString);
    await manager.getByRole('button', { name: 'Save', exact: true }).click();
    await manager.getByRole('status').filter({ hasText: 'Saved “Drops”' }).waitFor();
    await closeManager(ui);
    await openInPane(ui, 'right', 'Drops');

    // Two files as the desktop hands them to a page: File objects in a drop event's DataTransfer.
    const files = [
      { name: 'photo.jpg', bytes: randomBytes(3 * 1024 * 1024 + 17) },
      { name: 'notes ü.txt', bytes: Buffer.from('dropped from the desktop\n') },
    ];
    // Page code as a string: the tests compile without the DOM's types.
    const payload = JSON.stringify(files.map((file) => ({ name: file.name, base64: file.bytes.toString('base64') })));
    const dataTransfer = await ui.page.evaluateHandle(`(() => {
      const transfer = new DataTransfer();
      for (const file of ${payload}) {
        const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
        transfer.items.add(new File([bytes], file.name));
      }
      return transfer;
    })()`);
    const grid = ui.pane('right').getByRole('grid', { name: 'Files' });
    await grid.dispatchEvent('dragenter', { dataTransfer });
    await grid.dispatchEvent('dragover', { dataTransfer });
    await grid.dispatchEvent('drop', { dataTransfer });

    for (const file of files) await ui.row('right', file.name).waitFor();
    for (const file of files) {
      const blob = await container.getBlockBlobClient(file.name).downloadToBuffer();
      assert.equal(sha256(blob), sha256(file.bytes), `${file.name} arrived byte for byte`);
    }
  });
});
