// What the summarizer needs of a language model, whichever service runs it (AWS Bedrock, Azure OpenAI): one
// streamed answer to one system + user prompt. Each service's client maps its own failures onto ModelFailure
// so the summarizer can decide, without knowing the service, whether another service is worth asking.
import { FerryError, type ErrorCode } from '../../../../shared/errors';

export type ModelService = 'bedrock' | 'azure-openai';

export interface ModelRequest {
  /** Instructions; never contains file content. */
  system: string;
  /** The file content, delimited as data (see ../prompt.ts). */
  user: string;
  maxOutputTokens: number;
  signal?: AbortSignal;
}

export interface ModelUsage {
  inputTokens?: number;
  outputTokens?: number;
  /** The service's reason for stopping (end_turn, max_tokens, stop, length…). */
  stopReason?: string;
}

export interface SummaryModel {
  readonly service: ModelService;
  /** The model id, inference profile or deployment that answers: shown with the summary, part of the cache key. */
  readonly modelId: string;
  /**
   * Streams one answer: onText is called with each piece of text as it arrives. Rejects with a ModelError
   * (or Cancelled when request.signal fires, after which onText is never called again).
   */
  stream(request: ModelRequest, onText: (delta: string) => void): Promise<ModelUsage>;
}

/**
 * Why a model call failed, in the terms a person and the fallback rule need:
 * - no-credentials: nothing to sign with (no AWS credentials found, no Azure OpenAI key);
 * - access-denied: credentials refused or lacking permission;
 * - model-unavailable: the model id or deployment does not exist or is not enabled in that region;
 * - throttled: the service asked to slow down (after the client's own retries);
 * - unavailable: the service could not be reached or answered 5xx;
 * - input-too-large: the prompt exceeds what the model takes.
 */
export type ModelFailure =
  'no-credentials' | 'access-denied' | 'model-unavailable' | 'throttled' | 'unavailable' | 'input-too-large';

const FAILURE_CODES: Record<ModelFailure, ErrorCode> = {
  'no-credentials': 'AuthFailed',
  'access-denied': 'PermissionDenied',
  'model-unavailable': 'NotFound',
  throttled: 'Network',
  unavailable: 'Network',
  'input-too-large': 'InvalidInput',
};

/** A model call's failure: a FerryError whose details.modelFailure says which. */
export function modelError(
  failure: ModelFailure,
  message: string,
  options: { cause?: unknown; service: ModelService },
): FerryError {
  return new FerryError(FAILURE_CODES[failure], message, {
    cause: options.cause,
    details: { modelFailure: failure, service: options.service },
  });
}

export function modelFailureOf(error: unknown): ModelFailure | undefined {
  if (!(error instanceof FerryError)) return undefined;
  const failure = error.details.modelFailure;
  return typeof failure === 'string' ? (failure as ModelFailure) : undefined;
}
