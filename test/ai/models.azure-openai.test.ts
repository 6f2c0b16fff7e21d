// The Azure OpenAI model client with the real openai package (AzureOpenAI) pointed at a local server speaking
// Azure's streamed chat completions: deltas assembled, the request it sends (key, deployment path, API
// version, token limit), cancel, retries and the failures a person needs to act on.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createAzureOpenAIModel, entraTokenProvider } from '../../main/core/ai/models/azure-openai';
import { FerryError } from '../../shared/errors';
import { startAzureOpenAIStub, type AzureOpenAIStub } from '../helpers/azure-openai-stub';
import {
  expectCancelBeforeAnswer,
  expectCancelMidStream,
  expectModelFailure,
  refusedPort,
  summaryRequest,
} from '../helpers/model-calls';

const KEY = 'ferry-test-azure-key';
const DEPLOYMENT = 'summaries-gpt';
const FAST = { maxAttempts: 3, retryBaseMs: 5 };

// The openai package reads these when an option is missing; none of the machine's may leak in.
for (const name of ['AZURE_OPENAI_API_KEY', 'AZURE_OPENAI_ENDPOINT', 'OPENAI_BASE_URL', 'OPENAI_API_VERSION'])
  delete process.env[name];

describe('Azure OpenAI model client against a local Azure OpenAI', () => {
  let stub: AzureOpenAIStub;
  before(async () => {
    stub = await startAzureOpenAIStub({ apiKey: KEY, bearerToken: 'entra-token-for-test' });
  });
  after(async () => {
    await stub.close();
  });
  beforeEach(() => {
    stub.setBehaviour(() => ({ chunks: ['A summary.'] }));
  });
  const model = (extra: object = {}) =>
    createAzureOpenAIModel({ endpoint: stub.endpoint, deployment: DEPLOYMENT, apiKey: KEY, ...FAST, ...extra });

  it('assembles streamed deltas in order and reports usage and the finish reason', async () => {
    const chunks = Array.from({ length: 40 }, (_, i) => `part${i} `);
    stub.script({ chunks, usage: { promptTokens: 12, completionTokens: 40 }, finishReason: 'length' });
    const seen: string[] = [];
    const summary = model();
    assert.equal(summary.modelId, DEPLOYMENT);
    const usage = await summary.stream(summaryRequest(), (delta) => seen.push(delta));
    assert.deepEqual(seen, chunks);
    assert.deepEqual(usage, { inputTokens: 12, outputTokens: 40, stopReason: 'length' });
  });

  it('sends the key, the deployment path, the API version, both messages and the token limit', async () => {
    const before = stub.requests.length;
    await model().stream(summaryRequest({ system: 'SYSTEM-X', user: 'USER-Y' }), () => {});
    const sent = stub.requests[before]!;
    assert.equal(sent.headers['api-key'], KEY);
    assert.equal(sent.deployment, DEPLOYMENT);
    assert.equal(sent.apiVersion, '2024-10-21');
    const body = sent.body as Record<string, unknown>;
    assert.deepEqual(body.messages, [
      { role: 'system', content: 'SYSTEM-X' },
      { role: 'user', content: 'USER-Y' },
    ]);
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
    assert.equal(body.max_completion_tokens, 321);
    assert.equal(body.max_tokens, undefined);
  });

  it('uses max_tokens with an API version older than max_completion_tokens', async () => {
    const before = stub.requests.length;
    await model({ apiVersion: '2024-06-01' }).stream(summaryRequest(), () => {});
    const body = stub.requests[before]!.body as Record<string, unknown>;
    assert.equal(stub.requests[before]!.apiVersion, '2024-06-01');
    assert.equal(body.max_tokens, 321);
    assert.equal(body.max_completion_tokens, undefined);
  });

  it('signs with an Entra ID token from a TokenCredential (entraTokenProvider)', async () => {
    const scopes: unknown[] = [];
    const credential = {
      getToken: (scope: string | string[]) => {
        scopes.push(scope);
        return Promise.resolve({ token: 'entra-token-for-test', expiresOnTimestamp: Date.now() + 3600_000 });
      },
    };
    const before = stub.requests.length;
    const seen: string[] = [];
    await createAzureOpenAIModel({
      endpoint: stub.endpoint,
      deployment: DEPLOYMENT,
      tokenProvider: entraTokenProvider(credential),
      ...FAST,
    }).stream(summaryRequest(), (d) => seen.push(d));
    assert.equal(seen.join(''), 'A summary.');
    assert.equal(stub.requests[before]!.headers.authorization, 'Bearer entra-token-for-test');
    assert.equal(stub.requests[before]!.headers['api-key'], undefined);
    assert.deepEqual(scopes, ['https://cognitiveservices.azure.com/.default']);
  });

  it('a failed Entra sign-in is no-credentials with its reason', async () => {
    const credential = {
      getToken: () => Promise.reject(new FerryError('AuthFailed', 'You need to sign in to Azure first.')),
    };
    await expectModelFailure(
      createAzureOpenAIModel({
        endpoint: stub.endpoint,
        deployment: DEPLOYMENT,
        tokenProvider: entraTokenProvider(credential),
        ...FAST,
      }).stream(summaryRequest(), () => {}),
      'no-credentials',
      /sign in to Azure first/,
    );
  });

  it('cancel mid-stream rejects Cancelled, stops onText and closes the connection', async () => {
    stub.script({ chunks: Array.from({ length: 50 }, (_, i) => `c${i} `), delayMs: 20 });
    await expectCancelMidStream(model(), () => stub.requests.at(-1)!);
  });

  it('cancel before the answer starts rejects Cancelled', async () => {
    stub.script({ hang: true });
    await expectCancelBeforeAnswer(model(), () => stub.requests.at(-1));
  });

  it('retries 429 with backoff and delivers the text once', async () => {
    const before = stub.requests.length;
    stub.script({ error: '429' }, { error: '429' }, { chunks: ['once ', 'only'] });
    const seen: string[] = [];
    await model().stream(summaryRequest(), (d) => seen.push(d));
    assert.equal(seen.join(''), 'once only');
    assert.equal(stub.requests.length - before, 3);
  });

  it('gives up as throttled after its attempts', async () => {
    const before = stub.requests.length;
    stub.setBehaviour(() => ({ error: '429', message: 'Rate limit is exceeded. Try again in 1 seconds.' }));
    await expectModelFailure(
      model().stream(summaryRequest(), () => {}),
      'throttled',
      /throttling.*Rate limit is exceeded/,
    );
    assert.equal(stub.requests.length - before, FAST.maxAttempts);
  });

  it('maps an error inside the stream to unavailable, not retried after text was shown', async () => {
    const before = stub.requests.length;
    stub.script({ streamError: 'server_error', message: 'The server had an error', chunks: ['partial '] });
    const seen: string[] = [];
    await expectModelFailure(
      model().stream(summaryRequest(), (d) => seen.push(d)),
      'unavailable',
      /The server had an error/,
    );
    assert.deepEqual(seen, ['partial ']);
    assert.equal(stub.requests.length - before, 1);
  });

  it('a wrong key (401) is access-denied; no key at all is no-credentials and sends nothing', async () => {
    await expectModelFailure(
      model({ apiKey: 'wrong-key' }).stream(summaryRequest(), () => {}),
      'access-denied',
      /key/,
    );
    const before = stub.requests.length;
    await expectModelFailure(
      model({ apiKey: undefined }).stream(summaryRequest(), () => {}),
      'no-credentials',
      /key/,
    );
    assert.equal(stub.requests.length, before);
  });

  it('a 403 is access-denied', async () => {
    stub.script({ error: '403', message: 'Principal does not have access to API/Operation.' });
    await expectModelFailure(
      model().stream(summaryRequest(), () => {}),
      'access-denied',
      /OpenAI User role/,
    );
  });

  it('DeploymentNotFound (404) is model-unavailable naming the deployment', async () => {
    stub.script({
      error: 'DeploymentNotFound',
      message: 'The API deployment for this resource does not exist.',
    });
    await expectModelFailure(
      model().stream(summaryRequest(), () => {}),
      'model-unavailable',
      new RegExp(DEPLOYMENT),
    );
  });

  it('context_length_exceeded (400) is input-too-large', async () => {
    stub.script({
      error: 'context_length_exceeded',
      message: "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.",
    });
    await expectModelFailure(
      model().stream(summaryRequest(), () => {}),
      'input-too-large',
      /smaller/,
    );
  });

  it('a 500 is unavailable after retries', async () => {
    const before = stub.requests.length;
    stub.setBehaviour(() => ({ error: 'InternalServerError' }));
    await expectModelFailure(
      model().stream(summaryRequest(), () => {}),
      'unavailable',
    );
    assert.equal(stub.requests.length - before, FAST.maxAttempts);
  });

  it('a refused connection is unavailable', async () => {
    const closedPort = await refusedPort();
    await expectModelFailure(
      model({ endpoint: `http://127.0.0.1:${closedPort}` }).stream(summaryRequest(), () => {}),
      'unavailable',
      /ECONNREFUSED/,
    );
  });
});
