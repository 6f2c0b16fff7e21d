// The connection manager and the file grid's context menu in Debian's Chromium against web mode (`fileferry
// serve`), with real servers on loopback (ftp-srv, Azurite). Outcomes are checked where they land: the
// connections.json the app writes, the keychain (a test that only passes when the stored password logs in), the
// server's files, the blob's tier as Azurite reports it, the clipboard and a downloaded export.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import type { Browser } from 'playwright-core';
import { startAzurite, type AzuriteServer } from '../helpers/azurite';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';
import { until } from '../helpers/until';
import { base64, siteManagerXml } from '../imports/fixtures';
import { removeDirs, tempDir } from '../transfers/fixtures';
import { launchBrowser, openApp, SCREENSHOTS, startApp, type AppPage, type RunningApp } from './harness';
import {
  closeManager,
  openInPane,
  openManager,
  savedConnection,
  savedConnections,
  screenshotPath,
} from './harness-connections';

const HELLO = 'hello from the FTP server\n'.repeat(50);
const CONTAINER = 'ui-tiers';

describe('the connection manager and the file context menu (web mode, Chromium)', () => {
  const dirs: string[] = [];
  let ftp: FtpServerHandle;
  let azurite: AzuriteServer;
  let app: RunningApp;
  let browser: Browser;
  let ui: AppPage;
  let home: string;
  let userHome: string;
  let siteManager: string;

  before(async () => {
    [ftp, azurite] = await Promise.all([startFtpServer(), startAzurite()]);
    await writeFile(join(ftp.root, 'hello.txt'), HELLO);
    home = await tempDir('ferry-ui-cm-data-');
    // The app's HOME, where importSources looks for FileZilla's site manager.
    userHome = await tempDir('ferry-ui-cm-home-');
    dirs.push(home, userHome);
    siteManager = join(userHome, '.config', 'filezilla', 'sitemanager.xml');
    await mkdir(join(userHome, '.config', 'filezilla'), { recursive: true });
    await writeFile(
      siteManager,
      siteManagerXml(
        [{ name: 'Legacy SFTP', host: '127.0.0.1', port: 22, protocol: 1, user: 'me', pass: [undefined, 'x'] }],
        [
          {
            name: 'Imported FTP',
            host: '127.0.0.1',
            port: ftp.port,
            protocol: 6,
            user: ftp.user,
            pass: ['base64', base64(ftp.password)],
          },
        ],
      ),
    );
    app = await startApp(home, { HOME: userHome });
    browser = await launchBrowser();
    ui = await openApp(browser, app);
    await ui.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.origin });
    ui.page.setDefaultTimeout(15_000);
  });

  // A failed test leaves no dialog or menu behind to block the next one.
  afterEach(async () => {
    const open = async () => (await ui.page.getByRole('dialog').count()) + (await ui.page.getByRole('menu').count());
    for (let tries = 0; tries < 3 && (await open()) > 0; tries++) await ui.page.keyboard.press('Escape');
  });

  after(async () => {
    await browser?.close();
    await app?.stop();
    await Promise.all([ftp?.stop(), azurite?.stop()]);
    await removeDirs(...dirs);
  });

  it('creates an FTP connection with its password, tests it, shows a failed test, and opens it in a pane', async () => {
    const manager = await openManager(ui);
    await manager.getByRole('button', { name: 'New connection' }).click();
    await manager.getByLabel('Name', { exact: true }).fill('Test FTP');
    await manager.getByLabel('Group', { exact: true }).fill('Servers');
    await manager.getByLabel('Encryption').selectOption('none');
    await manager.getByLabel('Host').fill('127.0.0.1');
    await manager.getByLabel('Port').fill(String(ftp.port));
    await manager.getByLabel('User').fill(ftp.user);
    await manager.getByLabel('Password').fill(ftp.password);
    await manager.getByRole('button', { name: 'Save', exact: true }).click();
    await manager.getByRole('status').filter({ hasText: 'Saved “Test FTP”' }).waitFor();

    const saved = await savedConnection(home, 'Test FTP');
    assert.equal(saved.kind, 'ftp');
    assert.equal(saved.group, 'Servers');
    assert.deepEqual(
      [saved.spec.kind === 'ftp' && saved.spec.host, saved.spec.kind === 'ftp' && saved.spec.port],
      ['127.0.0.1', ftp.port],
    );
    assert.ok(!(await savedConnections(home)).text.includes(ftp.password), 'the password is not in connections.json');
    // Never shown back: the password field is gone, the manager says where it is.
    await manager.getByRole('group', { name: 'Password' }).filter({ hasText: 'Saved in the keychain' }).waitFor();
    assert.equal(await manager.locator('input[type="password"]').count(), 0);

    // The test logs in with the stored password, so it proves the keychain holds it.
    await manager.getByRole('button', { name: 'Test', exact: true }).click();
    await manager.getByText(/Connected: \/ was listed in/).waitFor();

    // A wrong password: the test fails inline with the server's reason.
    await manager.getByRole('button', { name: 'Change the password' }).click();
    await manager.getByLabel('Password').fill('not-the-password');
    await manager.getByRole('button', { name: 'Test', exact: true }).click();
    await manager.getByText(/The test failed \(AuthFailed\)/).waitFor();
    await manager.getByRole('button', { name: 'Change the password' }).click();
    await manager.getByLabel('Password').fill(ftp.password);
    await manager.getByRole('button', { name: 'Save', exact: true }).click();
    await manager.getByRole('button', { name: 'Test', exact: true }).click();
    await manager.getByText(/Connected: \/ was listed in/).waitFor();

    await closeManager(ui);
    await openInPane(ui, 'right', 'Test FTP');
    await ui.row('right', 'hello.txt').waitFor();
    assert.match(await ui.pane('right').getByRole('button', { name: 'Connection' }).innerText(), /Test FTP/);
  });

  it('duplicates a connection with its password, then deletes the copy after a confirmation naming it', async () => {
    const manager = await openManager(ui);
    const list = manager.getByRole('listbox', { name: 'Saved connections' });
    await list.getByRole('option', { name: 'Test FTP', exact: true }).click();
    await manager.getByRole('button', { name: 'Duplicate', exact: true }).click();
    await list.getByRole('option', { name: 'Test FTP (copy)', selected: true }).waitFor();
    assert.deepEqual((await savedConnections(home)).connections.map((c) => c.name).sort(), [
      'Test FTP',
      'Test FTP (copy)',
    ]);
    // The copy has the password too: its test logs in.
    await manager.getByRole('button', { name: 'Test', exact: true }).click();
    await manager.getByText(/Connected: \/ was listed in/).waitFor();

    await manager.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = ui.page.getByRole('dialog', { name: 'Delete “Test FTP (copy)”?' });
    await confirm.waitFor();
    assert.match(await confirm.innerText(), /ftp:\/\/ferry@127\.0\.0\.1:\d+\/ is removed/);
    // (Page code as text: this file is type-checked without the DOM's types.)
    assert.equal(
      await ui.page.evaluate<string>('document.activeElement?.textContent'),
      'Cancel',
      'the safe button has the focus',
    );
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await list.getByRole('option', { name: 'Test FTP (copy)' }).waitFor({ state: 'detached' });
    assert.deepEqual(
      (await savedConnections(home)).connections.map((c) => c.name),
      ['Test FTP'],
    );
    await closeManager(ui);
  });

  it("imports FileZilla's site manager found on this computer: the preview, then the chosen site saved with its password", async () => {
    const manager = await openManager(ui);
    await manager.getByRole('button', { name: 'Import…' }).click();
    await manager
      .getByRole('group', { name: 'Found on this computer' })
      .getByRole('button', { name: new RegExp(siteManager.replace(/[.]/g, '\\.')) })
      .click();
    const table = manager.getByRole('table');
    await table.waitFor();
    const row = (name: string) => table.getByRole('row').filter({ hasText: name });
    assert.match(await row('Imported FTP').innerText(), /Ready/);
    assert.match(await row('Legacy SFTP').innerText(), /Unsupported/);
    assert.equal(await manager.getByRole('checkbox', { name: 'Import FileZilla: Legacy SFTP' }).isDisabled(), true);
    assert.equal(await manager.getByRole('checkbox', { name: 'Import Imported FTP' }).isChecked(), true);
    await manager.getByRole('button', { name: 'Import 1 connection' }).click();
    await manager.getByRole('status').filter({ hasText: 'Imported 1 connection: Imported FTP' }).waitFor();

    const imported = await savedConnection(home, 'Imported FTP');
    assert.equal(imported.group, 'Clients');
    const list = manager.getByRole('listbox', { name: 'Saved connections' });
    await list.getByRole('group', { name: 'Clients' }).getByRole('option', { name: 'Imported FTP' }).click();
    await manager.getByRole('button', { name: 'Test', exact: true }).click();
    await manager.getByText(/Connected: \/ was listed in/).waitFor();
    await closeManager(ui);
  });

  it('asks before throwing away unsaved changes, and keeps them when asked to', async () => {
    const manager = await openManager(ui);
    const list = manager.getByRole('listbox', { name: 'Saved connections' });
    await list.getByRole('option', { name: 'Test FTP', exact: true }).click();
    await manager.getByLabel('Notes').fill('edited, not saved');
    await list.getByRole('option', { name: 'Imported FTP' }).click();
    const question = ui.page.getByRole('dialog', { name: 'Discard your changes?' });
    await question.getByRole('button', { name: 'Keep editing' }).click();
    assert.equal(await manager.getByLabel('Notes').inputValue(), 'edited, not saved');
    await ui.page.keyboard.press('Escape');
    await question.getByRole('button', { name: 'Discard' }).click();
    await manager.waitFor({ state: 'detached' });
    assert.equal((await savedConnection(home, 'Test FTP')).notes, undefined, 'nothing was saved');
  });

  it('exports the connections as a download, without secrets', async () => {
    const manager = await openManager(ui);
    await manager.getByRole('button', { name: 'Export…' }).click();
    const [download] = await Promise.all([
      ui.page.waitForEvent('download'),
      manager.getByRole('link', { name: 'Download' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'fileferry-connections.json');
    const text = await readFile((await download.path())!, 'utf8');
    const exported = JSON.parse(text) as { format: string; connections: Array<{ name: string }> };
    assert.equal(exported.format, 'fileferry-connections');
    assert.deepEqual(exported.connections.map((c) => c.name).sort(), ['Imported FTP', 'Test FTP']);
    assert.ok(!text.includes(ftp.password), 'no password in the export');
    await closeManager(ui);
  });

  it('the context menu: Properties shows the size the server reports, Copy address copies the ftp:// address, Rename renames on the server', async () => {
    await openInPane(ui, 'right', 'Test FTP');
    await ui.row('right', 'hello.txt').click({ button: 'right' });
    await ui.page.getByRole('menuitem', { name: 'Properties' }).click();
    const properties = ui.page.getByRole('dialog', { name: 'Properties of hello.txt' });
    await properties.waitFor();
    await properties.getByText(`(${HELLO.length.toLocaleString('en-US')} bytes)`).waitFor();
    await properties.getByRole('status').filter({ hasNotText: 'Asking' }).waitFor();
    await ui.page.screenshot({ path: await screenshotPath('properties-light.png') });
    await properties.getByRole('button', { name: 'Close' }).click();
    await properties.waitFor({ state: 'detached' });

    await ui.row('right', 'hello.txt').click({ button: 'right' });
    await ui.page.getByRole('menuitem', { name: 'Copy address' }).click();
    const expected = `ftp://${ftp.user}@127.0.0.1:${ftp.port}/hello.txt`;
    await until(
      async () => (await ui.page.evaluate<string>('navigator.clipboard.readText()')) === expected,
      5000,
      'the address on the clipboard',
    );

    await ui.row('right', 'hello.txt').click({ button: 'right' });
    await ui.page.getByRole('menuitem', { name: 'Rename' }).click();
    const field = ui.pane('right').getByRole('textbox', { name: 'New name for hello.txt' });
    await field.fill('renamed.txt');
    await field.press('Enter');
    await ui.row('right', 'renamed.txt').waitFor();
    assert.equal(await readFile(join(ftp.root, 'renamed.txt'), 'utf8'), HELLO);

    // From the keyboard (Shift+F10), the menu is the focused row's.
    await ui.grid('right').focus();
    await ui.page.keyboard.press('Shift+F10');
    await ui.page.getByRole('menu', { name: 'renamed.txt' }).waitFor();
    await ui.page.keyboard.press('Escape');
  });

  it('creates an Azure connection in the manager; the context menu changes a blob’s tier and restores an archived one', async () => {
    const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
    const container = blobs.getContainerClient(CONTAINER);
    await container.create();
    await container.getBlockBlobClient('report.csv').upload('a,b\n1,2\n', 8);
    await container.getBlockBlobClient('old.bak').upload('backup', 6, { tier: 'Archive' });

    const manager = await openManager(ui);
    await manager.getByRole('button', { name: 'New connection' }).click();
    await manager.getByLabel('Name', { exact: true }).fill('Azurite');
    await manager.getByLabel('Group', { exact: true }).fill('Cloud');
    await manager.getByLabel('Protocol').selectOption('azure-blob');
    await manager.getByLabel('Storage account').fill(azurite.account);
    await manager.getByLabel('Container').fill(CONTAINER);
    await manager.getByLabel('Sign-in').selectOption('connection-string');
    await manager.getByLabel('Connection string').fill(azurite.connectionString);
    await manager.getByRole('button', { name: 'Test', exact: true }).click();
    await manager.getByText(/Connected: \/ was listed in/).waitFor();
    const saved = await savedConnection(home, 'Azurite');
    assert.equal(saved.kind, 'azure-blob');
    assert.ok(
      !(await savedConnections(home)).text.includes(azurite.accountKey),
      'the connection string is not in connections.json',
    );
    await closeManager(ui);

    await openInPane(ui, 'left', 'Azurite');
    await ui.row('left', 'report.csv').click({ button: 'right' });
    await ui.page.getByRole('menuitem', { name: 'Change access tier…' }).click();
    const change = ui.page.getByRole('dialog', { name: 'Change the access tier of report.csv' });
    await change.getByRole('radio', { name: /^Cool/ }).check();
    await ui.page.screenshot({ path: await screenshotPath('access-tier-light.png') });
    await change.getByRole('button', { name: 'Change', exact: true }).click();
    await change.waitFor({ state: 'detached' });
    assert.equal((await container.getBlockBlobClient('report.csv').getProperties()).accessTier, 'Cool');

    await ui.row('left', 'old.bak').click({ button: 'right' });
    await ui.page.getByRole('menuitem', { name: 'Restore / change tier…' }).click();
    const restore = ui.page.getByRole('dialog', { name: 'Restore old.bak' });
    await restore.getByRole('radio', { name: /^Hot/ }).check();
    await restore.getByRole('button', { name: 'Restore', exact: true }).click();
    await restore.waitFor({ state: 'detached' });
    // Azurite rehydrates at once; Azure would report rehydrate-pending-to-hot for hours.
    assert.equal((await container.getBlockBlobClient('old.bak').getProperties()).accessTier, 'Hot');

    // The manager as the documentation shows it: a few kinds of connection, one just tested, no stale toasts.
    const dismiss = ui.page.locator('.toasts').getByRole('button', { name: 'Dismiss' });
    while ((await dismiss.count()) > 0) await dismiss.first().click();
    const shown = await openManager(ui);
    await shown.getByRole('option', { name: 'Test FTP', exact: true }).click();
    await shown.getByRole('button', { name: 'Test', exact: true }).click();
    await shown.getByText(/Connected: \/ was listed in/).waitFor();
    const shot = await screenshotPath('connection-manager-light.png');
    await ui.page.screenshot({ path: shot });
    await mkdir(SCREENSHOTS, { recursive: true });
    await copyFile(shot, join(SCREENSHOTS, 'connection-manager.png'));
    await closeManager(ui);
  });
});
