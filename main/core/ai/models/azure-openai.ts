// Azure OpenAI, the fallback model: streamed chat completions from one deployment through the openai package's
// AzureOpenAI client. Signs with an API key (kept in the keychain by the caller) or an Entra ID token
// provider. The SDK's own retries are off: streamWithRetries counts attempts for every service in one place.
import { APIConnectionError, APIError, APIUserAbortError, AzureOpenAI } from 'openai';
import type { TokenCredential } from '@azure/core-auth';
import { cancelledError, FerryError } from '../../../../shared/errors';
import { networkFailure, rootMessage } from './network';
import { DEFAULT_AZURE_OPENAI_API_VERSION } from '../../../../shared/summaries';
import { DEFAULT_RETRY_POLICY, streamWithRetries, type RetryPolicy } from './retry';
import { modelError, type ModelFailure, type ModelRequest, type ModelUsage, type SummaryModel } from './types';

/** The first API version with max_completion_tokens (the reasoning models refuse max_tokens). */
const FIRST_VERSION_WITH_MAX_COMPLETION_TOKENS = '2024-09-01';
/** Azure OpenAI's Entra ID scope (the audience of a token for any Azure AI services resource). */
export const COGNITIVE_SERVICES_SCOPE = 'https://cognitiveservices.azure.com/.default';
/** How long to wait for the answer to start; a large prompt's first token can take a while. */
const RESPONSE_TIMEOUT_MS = 60_000;

export interface AzureOpenAIModelOptions {
  /** The resource's endpoint, e.g. https://my-resource.openai.azure.com */
  endpoint: string;
  /** The deployment name; also what the summary shows as its model. */
  deployment: string;
  apiVersion?: string;
  /** One of apiKey or tokenProvider (Entra ID; see entraTokenProvider). */
  apiKey?: string;
  tokenProvider?: () => Promise<string>;
  maxAttempts?: number;
  retryBaseMs?: number;
}

export function createAzureOpenAIModel(options: AzureOpenAIModelOptions): SummaryModel {
  const policy: RetryPolicy = {
    maxAttempts: options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
    baseMs: options.retryBaseMs ?? DEFAULT_RETRY_POLICY.baseMs,
  };
  const apiVersion = options.apiVersion ?? DEFAULT_AZURE_OPENAI_API_VERSION;
  let client: AzureOpenAI | undefined;
  return {
    service: 'azure-openai',
    modelId: options.deployment,
    async stream(request, onText) {
      if (!options.apiKey && !options.tokenProvider)
        throw modelError(
          'no-credentials',
          `No Azure OpenAI key is set for ${options.endpoint}: enter the resource's key (AZURE_OPENAI_API_KEY for the command line) or sign in with Entra ID.`,
          { service: 'azure-openai' },
        );
      client ??= new AzureOpenAI({
        // baseURL rather than endpoint, so OPENAI_BASE_URL in the environment cannot redirect the request.
        baseURL: `${options.endpoint.replace(/\/+$/, '')}/openai`,
        deployment: options.deployment,
        apiVersion,
        ...(options.tokenProvider ? { azureADTokenProvider: options.tokenProvider } : { apiKey: options.apiKey }),
        maxRetries: 0,
        timeout: RESPONSE_TIMEOUT_MS,
      });
      const ready = client;
      return streamWithRetries(request, onText, policy, (forward) =>
        completeOnce(ready, options, apiVersion, request, forward),
      );
    },
  };
}

/**
 * An Entra ID token provider for Azure OpenAI from a TokenCredential, such as the Azure connections'
 * MsalTokenCredential (providers/azure-blob/msal-credential.ts): same sign-in, cache and keychain, another scope.
 */
export function entraTokenProvider(credential: Pick<TokenCredential, 'getToken'>): () => Promise<string> {
  return async () => {
    const token = await credential.getToken(COGNITIVE_SERVICES_SCOPE);
    if (!token)
      throw new FerryError('AuthFailed', 'Entra ID returned no access token for Azure OpenAI. Sign in again.');
    return token.token;
  };
}

async function completeOnce(
  client: AzureOpenAI,
  options: AzureOpenAIModelOptions,
  apiVersion: string,
  request: ModelRequest,
  forward: (delta: string) => void,
): Promise<ModelUsage> {
  // API versions before 2024-09-01 know only max_tokens; later ones prefer max_completion_tokens.
  const limit =
    apiVersion.slice(0, 10) >= FIRST_VERSION_WITH_MAX_COMPLETION_TOKENS
      ? { max_completion_tokens: request.maxOutputTokens }
      : { max_tokens: request.maxOutputTokens };
  try {
    const stream = await client.chat.completions.create(
      {
        model: options.deployment,
        stream: true,
        stream_options: { include_usage: true },
        messages: [
          { role: 'system', content: request.system },
          { role: 'user', content: request.user },
        ],
        ...limit,
      },
      request.signal ? { signal: request.signal } : {},
    );
    const usage: ModelUsage = {};
    for await (const chunk of stream) {
      if (request.signal?.aborted) break;
      for (const choice of chunk.choices) {
        if (choice.delta?.content) forward(choice.delta.content);
        if (choice.finish_reason) usage.stopReason = choice.finish_reason;
      }
      if (chunk.usage) {
        usage.inputTokens = chunk.usage.prompt_tokens;
        usage.outputTokens = chunk.usage.completion_tokens;
      }
    }
    // The SDK ends an aborted stream quietly, as if the answer were complete.
    if (request.signal?.aborted) throw cancelledError('The summary request');
    if (!usage.stopReason)
      throw modelError(
        'unavailable',
        `Azure OpenAI stopped answering before the end (deployment ${options.deployment}). Try again.`,
        {
          service: 'azure-openai',
        },
      );
    return usage;
  } catch (error) {
    if (request.signal?.aborted || error instanceof APIUserAbortError) throw cancelledError('The summary request');
    throw azureOpenAIError(error, options);
  }
}

/** Maps an openai SDK, HTTP or network error onto a ModelFailure with a message that says what to do. */
export function azureOpenAIError(
  error: unknown,
  { endpoint, deployment, apiKey }: Pick<AzureOpenAIModelOptions, 'endpoint' | 'deployment' | 'apiKey'>,
): FerryError {
  if (error instanceof FerryError) return error;
  // An Entra token provider's own failure (sign-in needed, cancelled) comes wrapped in an OpenAIError.
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if (cause instanceof FerryError) {
    if (cause.code !== 'AuthFailed') return cause;
    return modelError('no-credentials', `Azure OpenAI needs an Entra ID sign-in: ${cause.message}`, {
      cause: error,
      service: 'azure-openai',
    });
  }
  const fail = (failure: ModelFailure, message: string) =>
    modelError(failure, message, { cause: error, service: 'azure-openai' });
  if (!(error instanceof APIError) || error instanceof APIConnectionError) {
    const reason = networkFailure(error) ? ' Check the endpoint and the network connection.' : '';
    return fail(
      'unavailable',
      `Could not reach Azure OpenAI at ${endpoint}: ${rootMessage(error)}.${reason} Try again later.`,
    );
  }
  const inner = error.error as { message?: string } | undefined;
  const detail = inner?.message ? ` (Azure OpenAI said: ${inner.message})` : '';
  const code = String(error.code ?? '');
  // An error event inside the stream has no HTTP status: only its code says what happened.
  const status =
    error.status ??
    (code === '429' || code === 'rate_limit_exceeded' ? 429 : code === 'context_length_exceeded' ? 400 : 500);
  if (status === 401)
    return apiKey
      ? fail('access-denied', `Azure OpenAI refused the key for ${endpoint}${detail}. Check the key in the settings.`)
      : fail(
          'no-credentials',
          `Azure OpenAI refused the sign-in for ${endpoint}${detail}. Sign in with Entra ID again.`,
        );
  if (status === 403)
    return fail(
      'access-denied',
      `Azure OpenAI denied access to deployment ${deployment}${detail}. With Entra ID, your account needs the Cognitive Services OpenAI User role on the resource.`,
    );
  if (status === 404)
    return fail(
      'model-unavailable',
      `Azure OpenAI has no deployment ${deployment} at ${endpoint}${detail}. Check the deployment name (and the endpoint).`,
    );
  if (status === 429)
    return fail(
      'throttled',
      `Azure OpenAI is throttling deployment ${deployment}${detail}. Try again in a minute, or raise the deployment's tokens-per-minute quota.`,
    );
  if (status >= 500)
    return fail(
      'unavailable',
      `Azure OpenAI could not answer now (deployment ${deployment})${detail}. Try again later.`,
    );
  if (
    code === 'context_length_exceeded' ||
    /maximum context length|too many tokens|too long/i.test(inner?.message ?? '')
  )
    return fail(
      'input-too-large',
      `The text sent is more than deployment ${deployment} accepts${detail}. Summarise a smaller part of the file (a lower maximum of bytes to read).`,
    );
  return fail(
    'model-unavailable',
    `Azure OpenAI rejected the request to deployment ${deployment}${detail}. Check the deployment's model and the API version.`,
  );
}
