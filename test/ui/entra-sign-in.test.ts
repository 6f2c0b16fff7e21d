// Entra ID sign-in from the window, in Debian's Chromium against web mode: `fileferry serve` started with
// NODE_EXTRA_CA_CERTS naming the OIDC stub's certificate (so MSAL and the Azure SDK trust it with every check
// on), Azurite in its OAuth mode (HTTPS, bearer tokens checked) holding a blob put there with the account key,
// and the local OIDC stub standing in for Entra ID. An Entra connection is made in the connection manager;
// opening it shows "Sign in to Azure" with the device code, and the "person" enters the code at the stub.
// Outcomes are checked where they land: the blob listed in the pane, the token cache in the keychain, the
// clipboard, the pane's and the manager's own states after a cancel or a refusal.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Locator } from 'playwright-core';
import { DEFAULT_SERVICE, KeychainCredentialStore } from '../../main/core/credentials';
import { cleanEnv, expectExit, runCli } from '../cli/run-cli';
import { AZURITE_ACCOUNT, type AzuriteServer } from '../helpers/azurite';
import { startEntraAzurite } from '../helpers/entra-azurite';
import { requireKeyring } from '../helpers/keyring';
import { startOidcStub, type OidcStub } from '../helpers/oidc-stub';
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
import { closeManager, openManager, savedConnection, savedConnections, screenshotPath } from './harness-connections';

const CONTAINER = 'signin-box';
const USER_CODE = /^U[0-9A-Z]{6}$/;

describe('Entra ID sign-in from the window (web mode, Chromium)', () => {
  const dirs: string[] = [];
  const data = randomBytes(4096);
  let stub: OidcStub;
  let azurite: AzuriteServer;
  let credentials: KeychainCredentialStore;
  let app: RunningApp;
  let browser: Browser;
  let ui: AppPage;
  let home: string;

  before(async () => {
    credentials = new KeychainCredentialStore(await requireKeyring(), DEFAULT_SERVICE);
    stub = await startOidcStub();
    azurite = await startEntraAzurite(stub);
    home = await tempDir('ferry-ui-entra-');
    // The app's HOME, which the left pane shows: a few files, so the screenshot looks like a working day's.
    const userHome = await tempDir('ferry-ui-entra-home-');
    const cliHome = await tempDir('ferry-ui-entra-cli-');
    dirs.push(home, userHome, cliHome);
    for (const folder of ['Documents', 'Downloads', 'reports']) await mkdir(join(userHome, folder));
    await writeFile(join(userHome, 'budget-2026.csv'), 'month,amount\n'.repeat(200));
    await writeFile(join(userHome, 'notes.md'), '# notes\n');

    // A blob to list, put there by the command line with the account key (Azurite's OAuth mode accepts it too).
    const file = join(cliHome, 'data.bin');
    await writeFile(file, data);
    const keyEnv = {
      ...cleanEnv(),
      NODE_EXTRA_CA_CERTS: stub.certificate.certPath,
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    };
    expectExit(await runCli(cliHome, ['mkdir', `az://${AZURITE_ACCOUNT}/${CONTAINER}`], keyEnv), 0);
    expectExit(await runCli(cliHome, ['cp', file, `az://${AZURITE_ACCOUNT}/${CONTAINER}/`], keyEnv), 0);

    app = await startApp(home, { HOME: userHome, NODE_EXTRA_CA_CERTS: stub.certificate.certPath });
    browser = await launchBrowser();
    ui = await openApp(browser, app);
    await ui.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.origin });
    ui.page.setDefaultTimeout(20_000);
  });

  // A failed test leaves no dialog behind to block the next one (Escape cancels a waiting sign-in).
  afterEach(async () => {
    for (let tries = 0; tries < 3 && (await ui.page.getByRole('dialog').count()) > 0; tries++)
      await ui.page.keyboard.press('Escape');
  });

  after(async () => {
    // The sign-ins' token caches are in the session's keychain, under each connection's id.
    if (home && credentials) {
      for (const { id } of (await savedConnections(home)).connections)
        await credentials.delete(id).catch(() => undefined);
    }
    await browser?.close();
    await app?.stop();
    await azurite?.stop();
    await stub?.stop();
    await removeDirs(...dirs);
  });

  /** Makes an Entra ID connection in the connection manager, as a person would; leaves the manager open. */
  async function saveEntra(name: string): Promise<Locator> {
    const manager = await openManager(ui);
    await manager.getByRole('button', { name: 'New connection' }).click();
    await manager.getByLabel('Name', { exact: true }).fill(name);
    await manager.getByLabel('Protocol').selectOption('azure-blob');
    await manager.getByLabel('Sign-in').selectOption('entra');
    await manager.getByLabel('Storage account').fill(AZURITE_ACCOUNT);
    await manager.getByLabel('Blob service URL').fill(azurite.endpoint);
    await manager.getByLabel('Tenant ID').fill(stub.tenantId);
    await manager.getByLabel('Client ID').fill(stub.clientId);
    await manager.getByLabel('Authority', { exact: true }).fill(stub.authority);
    await manager.getByRole('button', { name: 'Save', exact: true }).click();
    await manager
      .getByRole('status')
      .filter({ hasText: `Saved “${name}”` })
      .waitFor();
    return manager;
  }

  /** Opens a saved connection from a pane's Connection menu, without waiting for a listing (a sign-in may). */
  async function pick(side: 'left' | 'right', name: string): Promise<void> {
    await ui.pane(side).getByRole('button', { name: 'Connection' }).click();
    await ui.page
      .getByRole('menuitem')
      .filter({ has: ui.page.getByText(name, { exact: true }) })
      .click();
  }

  /** The sign-in dialog, once it shows a code; resolves with the dialog and the code. */
  async function signInDialog(): Promise<{ dialog: Locator; code: string }> {
    const dialog = ui.page.getByRole('dialog', { name: 'Sign in to Azure' });
    const code = dialog.getByText(USER_CODE);
    await code.waitFor();
    return { dialog, code: await code.innerText() };
  }

  it('opening an Entra connection shows the device code; once it is entered, the dialog closes and the blob is listed', async () => {
    await saveEntra('entra-box');
    const saved = await savedConnection(home, 'entra-box');
    const { spec } = saved;
    assert.ok(spec.kind === 'azure-blob');
    const { auth, account, endpoint, tenantId, clientId, authority } = spec;
    assert.deepEqual(
      { auth, account, endpoint, tenantId, clientId, authority },
      {
        auth: 'entra',
        account: AZURITE_ACCOUNT,
        endpoint: azurite.endpoint,
        tenantId: stub.tenantId,
        clientId: stub.clientId,
        authority: stub.authority,
      },
    );
    await closeManager(ui);

    // Typed into the right pane's address bar, as the command line writes a saved connection's folder.
    const bar = ui.pane('right').getByRole('textbox', { name: 'Address' });
    await bar.fill(`entra-box:/${CONTAINER}`);
    await bar.press('Enter');
    const { dialog, code } = await signInDialog();

    // Which connection, the code, the page to enter it on, the identity provider's words, the time left.
    const text = await dialog.innerText();
    assert.match(text, /“entra-box” signs in with Entra ID/);
    assert.match(text, /expires in 1[45]:\d\d/);
    assert.ok(text.includes(`enter the code ${code} to authenticate`), `the provider's message is shown:\n${text}`);
    const link = dialog.getByRole('link', { name: 'Open the sign-in page' });
    assert.equal(await link.getAttribute('href'), `${new URL(stub.authority).origin}/device`);
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.equal(await link.getAttribute('rel'), 'noreferrer');
    assert.equal(
      await ui.page.evaluate<string>(
        `getComputedStyle([...document.querySelectorAll('[role=dialog] *')].find((e) => e.textContent === '${code}')).userSelect`,
      ),
      'all',
      'one click selects the whole code',
    );
    // The first step has the focus: Enter opens the page.
    assert.equal(await ui.page.evaluate<string>('document.activeElement.textContent.trim()'), 'Open the sign-in page');
    await mkdir(SCREENSHOTS, { recursive: true });
    await ui.page.screenshot({ path: join(SCREENSHOTS, 'entra-sign-in.png') });

    await dialog.getByRole('button', { name: 'Copy code' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Code copied' }).waitFor();
    assert.equal(await ui.page.evaluate<string>('navigator.clipboard.readText()'), code);
    // The listing waits for the person: nothing listed, no token stored yet.
    assert.equal(await ui.row('right', 'data.bin').count(), 0);
    assert.equal(await credentials.get(saved.id, 'tokenCache'), undefined);

    stub.approveDeviceCode(code);
    await dialog.waitFor({ state: 'detached' });
    await ui.row('right', 'data.bin').waitFor();
    await ui.page.getByRole('status').filter({ hasText: 'Signed in to entra-box' }).waitFor();
    assert.ok(await credentials.get(saved.id, 'tokenCache'), 'the token cache is in the keychain');
    assert.deepEqual(unexpectedErrors(ui), []);
  });

  it('the manager’s Test shows the code over the manager; Cancel sign-in closes it, and the pane offers to sign in again', async () => {
    const manager = await saveEntra('entra-later');
    await manager.getByRole('button', { name: 'Test', exact: true }).click();
    const first = await signInDialog();
    // Over the manager, which stays open beneath (hidden from screen readers while the sign-in is on top).
    assert.equal(await ui.page.getByRole('dialog', { name: 'Connections', includeHidden: true }).count(), 1);
    await first.dialog.getByRole('button', { name: 'Cancel sign-in' }).click();
    await first.dialog.waitFor({ state: 'detached' });
    await manager.getByText('The test failed (Cancelled).').waitFor();
    await closeManager(ui);

    await pick('left', 'entra-later');
    const second = await signInDialog();
    assert.notEqual(second.code, first.code, 'a new code for a new sign-in');
    await second.dialog.getByRole('button', { name: 'Cancel sign-in' }).click();
    await second.dialog.waitFor({ state: 'detached' });
    const state = ui.pane('left').getByRole('alert');
    await state.getByText('The Entra ID sign-in was cancelled.').waitFor();
    assert.equal(await ui.row('left', CONTAINER).count(), 0);
    // Nothing to toast: the cancel was the person's own.
    assert.equal(await ui.page.getByRole('status').filter({ hasText: 'Signed in to entra-later' }).count(), 0);

    await state.getByRole('button', { name: 'Sign in again' }).click();
    const third = await signInDialog();
    assert.notEqual(third.code, second.code);
    stub.approveDeviceCode(third.code);
    await third.dialog.waitFor({ state: 'detached' });
    await ui.row('left', CONTAINER).waitFor();
  });

  it('every window shows the code; a sign-in the identity provider refuses stays open with the reason in words until closed', async () => {
    await saveEntra('entra-refused');
    await closeManager(ui);
    // A second window (dark, as the system prefers there) hears the same sign-in.
    const other = await openApp(browser, app, { dark: true });
    try {
      await pick('left', 'entra-refused');
      const { dialog, code } = await signInDialog();
      const otherDialog = other.page.getByRole('dialog', { name: 'Sign in to Azure' });
      await otherDialog.getByText(code, { exact: true }).waitFor();
      await other.page.screenshot({ path: await screenshotPath('entra-sign-in-dark.png') });

      stub.declineDeviceCode(code);
      for (const shown of [dialog, otherDialog]) {
        const failure = shown.getByRole('alert');
        await failure.getByText('The sign-in to “entra-refused” failed').waitFor();
        assert.match(await failure.innerText(), /Entra ID sign-in failed: .*authorization_declined/s);
        assert.equal(await shown.getByRole('button', { name: 'Cancel sign-in' }).count(), 0);
      }
      await other.page.screenshot({ path: await screenshotPath('entra-sign-in-failed-dark.png') });
      await ui.page.screenshot({ path: await screenshotPath('entra-sign-in-failed-light.png') });
      await dialog.getByRole('button', { name: 'Close' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await otherDialog.count(), 1, 'closing the failure in one window leaves the other to its reader');
    } finally {
      await other.context.close();
    }
    // The pane says so too, and offers a new sign-in rather than a password.
    const state = ui.pane('left').getByRole('alert');
    await state.getByRole('button', { name: 'Sign in again' }).waitFor();
    assert.equal(await state.getByRole('button', { name: 'Re-enter password' }).count(), 0);
  });
});
