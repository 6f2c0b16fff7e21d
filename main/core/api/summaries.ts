// summaries.*: a file's summary for the window. The text streams to the window that asked, as 'summary' events
// gathered into a few a second (a model writes a few tokens at a time: one event each would be hundreds);
// the rest goes to main/core/ai, which the command line uses the same way.
import type { ApiArg, ApiLocation } from '../../../shared/api';
import type { ConnectionRef, ConnectionSpec } from '../../../shared/connection';
import { FerryError } from '../../../shared/errors';
import type { Provider } from '../../../shared/provider';
import type { SummaryOutcome, SummaryStatus } from '../../../shared/summaries';
import { AZURE_OPENAI_ENV, AZURE_OPENAI_SECRET, openSummarizer, type OpenedSummarizer } from '../ai';
import type { CredentialStore } from '../credentials/store';
import type { SavedName } from '../history/addresses';
import type { Logger } from '../log/logger';
import type { EntraInteraction } from '../providers/azure-blob/msal-credential';
import type { SettingsStore } from '../settings/store';
import type { CallContext } from './types';

/** How often streamed text goes to the window. */
const DELTA_INTERVAL_MS = 80;

export interface SummariesDeps {
  dataDir: string;
  settings: SettingsStore;
  credentials: CredentialStore;
  open(ref: ConnectionRef, signal?: AbortSignal): Promise<{ provider: Provider; spec: ConnectionSpec }>;
  savedName: SavedName;
  /** How Azure OpenAI signs in with Entra ID from the window (a device code shown by the renderer). */
  entra?: EntraInteraction;
  log: Logger;
}

export class SummariesApi {
  private opened: Promise<OpenedSummarizer> | undefined;
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly deps: SummariesDeps) {}

  private summarizer(): Promise<OpenedSummarizer> {
    this.opened ??= openSummarizer({
      dataDir: this.deps.dataDir,
      log: this.deps.log,
      settings: this.deps.settings,
      credentials: async () => this.deps.credentials,
      ...(this.deps.entra ? { entra: this.deps.entra } : {}),
    });
    this.opened.catch(() => (this.opened = undefined));
    return this.opened;
  }

  async summarize(
    { requestId, location, consent }: ApiArg<'summaries.summarize'>,
    context: CallContext,
  ): Promise<SummaryOutcome> {
    if (this.running.has(requestId))
      throw new FerryError('InvalidInput', `A summary with the id ${requestId} is under way already.`);
    const controller = new AbortController();
    this.running.set(requestId, controller);
    let pending = '';
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      clearTimeout(timer);
      timer = undefined;
      if (pending === '') return;
      context.emit('summary', { requestId, text: pending });
      pending = '';
    };
    try {
      const { summarizer } = await this.summarizer();
      const { provider } = await this.deps.open(location.connection, controller.signal);
      const outcome = await summarizer.summarize(target(provider, location, this.deps.savedName), {
        consent: consent === true,
        signal: controller.signal,
        onText: (delta) => {
          pending += delta;
          timer ??= setTimeout(flush, DELTA_INTERVAL_MS);
        },
      });
      flush();
      return outcome;
    } finally {
      clearTimeout(timer);
      this.running.delete(requestId);
    }
  }

  cancel({ requestId }: ApiArg<'summaries.cancel'>): void {
    this.running.get(requestId)?.abort();
  }

  async status(): Promise<SummaryStatus> {
    const { summarizer } = await this.summarizer();
    const stored = await this.deps.credentials.get(AZURE_OPENAI_SECRET.id, AZURE_OPENAI_SECRET.field);
    return {
      azureOpenAIKeyStored: stored !== undefined,
      azureOpenAIKeyFromEnvironment: Boolean(process.env[AZURE_OPENAI_ENV.apiKey]),
      consents: summarizer.consentCount(),
    };
  }

  async setAzureOpenAIKey({ key }: ApiArg<'summaries.setAzureOpenAIKey'>): Promise<SummaryStatus> {
    if (key === null) {
      await this.deps.credentials.delete(AZURE_OPENAI_SECRET.id, AZURE_OPENAI_SECRET.field);
      return this.status();
    }
    const saved = await this.deps.credentials.set(AZURE_OPENAI_SECRET.id, AZURE_OPENAI_SECRET.field, key);
    return { ...(await this.status()), ...(saved.notice ? { notice: saved.notice } : {}) };
  }

  async forgetConsents(): Promise<SummaryStatus> {
    (await this.summarizer()).summarizer.forgetConsents();
    return this.status();
  }

  async close(): Promise<void> {
    for (const controller of this.running.values()) controller.abort();
    const opened = await this.opened?.catch(() => undefined);
    opened?.close();
  }
}

function target(provider: Provider, location: ApiLocation, savedName: SavedName) {
  return { provider, ref: location.connection, path: location.path, savedName };
}
