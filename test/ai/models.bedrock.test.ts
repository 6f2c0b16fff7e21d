// The Bedrock model client with the real AWS SDK pointed at a local Bedrock-protocol server (h2c, event-stream
// framing): streamed text, the request it sends, cancel, retries and the mapping of every failure a person
// needs to act on. Credentials are throwaway test keys in the environment; no real profile or instance
// metadata can be read (see the environment set below).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { createBedrockModel } from '../../main/core/ai/models/bedrock';
import { startBedrockStub, type BedrockStub } from '../helpers/bedrock-stub';
import {
  expectCancelBeforeAnswer,
  expectCancelMidStream,
  expectModelFailure,
  refusedPort,
  summaryRequest,
} from '../helpers/model-calls';

const MODEL = 'anthropic.claude-test-v1:0';
const KEY_ID = 'AKIAFERRYTEST0000001';
const FAST = { maxAttempts: 3, retryBaseMs: 5 };

// Nothing of the machine's own AWS setup may leak in: no profile files, no instance metadata lookups.
const TEST_ENV: Record<string, string> = {
  AWS_ACCESS_KEY_ID: KEY_ID,
  AWS_SECRET_ACCESS_KEY: 'ferry-test-secret-not-real',
  AWS_REGION: 'eu-west-3',
  AWS_CONFIG_FILE: '/nonexistent/fileferry-test/config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/fileferry-test/credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
};
for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
Object.assign(process.env, TEST_ENV);

describe('Bedrock model client against a local Bedrock Runtime', () => {
  let stub: BedrockStub;
  before(async () => {
    stub = await startBedrockStub();
  });
  after(async () => {
    await stub.close();
  });
  beforeEach(() => {
    stub.setBehaviour(() => ({ chunks: ['A summary.'] }));
  });
  const model = (extra: object = {}) => createBedrockModel({ modelId: MODEL, endpoint: stub.url, ...FAST, ...extra });

  it('assembles many streamed chunks in order and reports usage and the stop reason', async () => {
    const chunks = Array.from({ length: 40 }, (_, i) => `part${i} `);
    stub.script({ chunks, usage: { inputTokens: 17, outputTokens: 40 }, stopReason: 'max_tokens' });
    const seen: string[] = [];
    const usage = await model().stream(summaryRequest(), (delta) => seen.push(delta));
    assert.deepEqual(seen, chunks);
    assert.deepEqual(usage, { inputTokens: 17, outputTokens: 40, stopReason: 'max_tokens' });
  });

  it('sends the system prompt, the user text as one user message and maxTokens, signed with the given keys', async () => {
    const before = stub.requests.length;
    await model().stream(summaryRequest({ system: 'SYSTEM-X', user: 'USER-Y' }), () => {});
    const sent = stub.requests[before]!;
    assert.equal(sent.operation, 'converse-stream');
    assert.equal(sent.modelId, MODEL);
    assert.equal(sent.accessKeyId, KEY_ID);
    assert.match(String(sent.headers.authorization), /\/eu-west-3\/bedrock\/aws4_request/, 'region from AWS_REGION');
    assert.deepEqual(sent.body, {
      system: [{ text: 'SYSTEM-X' }],
      messages: [{ role: 'user', content: [{ text: 'USER-Y' }] }],
      inferenceConfig: { maxTokens: 321 },
    });
  });

  it('honours AWS_ENDPOINT_URL_BEDROCK_RUNTIME when no endpoint is given', async () => {
    const before = stub.requests.length;
    process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = stub.url;
    try {
      const seen: string[] = [];
      await createBedrockModel({ modelId: MODEL, ...FAST }).stream(summaryRequest(), (d) => seen.push(d));
      assert.equal(seen.join(''), 'A summary.');
      assert.equal(stub.requests.length, before + 1);
    } finally {
      delete process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME;
    }
  });

  it('cancel mid-stream rejects Cancelled, stops onText and closes the HTTP/2 stream', async () => {
    stub.script({ chunks: Array.from({ length: 50 }, (_, i) => `c${i} `), delayMs: 20 });
    await expectCancelMidStream(model(), () => stub.requests.at(-1)!);
  });

  it('cancel while the service has not answered yet rejects Cancelled', async () => {
    stub.script({ hang: true });
    await expectCancelBeforeAnswer(model(), () => stub.requests.at(-1));
  });

  it('retries throttling with backoff and delivers the text once', async () => {
    const before = stub.requests.length;
    stub.script({ error: 'ThrottlingException' }, { error: 'ThrottlingException' }, { chunks: ['once ', 'only'] });
    const seen: string[] = [];
    await model().stream(summaryRequest(), (d) => seen.push(d));
    assert.equal(seen.join(''), 'once only');
    assert.equal(stub.requests.length - before, 3);
  });

  it('gives up as throttled after its attempts', async () => {
    const before = stub.requests.length;
    stub.setBehaviour(() => ({ error: 'ThrottlingException', message: 'Too many requests, please wait' }));
    await expectModelFailure(
      model().stream(summaryRequest(), () => {}),
      'throttled',
      /throttling.*Try again/,
    );
    assert.equal(stub.requests.length - before, FAST.maxAttempts);
  });

  it('does not retry once text has been shown (a retry would repeat it)', async () => {
    const before = stub.requests.length;
    stub.script({ streamError: 'throttlingException', chunks: ['partial '] });
    const seen: string[] = [];
    await expectModelFailure(
      model().stream(summaryRequest(), (d) => seen.push(d)),
      'throttled',
    );
    assert.deepEqual(seen, ['partial ']);
    assert.equal(stub.requests.length - before, 1);
  });

  it('maps an exception inside the event stream (modelStreamErrorException) to unavailable, retried', async () => {
    const before = stub.requests.length;
    stub.script({ streamError: 'modelStreamErrorException', message: 'the model broke' }, { chunks: ['recovered'] });
    const seen: string[] = [];
    await model().stream(summaryRequest(), (d) => seen.push(d));
    assert.equal(seen.join(''), 'recovered');
    assert.equal(stub.requests.length - before, 2);
  });

  it('maps AccessDenied to access-denied with what to do, without retrying', async () => {
    const before = stub.requests.length;
    stub.script({ error: 'AccessDeniedException', message: 'You do not have access to the model' });
    const error = await expectModelFailure(
      model().stream(summaryRequest(), () => {}),
      'access-denied',
    );
    assert.match(error.message, /Model access/);
    assert.match(error.message, /bedrock:InvokeModelWithResponseStream/);
    assert.match(error.message, new RegExp(MODEL.replace(/[.:]/g, '\\$&')));
    assert.equal(stub.requests.length - before, 1);
  });

  it('maps ResourceNotFound to model-unavailable naming the model and region', async () => {
    stub.script({ error: 'ResourceNotFoundException', message: 'Model not found' });
    await expectModelFailure(
      model().stream(summaryRequest(), () => {}),
      'model-unavailable',
      /eu-west-3.*inference profile/,
    );
  });

  it("maps on-demand throughput isn't supported to model-unavailable", async () => {
    stub.script({
      error: 'ValidationException',
      message:
        "Invocation of model ID anthropic.claude-test-v1:0 with on-demand throughput isn't supported. Retry your request with the ID or ARN of an inference profile that contains this model.",
    });
    await expectModelFailure(
      model().stream(summaryRequest(), () => {}),
      'model-unavailable',
      /inference profile/,
    );
  });

  it('maps input too long to input-too-large', async () => {
    stub.script({ error: 'ValidationException', message: 'Input is too long for requested model.' });
    await expectModelFailure(
      model().stream(summaryRequest(), () => {}),
      'input-too-large',
      /smaller/,
    );
  });

  it('maps a refused connection to unavailable after its attempts', async () => {
    const closedPort = await refusedPort();
    await expectModelFailure(
      createBedrockModel({ modelId: MODEL, endpoint: `http://127.0.0.1:${closedPort}`, ...FAST }).stream(
        summaryRequest(),
        () => {},
      ),
      'unavailable',
      /network/,
    );
  });

  it('maps missing credentials to no-credentials and sends nothing', async () => {
    const before = stub.requests.length;
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      await expectModelFailure(
        model().stream(summaryRequest(), () => {}),
        'no-credentials',
        /AWS_PROFILE or AWS_ACCESS_KEY_ID.*aws configure/,
      );
      assert.equal(stub.requests.length, before);
    } finally {
      Object.assign(process.env, TEST_ENV);
    }
  });
});

describe('the Bedrock stub', () => {
  it('answers Converse (JSON) as the SDK expects', async () => {
    const stub = await startBedrockStub();
    const client = new BedrockRuntimeClient({ endpoint: stub.url, region: 'eu-west-3', maxAttempts: 1 });
    try {
      stub.script({ chunks: ['whole ', 'answer'], usage: { inputTokens: 5, outputTokens: 2 } });
      const answer = await client.send(
        new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'hi' }] }] }),
      );
      assert.equal(answer.output?.message?.content?.[0]?.text, 'whole answer');
      assert.equal(answer.stopReason, 'end_turn');
      assert.equal(answer.usage?.inputTokens, 5);
      assert.equal(stub.requests[0]!.operation, 'converse');
      assert.equal(stub.requests[0]!.modelId, MODEL);
    } finally {
      client.destroy();
      await stub.close();
    }
  });
});
