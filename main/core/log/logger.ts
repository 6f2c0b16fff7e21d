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

/** Redacts strings, Errors and nested values of a field bag. */
export function redactFields(fields: LogFields): LogFields {
  return JSON.parse(
    JSON.stringify(fields, (_key, value: unknown) => {
      if (value instanceof Error) {
        const code = (value as { code?: unknown }).code;
        return { name: value.name, code, message: redact(value.message) };
      }
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
