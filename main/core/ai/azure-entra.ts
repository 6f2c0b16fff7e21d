// Entra ID sign-in for Azure OpenAI: the Azure connections' MSAL adapter (same flows, same silent refresh), its
// token cache in the credential store under the summaries' own id, asked for Cognitive Services' scope. A
// sign-in that needs the person goes through the host's interaction (a device code on the terminal or in the
// window); without one it fails at once, saying where to sign in, rather than wait for nobody.
import type { SummarySettings } from '../../../shared/api/dto';
import { FerryError } from '../../../shared/errors';
import type { CredentialStore } from '../credentials/store';
import type { Logger } from '../log/logger';
import { MsalTokenCredential, type EntraInteraction } from '../providers/azure-blob/msal-credential';
import { entraTokenProvider } from './models/azure-openai';

/** Where the Azure OpenAI secrets live in the credential store: the key, or Entra ID's token cache. */
export const AZURE_OPENAI_SECRET = { id: 'summaries-azure-openai', field: 'apiKey' } as const;

export interface EntraContext {
  credentials: () => Promise<CredentialStore>;
  interaction?: EntraInteraction;
  /**
   * The credentials made so far, by app registration and authority (the summarizer's own): one per pair, so
   * MSAL's memory cache serves later summaries and one sign-in is shared by requests made during it.
   */
  made: Map<string, MsalTokenCredential>;
  log: Logger;
}

export function azureOpenAIEntraToken(
  settings: SummarySettings['azureOpenAI'],
  context: EntraContext,
): () => Promise<string> {
  const { clientId, tenantId } = settings;
  if (!clientId) {
    // Said when Azure OpenAI is asked, not before: Bedrock may well answer without it.
    return () =>
      Promise.reject(
        new FerryError(
          'InvalidInput',
          'Entra ID sign-in for Azure OpenAI needs the application (client) ID of an app registration that allows public-client flows: set it in Settings › Summaries.',
        ),
      );
  }
  const authority = settings.authority ?? `https://login.microsoftonline.com/${tenantId ?? 'organizations'}`;
  const key = `${clientId} ${authority}`;
  let credential = context.made.get(key);
  if (!credential) {
    credential = new MsalTokenCredential({
      clientId,
      authority,
      ...(settings.authority ? { knownAuthorities: [new URL(settings.authority).host] } : {}),
      ...(context.interaction ? { interaction: context.interaction } : {}),
      loadCache: async () => (await context.credentials()).get(AZURE_OPENAI_SECRET.id, 'tokenCache'),
      saveCache: async (serialized) =>
        void (await (await context.credentials()).set(AZURE_OPENAI_SECRET.id, 'tokenCache', serialized)),
      signInUnavailable: () =>
        new FerryError(
          'AuthFailed',
          'Azure OpenAI needs an Entra ID sign-in: run `fileferry summarize` on a terminal, or summarise a file in the FileFerry window, and enter the code it shows.',
        ),
      log: context.log,
    });
    context.made.set(key, credential);
  }
  return entraTokenProvider(credential);
}
