// Typed errors shared by every layer. A FerryError carries a code the UI and CLI can act on, a message a
// person can act on, and the original cause for logs. Messages pass through redact() so a secret that slips
// into one (a URL with a password, a SAS signature) never reaches a user, a log or a persisted queue.
import { redact } from './redact';

export const ERROR_CODES = [
  'NotFound',
  'AlreadyExists',
  'AuthFailed',
  'PermissionDenied',
  'Network',
  'Timeout',
  'Cancelled',
  'Unsupported',
  'Protocol',
  'Integrity',
  'InvalidInput',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return (ERROR_CODES as readonly unknown[]).includes(value);
}

/** Codes worth retrying: the same call may succeed a moment later. */
export const TRANSIENT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['Network', 'Timeout', 'Protocol']);

export interface SerializedError {
  code: ErrorCode;
  message: string;
  /** Extra, non-secret facts (FerryError.details), e.g. a certificate's fingerprint. */
  details?: Record<string, string | number | boolean>;
}

export class FerryError extends Error {
  readonly code: ErrorCode;
  /** Extra, non-secret facts for the UI (e.g. a certificate fingerprint). */
  readonly details: Readonly<Record<string, string | number | boolean>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, string | number | boolean> } = {},
  ) {
    super(redact(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = `FerryError(${code})`;
    this.code = code;
    this.details = options.details ?? {};
  }

  get transient(): boolean {
    return TRANSIENT_CODES.has(this.code);
  }

  toJSON(): SerializedError & { details?: Record<string, string | number | boolean> } {
    return Object.keys(this.details).length > 0
      ? { code: this.code, message: this.message, details: { ...this.details } }
      : { code: this.code, message: this.message };
  }
}

export function isFerryError(value: unknown, code?: ErrorCode): value is FerryError {
  return value instanceof FerryError && (code === undefined || value.code === code);
}

/** A cancelled operation; thrown when an abort signal fires. */
export function cancelledError(what = 'The operation'): FerryError {
  return new FerryError('Cancelled', `${what} was cancelled.`);
}
