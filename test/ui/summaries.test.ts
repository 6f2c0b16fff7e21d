// The summary panel in Debian's Chromium against web mode, with the real Bedrock SDK in `fileferry serve`
// pointed at the Bedrock-protocol stub: a file on vsftpd summarised from its context menu asks consent first
// (sending nothing), then streams its text into the panel piece by piece, names the model and the bytes sent,
// copies; asked again (by its key) it comes from the cache without a call; a summary stopped mid-stream says so
// and closes the stream; a refusal reads as the API wrote it, and Retry recovers; the settings turn it off and
// forget consents.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startBedrockStub, type BedrockStub } from '../helpers/bedrock-stub';
import { until } from '../helpers/until';
import { startVsftpd, type VsftpdHandle } from '../helpers/vsftpd';
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

const TIMETABLE = [
  'Ferry timetable, winter 2026',
  '',
  'Harbour -> North Island: 07:10, 09:40, 12:15, 16:30',
  'North Island -> Harbour: 08:05, 10:45, 13:20, 17:35',
  'No crossings on 25 December. Cars must check in 30 minutes before departure.',
].join('\n');

describe('the summary panel (web mode, Chromium, Bedrock stub)', () => {
  const dirs: string[] = [];
  let app: RunningApp;
  let browser: Browser;
  let ui: AppPage;
  let vsftpd: VsftpdHandle;
  let bedrock: BedrockStub;
  let pub: string;
  let local: string;

  before(async () => {
    const home = await tempDir('ferry-ui-summaries-home-');
    local = await tempDir('ferry-ui-summaries-local-');
    dirs.push(home, local);
    // The left pane's folder, for the screenshots.
    await mkdir(join(local, 'crossings'));
    await writeFile(join(local, 'fares 2026.csv'), 'route,adult,child\nharbour-north,12.50,6.00\n');
    await writeFile(join(local, 'notes.md'), '# Notes\n');
    [vsftpd, bedrock] = await Promise.all([startVsftpd(), startBedrockStub()]);
    pub = `ftp://127.0.0.1:${vsftpd.port}/pub`;
    await writeFile(join(vsftpd.root, 'pub', 'timetable.txt'), TIMETABLE);
    await writeFile(join(vsftpd.root, 'pub', 'long-log.txt'), 'GET /index.html 200\n'.repeat(400));
    await writeFile(join(vsftpd.root, 'pub', 'fresh.txt'), 'Not summarised yet.\n');
    app = await startApp(home, {
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
      AWS_ACCESS_KEY_ID: 'AKIDSUMMARYTEST',
      AWS_SECRET_ACCESS_KEY: 'summary-test-secret',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      FILEFERRY_SUMMARY_RETRY_MS: '10',
    });
    browser = await launchBrowser();
    ui = await openApp(browser, app);
    await ui.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.origin });
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
    await Promise.all([vsftpd?.stop(), bedrock?.close()]);
    await removeDirs(...dirs);
  });

  const panel = () => ui.page.getByRole('complementary', { name: 'Summary' });
  const summaryText = () => panel().getByRole('document', { name: 'Summary text' });
  const summarizeFromMenu = async (name: string) => {
    await ui.row('right', name).click({ button: 'right' });
    await ui.page.getByRole('menuitem', { name: 'Summarize' }).click();
  };

  it('asks consent with the figures, streams the summary, names the model, copies, and answers again from the cache', async () => {
    await ui.open('left', local);
    await ui.open('right', pub);
    await summarizeFromMenu('timetable.txt');

    // Consent first: what would be sent and what it may cost, and nothing sent yet.
    await panel().getByRole('heading', { name: 'timetable.txt' }).waitFor();
    const consent = panel().getByRole('region', { name: 'Send this file to AWS Bedrock?' });
    await consent.waitFor({ timeout: 20_000 });
    const figures = (await consent.textContent()) ?? '';
    assert.match(figures, new RegExp(`${TIMETABLE.length} B`), figures);
    assert.match(figures, /about [\d,]+ input tokens/, figures);
    assert.match(figures, /about \$0\.\d+ at most/, figures);
    assert.match(figures, /Claude Haiku 4\.5 on AWS Bedrock/, figures);
    assert.match((await panel().textContent()) ?? '', /127\.0\.0\.1:\d+\/pub\/timetable\.txt/);
    assert.equal(bedrock.requests.length, 0, 'nothing is sent before consent');
    await ui.page.screenshot({ path: join(SCREENSHOTS, 'summary-consent.png') });

    // Send: the text grows piece by piece before it is complete.
    bedrock.script({
      chunks: [
        'A winter ferry timetable between the harbour and North Island.\n\n',
        '- Four crossings a day each way, ',
        'the first at 07:10.\n',
        '- No crossings on 25 December; cars check in 30 minutes early.',
      ],
      delayMs: 450,
    });
    await consent.getByRole('button', { name: 'Send' }).click();
    await until(
      async () => /harbour and North Island/.test((await summaryText().textContent()) ?? ''),
      20_000,
      'the first piece',
    );
    assert.doesNotMatch((await summaryText().textContent()) ?? '', /cars check in/, 'shown before it is complete');
    assert.equal(await panel().getByRole('button', { name: 'Stop' }).count(), 1, 'Stop while it streams');
    await panel().getByText('Written by').waitFor({ timeout: 20_000 });
    const text = (await summaryText().textContent()) ?? '';
    assert.match(
      text,
      /harbour and North Island\.\n\n- Four crossings a day each way, the first at 07:10\.\n- No crossings/,
    );
    const facts = (await panel().textContent()) ?? '';
    assert.match(facts, /Claude Haiku 4\.5 on AWS Bedrock/);
    assert.match(facts, /Sent\s*\d[\d.]* (B|KiB)/, facts);
    assert.equal(bedrock.requests.length, 1);
    assert.equal(bedrock.requests[0]!.operation, 'converse-stream');
    assert.match(JSON.stringify(bedrock.requests[0]!.body), /Harbour -> North Island/);
    await ui.page.screenshot({ path: join(SCREENSHOTS, 'summary-panel.png') });

    // Copy puts the whole text on the clipboard.
    await panel().getByRole('button', { name: 'Copy' }).click();
    await panel().getByText('Copied to the clipboard.').waitFor();
    assert.equal(await ui.page.evaluate<string>('navigator.clipboard.readText()'), text);

    // Esc closes the panel and gives the focus back to the pane.
    await panel().press('Escape');
    await panel().waitFor({ state: 'detached' });
    assert.equal(await ui.page.evaluate<string>("document.activeElement?.getAttribute('aria-label')"), 'Files');

    // Again, by its key on the focused row: from the cache, marked so, and no second call.
    await ui.row('right', 'timetable.txt').click();
    await ui.page.keyboard.press('Control+i');
    await panel().getByText('Cached', { exact: true }).waitFor({ timeout: 20_000 });
    assert.equal((await summaryText().textContent()) ?? '', text);
    assert.match((await panel().textContent()) ?? '', /Sent\s*nothing this time/);
    assert.equal(bedrock.requests.length, 1, 'a cached summary makes no call');
    await panel().getByRole('button', { name: 'Close summary' }).click();
    await panel().waitFor({ state: 'detached' });
    assert.deepEqual(unexpectedErrors(ui), []);
  });

  it('stops a summary mid-stream, shows a refusal with Retry, and obeys the settings', async () => {
    await ui.open('right', pub);
    // Consent is remembered for this connection: the text streams at once.
    bedrock.script({ chunks: Array.from({ length: 20 }, (_, i) => `Line ${i} of the log summary.\n`), delayMs: 400 });
    await summarizeFromMenu('long-log.txt');
    await until(
      async () =>
        /Line 0/.test(
          (await summaryText()
            .textContent()
            .catch(() => '')) ?? '',
        ),
      20_000,
      'text',
    );
    await panel().getByRole('button', { name: 'Stop' }).click();
    await panel().getByText('Stopped.').waitFor();
    const stream = bedrock.requests[bedrock.requests.length - 1]!;
    await until(() => stream.closed, 10_000, 'the stream closed');
    assert.equal(stream.closedEarly, true, 'the stub saw the stream end before its answer');
    assert.doesNotMatch((await summaryText().textContent()) ?? '', /Line 19/);

    // A refusal reads as the API wrote it; Retry asks again (consent given, so nothing to confirm).
    bedrock.script({ error: 'AccessDeniedException', message: 'User is not authorized to invoke this model' });
    await panel().getByRole('button', { name: 'Retry' }).click();
    const alert = panel().getByRole('alert');
    await alert.waitFor({ timeout: 20_000 });
    assert.match((await alert.textContent()) ?? '', /Bedrock|access|denied|permission/i);
    bedrock.script({ chunks: ['Access log: 400 requests for /index.html, all answered 200.'] });
    await alert.getByRole('button', { name: 'Retry' }).click();
    await panel().getByText('Written by').waitFor({ timeout: 20_000 });
    assert.match((await summaryText().textContent()) ?? '', /400 requests/);

    // Settings: forgetting the consents makes the next file ask again (Cancel sends nothing); turned off, the
    // menu has no Summarize.
    const openSettings = async () => {
      await ui.page.getByRole('button', { name: 'Settings' }).click();
      const dialog = ui.page.getByRole('dialog', { name: 'Settings' });
      return { dialog, summaries: dialog.getByRole('group', { name: 'Summaries' }) };
    };
    let { dialog, summaries } = await openSettings();
    await summaries.getByRole('button', { name: 'Forget consents (1)' }).click();
    await summaries.getByRole('button', { name: 'Forget consents (0)' }).waitFor();
    await dialog.getByRole('button', { name: 'Done' }).click();
    const sent = bedrock.requests.length;
    await summarizeFromMenu('fresh.txt');
    const consent = panel().getByRole('region', { name: 'Send this file to AWS Bedrock?' });
    await consent.waitFor({ timeout: 20_000 });
    await consent.getByRole('button', { name: 'Cancel' }).click();
    await panel().waitFor({ state: 'detached' });
    assert.equal(bedrock.requests.length, sent, 'nothing sent without consent');

    ({ dialog, summaries } = await openSettings());
    const enabled = summaries.getByRole('checkbox', { name: 'Summarize files with AI' });
    // The box shows the setting as main answers it (a moment after the click).
    await enabled.click();
    await until(async () => !(await enabled.isChecked()), 10_000, 'summaries turned off');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await ui.row('right', 'fresh.txt').click({ button: 'right' });
    await ui.page.getByRole('menuitem', { name: 'Properties' }).waitFor();
    assert.equal(await ui.page.getByRole('menuitem', { name: 'Summarize' }).count(), 0);
    await ui.page.keyboard.press('Escape');
    assert.deepEqual(unexpectedErrors(ui), []);
  });
});
