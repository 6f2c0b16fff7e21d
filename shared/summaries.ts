// AI file summaries as the core, the command line and the UI see them: what a summary will send (so a person can
// consent to it and see its cost), and what came back. JSON-serialisable throughout.

/** The services that can write a summary: AWS Bedrock first, Azure OpenAI as the fallback. */
export const SUMMARY_SERVICES = ['bedrock', 'azure-openai'] as const;
export type SummaryService = (typeof SUMMARY_SERVICES)[number];

export const SUMMARY_SERVICE_NAMES: Readonly<Record<SummaryService, string>> = {
  bedrock: 'AWS Bedrock',
  'azure-openai': 'Azure OpenAI',
};

/** What a summary of one file will send, shown before the first call for a connection. */
export interface SummaryPreview {
  /** The file, as an address without credentials. */
  address: string;
  name: string;
  size?: number;
  modified?: number;
  /** What the file was read as: text, code, markdown, log, csv, json, pdf, docx, or metadata (nothing is sent). */
  kind: string;
  /** One line for people: "UTF-8 text", "CSV, 12 columns, about 40,000 rows", "ZIP archive". */
  description: string;
  /** Bytes read from the file. */
  bytesRead: number;
  /** Bytes of the request's text (instructions and content) that leave this computer; 0 when nothing is sent. */
  bytesToSend: number;
  /** Whether only the start of the file is sent. */
  truncated: boolean;
  /** Estimated input tokens (about four characters each). */
  estimatedInputTokens: number;
  /** Estimated cost in US dollars of input and the longest answer, from the price table; absent when unknown. */
  estimatedCostUsd?: number;
  /** Who will be asked first. */
  service: SummaryService;
  model: string;
  /** Who is asked when the first cannot answer (not configured, throttled, unavailable). */
  fallback?: { service: SummaryService; model: string };
  /** True until the person has agreed to send this connection's files. */
  needsConsent: boolean;
}

export interface SummaryResult {
  text: string;
  /** Absent for a metadata-only answer (no model was asked). */
  service?: SummaryService;
  model?: string;
  /** From the cache: no call was made. */
  cached: boolean;
  /** The file's type needs no model (archive, media, binary): the answer says what it is. */
  metadataOnly: boolean;
  /** Bytes sent to the service for this answer (0 when cached or metadata-only). */
  bytesSent: number;
  /** Why another service answered than the one asked first, in words for people. */
  fallback?: string;
  /** When the summary was written (ms since the epoch). */
  createdAt: number;
  inputTokens?: number;
  outputTokens?: number;
}

/** Claude Haiku 4.5 through Bedrock's global inference profile: fast and cheap enough for a summary per click. */
export const DEFAULT_BEDROCK_MODEL = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
/** The newest generally available inference API version; it takes max_completion_tokens and stream_options. */
export const DEFAULT_AZURE_OPENAI_API_VERSION = '2024-10-21';

/** US dollars per million tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

/**
 * The price table: each key is looked for in the model id or deployment name (the longest key that matches
 * wins), so one entry covers a model under every region's inference profile. Public list prices; a person can
 * change them, or add one for an Azure deployment by its name, in settings.
 */
export const DEFAULT_MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  'claude-haiku-4-5': { inputPerMillion: 1, outputPerMillion: 5 },
  'claude-3-5-haiku': { inputPerMillion: 0.8, outputPerMillion: 4 },
  'claude-sonnet-4': { inputPerMillion: 3, outputPerMillion: 15 },
  'claude-opus-4': { inputPerMillion: 15, outputPerMillion: 75 },
  'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 },
  'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 },
  'gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6 },
  'gpt-4.1': { inputPerMillion: 2, outputPerMillion: 8 },
};

/** What summaries.summarize resolves to: a consent question first, or the summary. */
export type SummaryOutcome =
  | { state: 'needs-consent'; preview: SummaryPreview }
  | { state: 'done'; preview?: SummaryPreview; result: SummaryResult };

/** A piece of a summary as it streams (event 'summary'), for the request that asked for it. */
export interface SummaryDelta {
  requestId: string;
  text: string;
}

/** What the settings screen shows of the summary services beyond the settings themselves. */
export interface SummaryStatus {
  /** Whether an Azure OpenAI key is in the keychain (never the key). */
  azureOpenAIKeyStored: boolean;
  /** Whether AZURE_OPENAI_API_KEY is set for this process (it wins over the keychain). */
  azureOpenAIKeyFromEnvironment: boolean;
  /** Connections whose files the person agreed to send. */
  consents: number;
  /** Set when a key just stored is kept for this session only: why, and what to install. */
  notice?: string;
}
