// Certificate trust for FTPS. Every TLS socket — the control connection and each data connection — must
// either be vouched for by a CA (Node's roots plus spec.caPem) with a matching host name, or present a
// certificate whose SHA-256 fingerprint the user pinned.
//
// Why not rely on rejectUnauthorized alone: Node destroys a refused socket before we can read its
// certificate, so the error could not tell the user which fingerprint to pin; and checkServerIdentity is
// skipped when the chain fails, so it cannot implement pinning. So sockets are opened with
// rejectUnauthorized false and checked here on 'secureConnect', before a single byte is sent or read:
// the control socket right after the handshake (before USER/PASS), data sockets through a hook on the
// FTP context's dataSocket setter (see guardDataConnections).
import { isIP } from 'node:net';
import { rootCertificates, TLSSocket, type ConnectionOptions } from 'node:tls';
import type { Client } from 'basic-ftp';
import { FerryError } from '../../../../shared/errors';
import type { FtpSpec } from '../../../../shared/connection';

/** The port a spec connects to: implicit TLS has its own well-known port (990), plain and explicit use 21. */
export function defaultPort(spec: FtpSpec): number {
  return spec.port ?? (spec.tls === 'implicit' ? 990 : 21);
}

export function tlsOptions(spec: FtpSpec): ConnectionOptions {
  return {
    host: spec.host,
    // SNI carries names only (RFC 6066); Node warns when given an IP address.
    ...(isIP(spec.host) ? {} : { servername: spec.host }),
    ca: spec.caPem ? [...rootCertificates, spec.caPem] : [...rootCertificates],
    rejectUnauthorized: false,
    minVersion: 'TLSv1.2',
  };
}

/** "AA:BB:…" (as browsers and `openssl x509 -fingerprint -sha256` show it). */
export function formatFingerprint(hex: string): string {
  return hex.toUpperCase().replace(/(..)(?!$)/g, '$1:');
}

/** Undefined when the socket's peer is trusted; otherwise the error to fail with. */
export function certificateProblem(socket: TLSSocket, spec: FtpSpec): FerryError | undefined {
  if (socket.authorized) return undefined;
  const certificate = socket.getPeerCertificate();
  const raw = certificate?.fingerprint256;
  if (!raw) {
    return new FerryError(
      'Protocol',
      `The server ${spec.host} presented no certificate, so its identity cannot be checked.`,
    );
  }
  const hex = raw.replace(/:/g, '').toLowerCase();
  if (spec.pinnedFingerprints.includes(hex)) return undefined;
  const fingerprint = formatFingerprint(hex);
  const reason = String(socket.authorizationError ?? 'unknown reason');
  return new FerryError(
    'Protocol',
    `The server's certificate is not trusted (SHA-256 ${fingerprint}; ${reason}). ` +
      'If you trust it, pin this fingerprint in the connection.',
    // Where and how to reach the site too, so a front end can say how to pin it (the CLI prints a command).
    { details: { fingerprint, reason, host: spec.host, port: defaultPort(spec), tls: spec.tls, user: spec.user } },
  );
}

/** Throws when the control connection's certificate is not trusted. Call before sending credentials. */
export function assertTrustedControl(client: Client, spec: FtpSpec): void {
  const socket = client.ftp.socket;
  if (!(socket instanceof TLSSocket)) {
    throw new FerryError('Protocol', `The connection to ${spec.host} is not encrypted although TLS was requested.`);
  }
  const problem = certificateProblem(socket, spec);
  if (problem) throw problem;
}

/**
 * Checks every data connection the client opens. basic-ftp creates data sockets internally (copying the
 * control connection's TLS options) and hands each to `ftp.dataSocket`; wrapping that setter is the one
 * place all of them pass through. An untrusted data socket is destroyed at 'secureConnect', before any
 * payload is read or written, and `onRefused` records the reason for the failing operation to report.
 */
export function guardDataConnections(client: Client, spec: FtpSpec, onRefused: (error: FerryError) => void): void {
  const context = client.ftp;
  const descriptor = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(context), 'dataSocket');
  if (!descriptor?.get || !descriptor.set)
    throw new Error('basic-ftp changed: FTPContext.dataSocket accessor not found');
  const { get, set } = descriptor;
  Object.defineProperty(context, 'dataSocket', {
    configurable: true,
    get() {
      return get.call(this);
    },
    set(socket: unknown) {
      set.call(this, socket);
      if (socket instanceof TLSSocket) {
        // Registered before basic-ftp's own listeners, so it runs first.
        socket.once('secureConnect', () => {
          const problem = certificateProblem(socket, spec);
          if (problem) {
            onRefused(problem);
            // A plain Error: basic-ftp appends to the message of whatever error the socket emits.
            socket.destroy(new Error('Data connection refused: untrusted certificate'));
          }
        });
      }
    },
  });
}
