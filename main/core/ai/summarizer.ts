// One file's summary, from any connection: stat it, answer from the cache when the file has not changed, read a
// bounded slice and shape it (extract/), say what will be sent and what it may cost, ask for consent once per
// connection, then stream the answer from the first service that gives one (Bedrock, then Azure OpenAI) and
// keep it. The caller (the API, the command line) shows the preview, asks the person, and prints the text.
import { createHash } from 'node:crypto';
import type { SummarySettings } from '../../../shared/api/dto';
import type { ConnectionRef } from '../../../shared/connection';
import { cancelledError, FerryError } from '../../../shared/errors';
import type { Entry, Provider } from '../../../shared/provider';
import { SUMMARY_SERVICE_NAMES, type SummaryPreview, type SummaryResult } from '../../../shared/summaries';
import { formatBytes } from '../../../shared/text';
import { connectionLabel, recordSide, type SavedName } from '../history/addresses';
import type { Logger } from '../log/logger';
import { estimateCostUsd, estimateTokens, priceFor } from './cost';
import { extractFile } from './extract';
import type { MetadataExtraction } from './extract/types';
import { modelFailureOf, type ModelFailure, type SummaryModel } from './models/types';
import { buildPrompt, PROMPT_VERSION } from './prompt';
import type { SummaryStore } from './store';

/** A failure of the first service after which the next one is asked (issue 18: not configured, throttled, down). */
const FALLBACK_ON: ReadonlySet<ModelFailure> = new Set(['no-credentials', 'throttled', 'unavailable']);

const FAILURE_WORDS: Record<ModelFailure, string> = {
  'no-credentials': 'has no credentials here',
  'access-denied': 'refused access',
  'model-unavailable': 'does not offer the model',
  throttled: 'was throttled (asked to slow down) after its retries',
  unavailable: 'could not be reached',
  'input-too-large': 'found the input too large',
};

export interface SummaryTarget {
  provider: Provider;
  ref: ConnectionRef;
  path: string;
  /** Names saved connections in the preview's address. */
  savedName?: SavedName;
}

export interface SummarizeOptions {
  /** The person agreed just now (--yes, the panel's Send button): remembered for this connection. */
  consent?: boolean;
  /** Asked when the connection has no consent yet (a terminal's question); false or absent: nothing is sent. */
  confirm?: (preview: SummaryPreview) => Promise<boolean>;
  /** Another service is asked because the first could not answer: why, in words for people. */
  onFallback?: (reason: string) => void;
  /** Each piece of the answer as it arrives. */
  onText?: (delta: string) => void;
  signal?: AbortSignal;
  /** Overrides of the settings for this request (the command line's --max-bytes). */
  maxBytes?: number;
}

export type SummaryOutcome =
  | { state: 'needs-consent'; preview: SummaryPreview }
  | { state: 'done'; preview?: SummaryPreview; result: SummaryResult };

export interface SummarizerDeps {
  store: SummaryStore;
  settings: () => Promise<SummarySettings>;
  /** The services to ask, in order, for these settings. */
  models: (settings: SummarySettings) => Promise<SummaryModel[]> | SummaryModel[];
  log: Logger;
}

/** The key consent is remembered under: a saved connection by its id, any other by its address (no secret). */
export function consentKey(ref: ConnectionRef): string {
  if ('savedId' in ref) return `saved:${ref.savedId}`;
  if (ref.secretsKey?.startsWith('saved:')) return ref.secretsKey;
  return `site:${connectionLabel(ref)}`;
}

export class Summarizer {
  constructor(private readonly deps: SummarizerDeps) {}

  async summarize(target: SummaryTarget, options: SummarizeOptions = {}): Promise<SummaryOutcome> {
    const settings = await this.deps.settings();
    if (!settings.enabled) {
      throw new FerryError(
        'Unsupported',
        'Summaries are turned off, so no file content is sent anywhere. Turn them on in Settings › Summaries.',
      );
    }
    const models = await this.deps.models(settings);
    if (models.length === 0) {
      throw new FerryError(
        'Unsupported',
        'No AI service is set up for summaries: turn AWS Bedrock on in Settings › Summaries, or configure Azure OpenAI (an endpoint and a deployment).',
      );
    }
    const signal = options.signal;
    const entry = await target.provider.stat(target.path, signal ? { signal } : {});
    const address = recordSide(target.ref, target.savedName).address(target.path);
    if (entry.type !== 'file') {
      throw new FerryError('InvalidInput', `${address} is a folder; select a file to summarise.`);
    }
    const limits = { maxBytes: options.maxBytes ?? settings.maxBytes, documentMaxBytes: settings.documentMaxBytes };
    const connection = consentKey(target.ref);
    const keyOf = (model: SummaryModel) => cacheKey(connection, entry, model, limits.maxBytes);
    for (const model of models) {
      const hit = this.deps.store.cached(keyOf(model));
      if (hit) return { state: 'done', result: { ...hit, cached: true, bytesSent: 0 } };
    }

    const extraction = await extractFile(target.provider, entry, limits, signal);
    throwIfAborted(signal);
    if (extraction.kind === 'metadata') {
      return { state: 'done', result: metadataAnswer(entry, extraction) };
    }
    const prompt = buildPrompt(entry, extraction);
    const first = models[0]!;
    const inputTokens = estimateTokens(prompt.system) + estimateTokens(prompt.user);
    const costUsd = estimateCostUsd(inputTokens, settings.maxOutputTokens, priceFor(first.modelId, settings.prices));
    const preview: SummaryPreview = {
      address,
      name: entry.name,
      ...(entry.size !== undefined ? { size: entry.size } : {}),
      ...(entry.modified !== undefined ? { modified: entry.modified } : {}),
      kind: extraction.kind,
      description: extraction.description,
      bytesRead: extraction.bytesRead,
      bytesToSend: prompt.bytes,
      truncated: extraction.truncated,
      estimatedInputTokens: inputTokens,
      ...(costUsd !== undefined ? { estimatedCostUsd: costUsd } : {}),
      service: first.service,
      model: first.modelId,
      ...(models[1] ? { fallback: { service: models[1].service, model: models[1].modelId } } : {}),
      needsConsent: !this.deps.store.hasConsent(connection),
    };
    if (preview.needsConsent) {
      const agreed = options.consent === true || (options.confirm ? await options.confirm(preview) : false);
      if (!agreed) return { state: 'needs-consent', preview };
      this.deps.store.grantConsent(connection);
    }
    throwIfAborted(signal);

    const answer = await this.ask(models, prompt, settings.maxOutputTokens, options);
    const result: SummaryResult = {
      text: answer.text,
      service: answer.model.service,
      model: answer.model.modelId,
      cached: false,
      metadataOnly: false,
      bytesSent: prompt.bytes,
      createdAt: Date.now(),
      ...(answer.fallback ? { fallback: answer.fallback } : {}),
      ...(answer.usage.inputTokens !== undefined ? { inputTokens: answer.usage.inputTokens } : {}),
      ...(answer.usage.outputTokens !== undefined ? { outputTokens: answer.usage.outputTokens } : {}),
    };
    this.deps.store.save(keyOf(answer.model), result);
    return { state: 'done', preview: { ...preview, needsConsent: false }, result };
  }

  /** How many connections have consent. */
  consentCount(): number {
    return this.deps.store.consentCount();
  }

  forgetConsents(): void {
    this.deps.store.revokeConsents();
  }

  /** Asks each service in turn until one answers; the next only after a failure worth falling back on. */
  private async ask(
    models: SummaryModel[],
    prompt: { system: string; user: string },
    maxOutputTokens: number,
    options: SummarizeOptions,
  ) {
    const reasons: string[] = [];
    for (const [index, model] of models.entries()) {
      let text = '';
      try {
        const usage = await model.stream(
          {
            system: prompt.system,
            user: prompt.user,
            maxOutputTokens,
            ...(options.signal ? { signal: options.signal } : {}),
          },
          (delta) => {
            text += delta;
            options.onText?.(delta);
          },
        );
        return { model, text, usage, ...(reasons.length > 0 ? { fallback: `${reasons.join('; ')}.` } : {}) };
      } catch (error) {
        const failure = modelFailureOf(error);
        const next = models[index + 1];
        // Text already shown cannot be taken back: only a service that said nothing yet is replaced.
        if (!next || text !== '' || !failure || !FALLBACK_ON.has(failure)) throw error;
        const reason = `${SUMMARY_SERVICE_NAMES[model.service]} ${FAILURE_WORDS[failure]}; ${SUMMARY_SERVICE_NAMES[next.service]} (${next.modelId}) answered instead`;
        this.deps.log.warn('Summary service failed; asking the fallback', { service: model.service, failure, error });
        reasons.push(reason);
        options.onFallback?.(reason);
      }
    }
    throw new Error('unreachable: the last model either answers or throws');
  }
}

/**
 * The cache key: the connection, the file as it is now (path, size, modified time, ETag), the model, the
 * prompt's version and how much is read. A change to any of them is a new summary.
 */
function cacheKey(connection: string, entry: Entry, model: SummaryModel, maxBytes: number): string {
  const parts = [
    connection,
    entry.path,
    entry.size ?? null,
    entry.modified ?? null,
    entry.hashes?.md5 ?? null,
    model.service,
    model.modelId,
    PROMPT_VERSION,
    maxBytes,
  ];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** What FileFerry can say of a file no model is asked about: its type, size and date. */
function metadataAnswer(entry: Entry, extraction: MetadataExtraction): SummaryResult {
  const facts = [
    `${extraction.description} (${extraction.mediaType})`,
    entry.size !== undefined ? formatBytes(entry.size) : undefined,
    entry.modified !== undefined
      ? `modified ${new Date(entry.modified).toISOString().slice(0, 16).replace('T', ' ')} UTC`
      : undefined,
  ].filter((fact) => fact !== undefined);
  return {
    text: `${facts.join(', ')}.\nFileFerry does not send files of this type to a model; this is what it can tell from the file itself.`,
    cached: false,
    metadataOnly: true,
    bytesSent: 0,
    createdAt: Date.now(),
  };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError('The summary');
}
