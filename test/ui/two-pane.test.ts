// The two-pane window in Debian's Chromium against web mode (`fileferry serve`), with real servers on loopback:
// browse the local disk and vsftpd side by side through the address bar; sort and filter; drag a file across and
// see it arrive byte for byte; drag a folder to s3rver and Shift-drag to move; new folder, rename and delete on
// the server; keyboard only, F5 to copy; the overwrite question. Outcomes are checked on disk and on the servers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startVsftpd, type VsftpdHandle } from '../helpers/vsftpd';
import { startS3rver, s3rverClient, type S3rverServer } from '../helpers/s3rver';
import { until } from '../helpers/until';
import { removeDirs, tempDir } from '../transfers/fixtures';
import { CreateBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { drag, launchBrowser, openApp, SCREENSHOTS, startApp, type AppPage, type RunningApp } from './harness';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('the two-pane window (web mode, Chromium)', () => {
  const dirs: string[] = [];
  let vsftpd: VsftpdHandle;
  let s3: S3rverServer;
  let app: RunningApp;
  let browser: Browser;
  let ui: AppPage;
  let local: string;
  let ftpBase: string;

  before(async () => {
    [vsftpd, s3] = await Promise.all([startVsftpd(), startS3rver()]);
    await s3rverClient(s3).send(new CreateBucketCommand({ Bucket: 'ui-bucket' }));
    const home = await tempDir('ferry-ui-home-');
    local = await tempDir('ferry-ui-local-');
    dirs.push(home, local);
    app = await startApp(home, {
      // s3:// addresses take the AWS command line's variables.
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REGION: 'us-east-1',
    });
    browser = await launchBrowser();
    ui = await openApp(browser, app);
    ftpBase = `ftp://127.0.0.1:${vsftpd.port}`;
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
    await Promise.all([vsftpd?.stop(), s3?.stop()]);
    await removeDirs(...dirs);
  });

  it('opens the local disk and vsftpd side by side, navigates in and out, sorts and filters', async () => {
    const pub = join(vsftpd.root, 'pub');
    await mkdir(join(pub, 'docs'));
    await writeFile(join(pub, 'docs', 'inside.txt'), 'inside');
    await writeFile(join(pub, 'b-small.txt'), 'b');
    await writeFile(join(pub, 'a-large.bin'), randomBytes(50_000));
    await writeFile(join(local, 'local.txt'), 'local');

    await ui.open('left', local);
    await ui.row('left', 'local.txt').waitFor();
    await ui.open('right', `${ftpBase}/pub`);
    await ui.row('right', 'docs').waitFor();
    const names = async () => (await ui.grid('right').getByRole('row').allTextContents()).slice(1);
    assert.match((await names())[0]!, /^docs/, 'folders first');
    assert.match((await names())[1]!, /^a-large\.bin/, 'then by name');

    // Sort by size, largest first.
    await ui.grid('right').getByRole('columnheader', { name: 'Size' }).getByRole('button').click();
    assert.match((await names())[1]!, /^a-large\.bin/);
    await ui.grid('right').getByRole('columnheader', { name: 'Size' }).getByRole('button').click();
    assert.match((await names())[1]!, /^b-small\.txt/, 'smallest first after a second click');

    // Filter as you type.
    await ui.pane('right').getByRole('searchbox', { name: 'Filter' }).fill('small');
    await until(async () => (await names()).length === 1, 5000, 'one row left');
    assert.match((await names())[0]!, /^b-small\.txt/);
    await ui.pane('right').getByRole('searchbox', { name: 'Filter' }).fill('');

    // In with a double click, out with Backspace.
    await ui.row('right', 'docs').dblclick();
    await ui.row('right', 'inside.txt').waitFor();
    await ui.grid('right').press('Backspace');
    await ui.row('right', 'docs').waitFor();
    assert.deepEqual(ui.errors, []);
  });

  it('drags a file from the FTP pane to the local pane: progress, then the row and the same bytes on disk', async () => {
    const bytes = randomBytes(3 * 1024 * 1024);
    await writeFile(join(vsftpd.root, 'pub', 'dragged.bin'), bytes);
    await ui.pane('right').getByRole('button', { name: 'Refresh' }).click();
    await ui.row('right', 'dragged.bin').dragTo(ui.grid('left'));
    await ui.row('left', 'dragged.bin').waitFor({ timeout: 30_000 });
    const job = ui.transfers().getByRole('listitem').filter({ hasText: 'dragged.bin' });
    await ui.transfers().getByRole('tab', { name: /Done/ }).click();
    await job.waitFor();
    assert.equal(sha256(await readFile(join(local, 'dragged.bin'))), sha256(bytes));
  });

  it('drags a folder to an s3rver pane; Shift-drag moves it', async () => {
    await mkdir(join(local, 'album', 'nested'), { recursive: true });
    await writeFile(join(local, 'album', 'one.jpg'), randomBytes(1000));
    await writeFile(join(local, 'album', 'nested', 'two.jpg'), randomBytes(2000));
    await writeFile(join(local, 'moved.txt'), 'to be moved');
    await ui.pane('left').getByRole('button', { name: 'Refresh' }).click();
    await ui.open('right', 's3://ui-bucket/');
    await ui.row('left', 'album').dragTo(ui.grid('right'));
    await ui.row('right', 'album').waitFor({ timeout: 30_000 });
    const keys = async () =>
      ((await s3rverClient(s3).send(new ListObjectsV2Command({ Bucket: 'ui-bucket' }))).Contents ?? []).map(
        (o) => o.Key,
      );
    await until(async () => (await keys()).includes('album/nested/two.jpg'), 20_000, 'the folder in the bucket');

    // Shift is the move modifier on Linux and Windows.
    await drag(ui.row('left', 'moved.txt'), ui.grid('right'), { shift: true });
    await until(async () => (await keys()).includes('moved.txt'), 20_000, 'the moved file in the bucket');
    await until(async () => !existsSync(join(local, 'moved.txt')), 20_000, 'the original removed');
    assert.ok(existsSync(join(local, 'album', 'one.jpg')), 'a copy leaves its source');
  });

  it('makes, renames and deletes a folder on the FTP server, deleting only after a confirmation', async () => {
    await ui.open('right', `${ftpBase}/pub`);
    await ui.grid('right').focus();
    await ui.page.keyboard.press('F7');
    const dialog = ui.page.getByRole('dialog', { name: 'New folder' });
    await dialog.getByRole('textbox').fill('fresh');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await ui.row('right', 'fresh').waitFor();
    assert.ok(existsSync(join(vsftpd.root, 'pub', 'fresh')));

    await ui.row('right', 'fresh').click();
    await ui.page.keyboard.press('F2');
    const rename = ui.pane('right').getByRole('textbox', { name: 'New name for fresh' });
    await rename.fill('renamed');
    await rename.press('Enter');
    await ui.row('right', 'renamed').waitFor();
    assert.deepEqual(
      (await readdir(join(vsftpd.root, 'pub'))).filter((n) => n === 'fresh' || n === 'renamed'),
      ['renamed'],
    );

    await ui.row('right', 'renamed').click();
    await ui.page.keyboard.press('Delete');
    const confirm = ui.page.getByRole('dialog', { name: 'Delete' });
    await confirm.getByText(/Delete "renamed" from ftp:\/\/.*\/pub\? This cannot be undone\./).waitFor();
    // The safe button has the focus: Enter cancels.
    await ui.page.keyboard.press('Enter');
    await confirm.waitFor({ state: 'detached' });
    assert.ok(existsSync(join(vsftpd.root, 'pub', 'renamed')), 'Enter on the dialog kept the folder');
    await ui.page.keyboard.press('Delete');
    await ui.page.getByRole('dialog', { name: 'Delete' }).getByRole('button', { name: 'Delete' }).click();
    await until(async () => !existsSync(join(vsftpd.root, 'pub', 'renamed')), 10_000, 'deleted on the server');
    await ui.row('right', 'renamed').waitFor({ state: 'detached' });
  });

  it('keyboard only: reach a file, copy it with F5, confirm, see it in the other pane', async () => {
    await writeFile(join(vsftpd.root, 'pub', 'keyboard.txt'), 'typed, not clicked');
    await ui.open('left', local);
    await ui.open('right', `${ftpBase}/pub`);
    await ui.grid('right').focus();
    await ui.page.keyboard.press('Home');
    await ui.page.keyboard.type('keyb');
    await ui.page.keyboard.press('F5');
    const confirm = ui.page.getByRole('dialog', { name: /Copy keyboard\.txt/ });
    await confirm.waitFor();
    await ui.page.keyboard.press('Enter');
    await ui.row('left', 'keyboard.txt').waitFor({ timeout: 20_000 });
    assert.equal(await readFile(join(local, 'keyboard.txt'), 'utf8'), 'typed, not clicked');
  });

  it('asks before overwriting: skip keeps the target, "overwrite, apply to all" replaces them all', async () => {
    const pub = join(vsftpd.root, 'pub', 'clash');
    await mkdir(pub, { recursive: true });
    for (const name of ['c1.txt', 'c2.txt', 'c3.txt']) {
      await writeFile(join(pub, name), `new ${name}`);
      await writeFile(join(local, name), `old ${name}`);
    }
    await ui.open('left', local);
    await ui.open('right', `${ftpBase}/pub/clash`);
    // Skip the first.
    await ui.row('right', 'c1.txt').dragTo(ui.grid('left'));
    const question = ui.page.getByRole('dialog', { name: 'The target file exists' });
    await question.waitFor();
    await mkdir(SCREENSHOTS, { recursive: true });
    await ui.page.screenshot({ path: join(SCREENSHOTS, 'overwrite-question.png') });
    await question.getByRole('button', { name: 'Skip' }).click();
    await question.waitFor({ state: 'detached' });
    await until(async () => (await readFile(join(local, 'c1.txt'), 'utf8')) === 'old c1.txt', 5000, 'kept');
    // The other two at once: overwrite, for all.
    await ui.row('right', 'c2.txt').click();
    await ui.row('right', 'c3.txt').click({ modifiers: ['Control'] });
    await ui.row('right', 'c3.txt').dragTo(ui.grid('left'));
    await question.waitFor();
    await question.getByRole('checkbox', { name: /Apply to all/ }).check();
    await question.getByRole('button', { name: 'Overwrite' }).click();
    await until(
      async () =>
        (await readFile(join(local, 'c2.txt'), 'utf8')) === 'new c2.txt' &&
        (await readFile(join(local, 'c3.txt'), 'utf8')) === 'new c3.txt',
      20_000,
      'both overwritten',
    );
  });
});
