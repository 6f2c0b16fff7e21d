// The API's `summaries` service as any transport drives it: consent first (nothing sent), then the text as a few
// 'summary' events for the caller that asked, the whole result at the end, the cache, cancel, the Azure OpenAI
// key kept in the credential store (never in settings.json), and arguments outside the schema refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApiEvents } from '../../shared/api';
import type { SummaryOutcome, SummaryStatus } from '../../shared/summaries';
import { createApiService } from '../../main/core/api/service';
import { ApiCallError, type ApiService, type CallContext } from '../../main/core/api/types';
import { ConnectionStore } from '../../main/core/connections';
import { SessionCredentialStore } from '../../main/core/credentials';
import { startBedrockStub, type BedrockStub } from '../helpers/bedrock-stub';
import { removeDirs, tempDir } from '../transfers/fixtures';

/** A caller that keeps the summary events sent to it. */
function caller(): CallContext & { deltas: ApiEvents['summary'][] } {
  const deltas: ApiEvents['summary'][] = [];
  return {
    deltas,
    emit: (kind, payload) => {
      if (kind === 'summary') deltas.push(payload as ApiEvents['summary']);
    },
  };
}

describe('the API’s summaries service', () => {
  const dirs: string[] = [];
  const savedEnv = { ...process.env };
  let service: ApiService;
  let bedrock: BedrockStub;
  let dataDir: string;
  let files: string;
  const local = { spec: { kind: 'local' as const } };

  before(async () => {
    bedrock = await startBedrockStub();
    dataDir = await tempDir('ferry-api-summaries-');
    files = await tempDir('ferry-api-summaries-files-');
    dirs.push(dataDir, files);
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIDAPITEST',
      AWS_SECRET_ACCESS_KEY: 'api-test-secret',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: join(dataDir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(dataDir, 'none'),
    });
    const connections = new ConnectionStore({ dataDir, credentials: new SessionCredentialStore('test') });
    service = await createApiService({ dataDir, version: '9.9.9', shell: 'web', connections });
  });
  after(async () => {
    process.env = savedEnv;
    await service?.close();
    await bedrock?.close();
    await removeDirs(...dirs);
  });

  it('asks consent, then streams the text to the caller and resolves with the result', async () => {
    await writeFile(join(files, 'plan.md'), '# Plan\n\nShip it.\n');
    const location = { connection: local, path: join(files, 'plan.md') };
    const calls = bedrock.requests.length;
    const first = (await service.call(
      'summaries.summarize',
      { requestId: 'r1', location },
      caller(),
    )) as SummaryOutcome;
    assert.equal(first.state, 'needs-consent');
    assert.equal(bedrock.requests.length, calls);

    // Many small pieces, as a model writes them, arrive as a few events, in order and complete.
    const pieces = Array.from({ length: 40 }, (_, i) => `w${i} `);
    bedrock.script({ chunks: pieces, delayMs: 5 });
    const asker = caller();
    const done = (await service.call(
      'summaries.summarize',
      { requestId: 'r2', location, consent: true },
      asker,
    )) as SummaryOutcome;
    assert.equal(done.state, 'done');
    assert.equal(done.result.text, pieces.join(''));
    assert.equal(asker.deltas.map((d) => d.text).join(''), pieces.join(''));
    assert.ok(asker.deltas.every((d) => d.requestId === 'r2'));
    assert.ok(asker.deltas.length < pieces.length / 2, `${asker.deltas.length} events for ${pieces.length} pieces`);

    const again = (await service.call(
      'summaries.summarize',
      { requestId: 'r3', location },
      caller(),
    )) as SummaryOutcome;
    assert.equal(again.state === 'done' && again.result.cached, true);
    assert.equal(bedrock.requests.length, calls + 1);
    const status = (await service.call('summaries.status', undefined, caller())) as SummaryStatus;
    assert.equal(status.consents, 1);
  });

  it('cancels a summary under way', async () => {
    await writeFile(join(files, 'slow.txt'), 'Slow.\n');
    bedrock.script({ chunks: ['a ', 'b ', 'c ', 'd '], delayMs: 300 });
    const running = service.call(
      'summaries.summarize',
      { requestId: 'slow', location: { connection: local, path: join(files, 'slow.txt') }, consent: true },
      caller(),
    );
    await new Promise((resolve) => setTimeout(resolve, 450));
    await service.call('summaries.cancel', { requestId: 'slow' }, caller());
    await assert.rejects(running, (error) => error instanceof ApiCallError && error.error.code === 'Cancelled');
  });

  it('keeps the Azure OpenAI key in the credential store, never in settings.json', async () => {
    const stored = (await service.call(
      'summaries.setAzureOpenAIKey',
      { key: 'azure-key-canary-42' },
      caller(),
    )) as SummaryStatus;
    assert.equal(stored.azureOpenAIKeyStored, true);
    assert.match(stored.notice ?? '', /this session only/, 'a session-only store says so');
    await service.call(
      'settings.set',
      {
        summaries: {
          ...((await service.call('settings.get', undefined, caller())) as { summaries: object }).summaries,
          azureOpenAI: {
            endpoint: 'https://example.openai.azure.com',
            deployment: 'gpt-4o-mini',
            apiVersion: '2024-10-21',
            auth: 'key',
            tenantId: null,
            clientId: null,
            authority: null,
          },
        },
      },
      caller(),
    );
    const settingsFile = await readFile(join(dataDir, 'settings.json'), 'utf8');
    assert.match(settingsFile, /gpt-4o-mini/);
    assert.doesNotMatch(settingsFile, /azure-key-canary-42/);
    const removed = (await service.call('summaries.setAzureOpenAIKey', { key: null }, caller())) as SummaryStatus;
    assert.equal(removed.azureOpenAIKeyStored, false);
  });

  it('refuses arguments outside the schema', async () => {
    for (const arg of [
      { requestId: '', location: { connection: local, path: '/x' } },
      { requestId: 'x'.repeat(101), location: { connection: local, path: '/x' } },
      { requestId: 'ok', location: { connection: local, path: '/x' }, consent: 'yes' },
      { requestId: 'ok', location: { connection: local, path: '/x' }, model: 'other' },
    ]) {
      await assert.rejects(
        service.call('summaries.summarize', arg, caller()),
        (error) => error instanceof ApiCallError && error.error.code === 'InvalidInput',
      );
    }
  });
});
