// Opening the summarizer for whoever asks (the app's API, the command line): the cache in the data folder, the
// settings, and the services to ask built from them, with the Azure OpenAI key read from the keychain only when
// a request needs it.
import type { SummarySettings } from '../../../shared/api/dto';
import type { CredentialStore } from '../credentials/store';
import type { Logger } from '../log/logger';
import { SettingsStore } from '../settings/store';
import type { EntraInteraction, MsalTokenCredential } from '../providers/azure-blob/msal-credential';
import { AZURE_OPENAI_SECRET, azureOpenAIEntraToken } from './azure-entra';
import { azureOpenAIConfig, AZURE_OPENAI_ENV, modelChain, type ChainOptions } from './models/chain';
import { SummaryStore } from './store';
import { Summarizer } from './summarizer';

/**
 * The first retry's delay in ms, instead of the default (a second): for tests, whose throttling stubs would
 * otherwise make each run wait through real backoff. No effect on what is retried.
 */
export const RETRY_BASE_ENV = 'FILEFERRY_SUMMARY_RETRY_MS';

export interface OpenSummarizerOptions {
  dataDir: string;
  log: Logger;
  /** The app's settings store (its changes apply to the next summary); absent: settings.json read per request. */
  settings?: SettingsStore;
  /** The credential store, opened on first need (it probes the keychain). */
  credentials?: () => Promise<CredentialStore>;
  /** The command line's --model, --region and a test's retry base. */
  chain?: Omit<ChainOptions, 'azureOpenAIKey' | 'azureOpenAITokenProvider'>;
  /** How a person signs in to Azure OpenAI with Entra ID here (a device code on the terminal, in the window). */
  entra?: EntraInteraction;
}

export interface OpenedSummarizer {
  summarizer: Summarizer;
  /** Where a damaged summaries.db was moved (a fresh one took its place). */
  setAside?: string;
  close(): void;
}

export async function openSummarizer(options: OpenSummarizerOptions): Promise<OpenedSummarizer> {
  const { store, setAside } = await SummaryStore.open(options.dataDir);
  if (setAside) options.log.warn('The summary cache could not be read; it was set aside', { setAside });
  const settings = options.settings ?? new SettingsStore(options.dataDir, options.log);
  const retryBaseMs = Number(process.env[RETRY_BASE_ENV]);
  const chain = {
    ...(Number.isFinite(retryBaseMs) && retryBaseMs >= 0 && process.env[RETRY_BASE_ENV] ? { retryBaseMs } : {}),
    ...options.chain,
  };
  const entraCredentials = new Map<string, MsalTokenCredential>();
  const summarizer = new Summarizer({
    store,
    log: options.log,
    settings: async () => (await settings.get()).summaries,
    models: async (current) =>
      modelChain(current, {
        ...chain,
        ...(await azureKey(current, options.credentials)),
        ...azureEntra(current, options, entraCredentials),
      }),
  });
  return { summarizer, ...(setAside ? { setAside } : {}), close: () => store.close() };
}

/** The keychain's Azure OpenAI key, when Azure OpenAI is configured for a key and the environment has none. */
async function azureKey(
  settings: SummarySettings,
  credentials: OpenSummarizerOptions['credentials'],
): Promise<{ azureOpenAIKey?: string }> {
  const azure = azureOpenAIConfig(settings);
  if (!azure.endpoint || !azure.deployment || settings.azureOpenAI.auth !== 'key') return {};
  if (process.env[AZURE_OPENAI_ENV.apiKey] || !credentials) return {};
  const key = await (await credentials()).get(AZURE_OPENAI_SECRET.id, AZURE_OPENAI_SECRET.field);
  return key ? { azureOpenAIKey: key } : {};
}

/** The Entra ID token provider, when Azure OpenAI is configured to sign in with Entra ID. */
function azureEntra(
  settings: SummarySettings,
  options: OpenSummarizerOptions,
  made: Map<string, MsalTokenCredential>,
): { azureOpenAITokenProvider?: () => Promise<string> } {
  const azure = azureOpenAIConfig(settings);
  if (!azure.endpoint || !azure.deployment || settings.azureOpenAI.auth !== 'entra') return {};
  const credentials = options.credentials;
  if (!credentials) return {};
  return {
    azureOpenAITokenProvider: azureOpenAIEntraToken(settings.azureOpenAI, {
      credentials,
      made,
      log: options.log,
      ...(options.entra ? { interaction: options.entra } : {}),
    }),
  };
}
