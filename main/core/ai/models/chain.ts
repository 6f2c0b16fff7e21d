// Who is asked for a summary, in order: AWS Bedrock (unless turned off), then Azure OpenAI where it is
// configured (in settings, or by the variables its own tools read). Built per request from the settings in
// force, so a change in Settings applies to the next summary.
import type { SummarySettings } from '../../../../shared/api/dto';
import { createAzureOpenAIModel } from './azure-openai';
import { createBedrockModel } from './bedrock';
import type { SummaryModel } from './types';

export const AZURE_OPENAI_ENV = {
  endpoint: 'AZURE_OPENAI_ENDPOINT',
  apiKey: 'AZURE_OPENAI_API_KEY',
  deployment: 'AZURE_OPENAI_DEPLOYMENT',
  apiVersion: 'OPENAI_API_VERSION',
} as const;

export interface ChainOptions {
  /** --model: the first service's model id (Bedrock's, or Azure OpenAI's deployment when Bedrock is off). */
  model?: string;
  /** --region: Bedrock's region. */
  region?: string;
  /** The Azure OpenAI key from the keychain; AZURE_OPENAI_API_KEY otherwise. */
  azureOpenAIKey?: string;
  /** For Entra ID: a bearer token for Cognitive Services. */
  azureOpenAITokenProvider?: () => Promise<string>;
  /** Backoff base for throttled/unavailable retries (tests make it small). */
  retryBaseMs?: number;
}

/** The Azure OpenAI settings with the environment filling what settings leave empty. */
export function azureOpenAIConfig(settings: SummarySettings): {
  endpoint?: string;
  deployment?: string;
  apiVersion: string;
} {
  const env = process.env;
  const endpoint = settings.azureOpenAI.endpoint ?? env[AZURE_OPENAI_ENV.endpoint] ?? undefined;
  const deployment = settings.azureOpenAI.deployment ?? env[AZURE_OPENAI_ENV.deployment] ?? undefined;
  return {
    ...(endpoint ? { endpoint } : {}),
    ...(deployment ? { deployment } : {}),
    apiVersion: env[AZURE_OPENAI_ENV.apiVersion] || settings.azureOpenAI.apiVersion,
  };
}

export function modelChain(settings: SummarySettings, options: ChainOptions = {}): SummaryModel[] {
  const chain: SummaryModel[] = [];
  const retry = options.retryBaseMs === undefined ? {} : { retryBaseMs: options.retryBaseMs };
  if (settings.bedrock.enabled) {
    const region = options.region ?? settings.bedrock.region ?? undefined;
    const profile = settings.bedrock.profile ?? undefined;
    chain.push(
      createBedrockModel({
        modelId: options.model ?? settings.bedrock.modelId,
        ...(region ? { region } : {}),
        ...(profile ? { profile } : {}),
        ...retry,
      }),
    );
  }
  const azure = azureOpenAIConfig(settings);
  if (azure.endpoint && azure.deployment) {
    const apiKey = options.azureOpenAIKey ?? process.env[AZURE_OPENAI_ENV.apiKey];
    const entra = settings.azureOpenAI.auth === 'entra' ? options.azureOpenAITokenProvider : undefined;
    chain.push(
      createAzureOpenAIModel({
        endpoint: azure.endpoint,
        deployment: chain.length === 0 && options.model ? options.model : azure.deployment,
        apiVersion: azure.apiVersion,
        ...(entra ? { tokenProvider: entra } : apiKey ? { apiKey } : {}),
        ...retry,
      }),
    );
  }
  return chain;
}
