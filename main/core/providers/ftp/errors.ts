// Maps what basic-ftp and Node's sockets throw onto FerryErrors a person can act on.
// Reply codes alone cannot say "not found": servers answer 550 for missing and forbidden paths alike,
// and ftp-srv answers 451/551. The provider therefore checks the path itself after a failed command
// (see FtpProvider.explain) and only falls back to these code-based guesses.
import { FTPError } from 'basic-ftp';
import { FerryError } from '../../../../shared/errors';
import type { CancelSignal } from '../../../../shared/provider';

export interface FtpErrorContext {
  /** What was being done, e.g. "read /a/b.txt", for the message. */
  action: string;
  /** host:port, for network messages. */
  site: string;
  signal?: CancelSignal | undefined;
  /**
   * While connecting: whether the TCP connection was established. basic-ftp reports one "Timeout" for a
   * host that never completes the handshake and for a server that accepts but never answers; only the first
   * means the host could not be reached (Network). Absent once connected: a timeout is then the server's.
   */
  reached?: boolean;
  /** The timeout that ran out, for the message. */
  timeoutMs?: number;
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'refused the connection (is the server running, and is the port right?)',
  ECONNRESET: 'reset the connection',
  EPIPE: 'closed the connection',
  ETIMEDOUT: 'did not answer in time',
  EHOSTUNREACH: 'cannot be reached (no route to host)',
  ENETUNREACH: 'cannot be reached (network unreachable)',
  ENOTFOUND: 'cannot be found (check the host name)',
  EAI_AGAIN: 'cannot be found right now (DNS lookup failed)',
  EADDRNOTAVAIL: 'cannot be reached from this computer',
};

export function isFtpReply(error: unknown): error is FTPError {
  return error instanceof FTPError;
}

export function toFerryError(error: unknown, context: FtpErrorContext): FerryError {
  if (context.signal?.aborted)
    return new FerryError('Cancelled', `${capitalise(context.action)} was cancelled.`, { cause: error });
  if (error instanceof FerryError) return error;
  if (error instanceof FTPError) return fromReply(error, context);

  const nodeError = error as NodeJS.ErrnoException | undefined;
  const message = String(nodeError?.message ?? error);
  // basic-ftp reports a closed client as "Client is closed because <reason>" with the reason's code.
  const code = nodeError?.code;
  if (code && NETWORK_CODES[code]) {
    return new FerryError('Network', `The FTP server ${context.site} ${NETWORK_CODES[code]}.`, { cause: error });
  }
  if (/Timeout/i.test(message) && context.reached === false) {
    const within = context.timeoutMs === undefined ? '' : ` within ${context.timeoutMs / 1000} s`;
    return new FerryError(
      'Network',
      `The FTP server ${context.site} could not be reached${within}. Check the host name and port, and ` +
        'whether a firewall drops the connection; on a slow network, raise the connection timeout.',
      { cause: error },
    );
  }
  if (/Timeout/i.test(message)) {
    return new FerryError(
      'Timeout',
      `The FTP server ${context.site} did not answer in time while trying to ${context.action}. On a slow ` +
        "server, raise the idle timeout: --idle-timeout SECONDS on the command line, or the connection's setting.",
      { cause: error },
    );
  }
  if (/FIN packet|closed connection|Socket closed|User closed client|Client is closed|socket hang up/i.test(message)) {
    return new FerryError('Network', `The connection to ${context.site} was lost while trying to ${context.action}.`, {
      cause: error,
    });
  }
  if (code?.startsWith('ERR_SSL') || code?.startsWith('ERR_TLS') || /SSL|TLS/.test(message)) {
    return new FerryError(
      'Protocol',
      `The secure (TLS) connection to ${context.site} failed: ${message}. Check whether the server expects explicit or implicit TLS.`,
      { cause: error },
    );
  }
  return new FerryError('Protocol', `The FTP server ${context.site} failed to ${context.action}: ${message}`, {
    cause: error,
  });
}

/** An operation that ran past its deadline (deadline.ts), saying how to allow more time. */
export function deadlineError(action: string, site: string, ms: number, cause: unknown): FerryError {
  return new FerryError(
    'Timeout',
    `Gave up trying to ${action}: the FTP server ${site} had not finished after ${ms / 1000} s. It may be ` +
      'overloaded, or stalling on purpose. To wait longer, raise the operation timeout: --timeout SECONDS on ' +
      "the command line (0 for no limit), or the connection's setting.",
    { cause, details: { site, timeoutMs: ms } },
  );
}

function fromReply(error: FTPError, context: FtpErrorContext): FerryError {
  const reply = error.message.trim();
  const says = `The server said: ${reply}`;
  switch (error.code) {
    case 530:
      return new FerryError(
        'AuthFailed',
        `The FTP server ${context.site} rejected the login. Check the user name and password. ${says}`,
        { cause: error },
      );
    case 550:
    case 553:
      return new FerryError('PermissionDenied', `The FTP server refused to ${context.action}. ${says}`, {
        cause: error,
      });
    case 552:
    case 452:
      return new FerryError(
        'PermissionDenied',
        `The FTP server has no room to ${context.action} (quota or disk full). ${says}`,
        { cause: error },
      );
    case 500:
    case 502:
    case 504:
      return new FerryError(
        'Unsupported',
        `The FTP server does not support what is needed to ${context.action}. ${says}`,
        { cause: error },
      );
    case 421:
    case 425:
    case 426:
      return new FerryError(
        'Network',
        `The FTP server ${context.site} dropped the transfer while trying to ${context.action}. ${says}`,
        { cause: error },
      );
    default:
      return new FerryError('Protocol', `The FTP server could not ${context.action}. ${says}`, { cause: error });
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
