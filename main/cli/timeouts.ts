// --timeout and --idle-timeout, in seconds (as curl's --max-time and lftp's net:timeout take them). On a
// command they override, for that run, the settings of every connection it opens; `connections add` saves
// them with a connection. They become FtpSpec.operationTimeoutMs and timeoutMs, and S3Spec.timeoutMs.
// Azure Blob has neither setting (its SDK keeps its own timeouts), and S3 no operation deadline (see
// S3Spec.timeoutMs for why), so there they change nothing.
import type { ConnectionSpec } from '../../shared/connection';
import { UsageError } from './exit-codes';

export const TIMEOUT_OPTIONS = {
  timeout: { type: 'string' },
  'idle-timeout': { type: 'string' },
} as const;

/** For a command's --help, after two spaces of indentation. */
export const TIMEOUT_HELP = `--timeout SECONDS   the longest a listing or command on an FTP server may take (default 120;
                      0: no limit). File transfers are never cut off while bytes keep moving.
  --idle-timeout SECONDS
                      how long an FTP or S3 server may send nothing before it fails (default:
                      FTP 30, S3 120)`;

export interface Timeouts {
  /** FtpSpec.operationTimeoutMs. */
  operationMs?: number;
  /** FtpSpec.timeoutMs, S3Spec.timeoutMs. */
  idleMs?: number;
}

function seconds(value: string, flag: string, min: number, max: number): number {
  const ms = /^\d+(\.\d+)?$/.test(value.trim()) ? Math.round(Number(value) * 1000) : NaN;
  if (!(ms >= min && ms <= max)) {
    throw new UsageError(`${flag} takes a number of seconds from ${min / 1000} to ${max / 1000}, not "${value}".`);
  }
  return ms;
}

/** The options as given (each may be absent); a value out of range is a usage error. */
export function parseTimeouts(values: { timeout?: string | undefined; 'idle-timeout'?: string | undefined }): Timeouts {
  const timeouts: Timeouts = {};
  if (values.timeout !== undefined) timeouts.operationMs = seconds(values.timeout, '--timeout', 0, 86_400_000);
  if (values['idle-timeout'] !== undefined)
    timeouts.idleMs = seconds(values['idle-timeout'], '--idle-timeout', 100, 600_000);
  return timeouts;
}

/** `spec` with the timeouts its kind has replaced by the ones given. */
export function withTimeouts<S extends ConnectionSpec>(spec: S, timeouts: Timeouts): S {
  const { operationMs, idleMs } = timeouts;
  if (spec.kind === 'ftp' || spec.kind === 'ftps') {
    return {
      ...spec,
      ...(operationMs === undefined ? {} : { operationTimeoutMs: operationMs }),
      ...(idleMs === undefined ? {} : { timeoutMs: idleMs }),
    };
  }
  if (spec.kind === 's3' && idleMs !== undefined) return { ...spec, timeoutMs: idleMs };
  return spec;
}
