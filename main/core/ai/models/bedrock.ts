// AWS Bedrock through the Converse streaming API: one system prompt, the file's text as one user message, text
// deltas streamed to the caller. Credentials come from the same chain as the S3 provider, so whatever makes
// `aws s3 ls` work (AWS_PROFILE, AWS_ACCESS_KEY_ID…, SSO, instance roles) makes this work; the SDK itself reads
// AWS_REGION and AWS_ENDPOINT_URL_BEDROCK_RUNTIME (its serviceId is "Bedrock Runtime").
import {
  BedrockRuntimeClient,
  ConverseStreamCommand,
  type BedrockRuntimeClientConfig,
} from '@aws-sdk/client-bedrock-runtime';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { cancelledError, FerryError } from '../../../../shared/errors';
import { sdkRegion } from '../../util/aws-region';
import { networkFailure, rootMessage } from './network';
import { DEFAULT_RETRY_POLICY, streamWithRetries, type RetryPolicy } from './retry';
import { modelError, type ModelFailure, type ModelRequest, type ModelUsage, type SummaryModel } from './types';

/**
 * A stream that stays silent this long is given up as unavailable (and retried if nothing was shown yet). Long
 * enough for a large prompt's first token, short enough that a stalled answer does not hang a summary forever.
 */
const IDLE_TIMEOUT_MS = 60_000;

export interface BedrockModelOptions {
  /** A model id or inference profile id/ARN, e.g. us.anthropic.claude-sonnet-4-5-20250929-v1:0. */
  modelId: string;
  /** Default: what the SDK resolves (AWS_REGION, the profile's region), else us-east-1. */
  region?: string;
  /** A profile of ~/.aws/config; default: AWS_PROFILE, else the default chain. */
  profile?: string;
  /** Default: AWS_ENDPOINT_URL_BEDROCK_RUNTIME or AWS_ENDPOINT_URL (read by the SDK), else AWS's own. */
  endpoint?: string;
  maxAttempts?: number;
  retryBaseMs?: number;
}

interface BedrockSetup {
  client: BedrockRuntimeClient;
  region: string;
}

export function createBedrockModel(options: BedrockModelOptions): SummaryModel {
  const policy: RetryPolicy = {
    maxAttempts: options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
    baseMs: options.retryBaseMs ?? DEFAULT_RETRY_POLICY.baseMs,
  };
  // Built on the first call: resolving the region may read ~/.aws/config, which a model never used should not.
  let setup: Promise<BedrockSetup> | undefined;
  return {
    service: 'bedrock',
    modelId: options.modelId,
    async stream(request, onText) {
      setup ??= createSetup(options);
      const resolved = await setup;
      return streamWithRetries(request, onText, policy, (forward) =>
        converseOnce(resolved, options.modelId, request, forward),
      );
    },
  };
}

async function createSetup(options: BedrockModelOptions): Promise<BedrockSetup> {
  const profile = options.profile ? { profile: options.profile } : {};
  const region =
    options.region ?? (await sdkRegion(new BedrockRuntimeClient(options.profile ? { profile: options.profile } : {})));
  const config: BedrockRuntimeClientConfig = {
    region,
    ...profile,
    credentials: fromNodeProviderChain(profile),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    // Retries are counted once, in streamWithRetries, which knows whether text has been shown already.
    maxAttempts: 1,
    // The SDK's default HTTP/2 handler, with an idle limit on the stream (see IDLE_TIMEOUT_MS).
    requestHandler: { requestTimeout: IDLE_TIMEOUT_MS },
  };
  return { client: new BedrockRuntimeClient(config), region };
}

async function converseOnce(
  { client, region }: BedrockSetup,
  modelId: string,
  request: ModelRequest,
  forward: (delta: string) => void,
): Promise<ModelUsage> {
  const context = { modelId, region };
  try {
    const command = new ConverseStreamCommand({
      modelId,
      system: [{ text: request.system }],
      messages: [{ role: 'user', content: [{ text: request.user }] }],
      inferenceConfig: { maxTokens: request.maxOutputTokens },
    });
    // The abort signal reaches the HTTP/2 handler, which closes the stream (RST_STREAM) even mid-answer.
    const response = await client.send(command, request.signal ? { abortSignal: request.signal } : {});
    const usage: ModelUsage = {};
    let stopped = false;
    for await (const event of response.stream ?? []) {
      if (request.signal?.aborted) break;
      const text = event.contentBlockDelta?.delta?.text;
      if (text !== undefined) forward(text);
      if (event.messageStop) {
        stopped = true;
        if (event.messageStop.stopReason) usage.stopReason = event.messageStop.stopReason;
      }
      if (event.metadata?.usage) {
        usage.inputTokens = event.metadata.usage.inputTokens;
        usage.outputTokens = event.metadata.usage.outputTokens;
      }
      // The SDK throws modelled stream exceptions; an event naming one is mapped all the same.
      const streamed =
        event.internalServerException ??
        event.modelStreamErrorException ??
        event.validationException ??
        event.throttlingException ??
        event.serviceUnavailableException;
      if (streamed) throw streamed;
    }
    if (request.signal?.aborted) throw cancelledError('The summary request');
    // A stream closed before messageStop (an idle timeout, a dropped connection) is an unfinished answer.
    if (!stopped)
      throw modelError(
        'unavailable',
        `Bedrock stopped answering before the end (model ${modelId}, region ${region}). Try again.`,
        { service: 'bedrock' },
      );
    return usage;
  } catch (error) {
    if (request.signal?.aborted) throw cancelledError('The summary request');
    throw bedrockError(error, context);
  }
}

interface SdkErrorShape {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** Maps an SDK, stream or network error onto a ModelFailure with a message that says what to do. */
export function bedrockError(error: unknown, { modelId, region }: { modelId: string; region: string }): FerryError {
  if (error instanceof FerryError) return error;
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  // Exceptions inside the event stream arrive named in camelCase (throttlingException): compare case-blind.
  const name = (shape.name ?? '').toLowerCase();
  const status = shape.$metadata?.httpStatusCode;
  const detail = shape.message ? ` (Bedrock said: ${shape.message})` : '';
  const fail = (failure: ModelFailure, message: string) =>
    modelError(failure, message, { cause: error, service: 'bedrock' });

  if (name === 'credentialsprovidererror' || /could not load credentials/i.test(shape.message ?? ''))
    return fail(
      'no-credentials',
      // The chain's generic "Could not load credentials from any providers" adds nothing; an SSO profile's
      // "session has expired" does.
      `No AWS credentials were found${/could not load credentials/i.test(shape.message ?? '') ? '' : detail}: set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run \`aws configure\` (or \`aws sso login\`).`,
    );
  if (name === 'validationexception') {
    if (
      /too long|too many (input )?tokens|too large|exceeds? .*(context|length|limit|tokens)/i.test(shape.message ?? '')
    )
      return fail(
        'input-too-large',
        `The text sent is more than model ${modelId} accepts${detail}. Summarise a smaller part of the file (a lower maximum of bytes to read).`,
      );
    return fail(
      'model-unavailable',
      `Bedrock cannot run model ${modelId} in region ${region}${detail}. Check the model id; if on-demand use is not supported, use an inference profile id (such as us.${modelId}) or another region.`,
    );
  }
  if (
    [
      'accessdeniedexception',
      'unrecognizedclientexception',
      'invalidsignatureexception',
      'expiredtokenexception',
    ].includes(name) ||
    status === 401 ||
    status === 403
  )
    return fail(
      'access-denied',
      `AWS refused access to Bedrock model ${modelId} in region ${region}${detail}. Enable access to the model in the Bedrock console (Model access) for that region, and allow bedrock:InvokeModelWithResponseStream to your user or role.`,
    );
  if (name === 'resourcenotfoundexception' || status === 404)
    return fail(
      'model-unavailable',
      `Model ${modelId} is not available in region ${region}${detail}. Check the model id, or use an inference profile (such as us.${modelId}) or a region where the model is offered.`,
    );
  if (
    ['throttlingexception', 'servicequotaexceededexception', 'toomanyrequestsexception'].includes(name) ||
    status === 429
  )
    return fail(
      'throttled',
      `Bedrock is throttling requests to model ${modelId} in region ${region}${detail}. Try again in a minute, or ask AWS for a higher quota.`,
    );
  if (networkFailure(error))
    return fail(
      'unavailable',
      `Could not reach Bedrock (model ${modelId}, region ${region}): ${rootMessage(error)}. Check the network connection (and AWS_ENDPOINT_URL_BEDROCK_RUNTIME if set) and try again.`,
    );
  if (
    [
      'serviceunavailableexception',
      'modelnotreadyexception',
      'internalserverexception',
      'modelstreamerrorexception',
      'modelerrorexception',
      'modeltimeoutexception',
      'timeouterror',
    ].includes(name) ||
    (status !== undefined && status >= 500)
  )
    return fail(
      'unavailable',
      `Bedrock could not answer now (model ${modelId}, region ${region})${detail}. Try again in a few minutes.`,
    );
  return fail('unavailable', `Bedrock failed (model ${modelId}, region ${region})${detail}. Try again later.`);
}
