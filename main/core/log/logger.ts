// The core's logging interface. Every line passes through redact() (shared/redact), so a secret can never
// reach a log file whatever a caller passes. The default sink discards; the app, CLI and server install a
// file logger at start-up with setLogSink().
import { redact } from '../../../shared/redact';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(bindings: LogFields): Logger;
}

export type LogSink = (level: LogLevel, message: string, fields: LogFields) => void;

let sink: LogSink = () => {};

export function setLogSink(next: LogSink): void {
  sink = next;
}

/**
 * Causes kept per logged error: enough for FerryError → library error → socket error and a little more;
 * bounded so a cyclic chain (an error that is its own cause) or an endless one cannot grow a line.
 */
const MAX_LOGGED_CAUSES = 5;
/** A cause that is not an Error (a reply object, a string) is logged as text, cut to this length. */
const MAX_CAUSE_TEXT = 500;

type ErrorRecord = { name: string; code: unknown; message: string; details?: unknown; cause?: ErrorRecord | string };

/** An Error as a log keeps it: name, code, message, and its cause chain down to MAX_LOGGED_CAUSES. */
function errorRecord(error: Error, depth = 0): ErrorRecord {
  const record: ErrorRecord = {
    name: error.name,
    code: (error as { code?: unknown }).code,
    message: redact(error.message),
  };
  // A FerryError's non-secret facts (a certificate fingerprint, a host); strings are redacted on the way out.
  const details = (error as { details?: unknown }).details;
  if (details && typeof details === 'object' && Object.keys(details).length > 0) record.details = details;
  const cause: unknown = error.cause;
  if (cause === undefined || cause === null) return record;
  if (depth >= MAX_LOGGED_CAUSES) record.cause = '(further causes not logged)';
  else if (cause instanceof Error) record.cause = errorRecord(cause, depth + 1);
  else record.cause = redact(causeText(cause)).slice(0, MAX_CAUSE_TEXT); // redacted whole: a cut could split a secret
  return record;
}

function causeText(cause: unknown): string {
  if (typeof cause === 'string') return cause;
  try {
    return JSON.stringify(cause) ?? String(cause);
  } catch {
    return String(cause); // cyclic or otherwise unserialisable
  }
}

/** Redacts strings, Errors (with their causes) and nested values of a field bag. */
export function redactFields(fields: LogFields): LogFields {
  return JSON.parse(
    // `holder[key]` is the value before toJSON(): a FerryError's toJSON() keeps neither its name nor its cause.
    JSON.stringify(fields, function (this: Record<string, unknown>, key, value: unknown) {
      const original = this[key];
      if (original instanceof Error) return errorRecord(original);
      return typeof value === 'string' ? redact(value) : value;
    }),
  ) as LogFields;
}

export function createLogger(bindings: LogFields = {}): Logger {
  const emit = (level: LogLevel) => (message: string, fields?: LogFields) =>
    sink(level, redact(message), redactFields({ ...bindings, ...fields }));
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (more) => createLogger({ ...bindings, ...more }),
  };
}
