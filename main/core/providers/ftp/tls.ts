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
//
// Data connections usually resume the control connection's TLS session (vsftpd and proftpd insist on it),
// and a resumed session carries no certificate to check. It needs none: only a server that took part in
// the session can resume it. So a resumed data connection is accepted when the session it resumed came
// from a connection we verified, and guardDataConnections makes sure no other session is ever offered.
import { isIP } from 'node:net';
import { rootCertificates, TLSSocket, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import type { Client, FTPContext } from 'basic-ftp';
import { FerryError } from '../../../../shared/errors';
import type { FtpSpec } from '../../../../shared/connection';
import { serverText } from '../../../../shared/text';

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
  const reason = describeAuthorizationError(socket.authorizationError);
  if (spec.pinnedFingerprints.length > 0) return certificateChanged(spec, fingerprint, reason);
  return new FerryError(
    'Protocol',
    `The server's certificate is not trusted (SHA-256 ${fingerprint}; ${reason}). ` +
      'If you trust it, pin this fingerprint in the connection.',
    // Where and how to reach the site too, so a front end can say how to pin it (the CLI prints a command).
    {
      details: {
        fingerprint,
        reason,
        host: spec.host,
        port: defaultPort(spec),
        tls: spec.tls,
        user: spec.user,
        ...certificateFacts(certificate),
      },
    },
  );
}

/** OpenSSL's verdict in words, with its code kept for anyone who searches for it. */
const VERDICTS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'it is signed by a self-signed authority',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'no known authority signed it',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'no known authority signed it',
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: 'it is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'it was made for another host name',
};

function describeAuthorizationError(error: Error | string | null | undefined): string {
  if (!error) return 'unknown reason';
  const code = typeof error === 'string' ? error : ((error as NodeJS.ErrnoException).code ?? error.message);
  const verdict = VERDICTS[code];
  return verdict ? `${verdict} (${code})` : String(code);
}

/**
 * What a person checks before trusting a certificate, as FileZilla shows it: who it names, who signed it
 * and when it is valid. Every field comes from the server, so each is cut short and stripped of control
 * characters before it reaches a dialog or a terminal.
 */
function certificateFacts(certificate: PeerCertificate): Record<string, string> {
  const name = (fields: PeerCertificate['subject'] | undefined) =>
    fields ? [fields.CN, fields.O].filter(Boolean).map(String).join(', ') : '';
  const facts = {
    subject: serverText(name(certificate.subject), 200),
    issuer: serverText(name(certificate.issuer), 200),
    validFrom: serverText(certificate.valid_from, 64),
    validTo: serverText(certificate.valid_to, 64),
  };
  return Object.fromEntries(Object.entries(facts).filter((fact): fact is [string, string] => fact[1] !== undefined));
}

/**
 * A pinned site that presents another certificate. Unlike a first contact this is no question of trust to
 * put to the user: the pin says which certificate belongs to the site, and a different one is what an
 * interception looks like. So the error carries no `fingerprint` detail (front ends offer to pin that one)
 * but `presentedFingerprint` and `pinnedFingerprints`, and its advice is to check, not to re-pin.
 */
function certificateChanged(spec: FtpSpec, presented: string, reason: string): FerryError {
  const site = `${spec.host}:${defaultPort(spec)}`;
  const pinned = spec.pinnedFingerprints.map(formatFingerprint);
  return new FerryError(
    'Protocol',
    `The certificate of ${site} changed since it was pinned: pinned SHA-256 ${pinned.join(' or ')}, ` +
      `presented SHA-256 ${presented}. This is what an interception of the connection (a man-in-the-middle ` +
      'attack) looks like, so FileFerry stopped before sending anything over it. Change the pin in the ' +
      "connection only if the server's administrator confirms the new fingerprint by another way than this " +
      'connection.',
    {
      details: {
        certificateChanged: true,
        presentedFingerprint: presented,
        pinnedFingerprints: pinned.join(' '),
        reason,
        host: spec.host,
        port: defaultPort(spec),
      },
    },
  );
}

/** Control sockets whose certificate assertTrustedControl accepted: their sessions may be resumed. */
const verifiedControls = new WeakSet<TLSSocket>();

/** Throws when the control connection's certificate is not trusted. Call before sending credentials. */
export function assertTrustedControl(client: Client, spec: FtpSpec): void {
  const socket = client.ftp.socket;
  if (!(socket instanceof TLSSocket)) {
    throw new FerryError('Protocol', `The connection to ${spec.host} is not encrypted although TLS was requested.`);
  }
  const problem = certificateProblem(socket, spec);
  if (problem) throw problem;
  verifiedControls.add(socket);
}

/**
 * Checks every data connection the client opens. basic-ftp creates data sockets internally (copying the
 * control connection's TLS options) and hands each to `ftp.dataSocket`; wrapping that setter is the one
 * place all of them pass through. An untrusted data socket is destroyed at 'secureConnect', before any
 * payload is read or written, and `onRefused` records the reason for the failing operation to report.
 *
 * basic-ftp offers each data connection the session in `ftp.tlsSessionStore` (else the control socket's),
 * and stores there every session any of its TLS sockets receives — a refused data connection's too, so a
 * server could later resume a session it set up with a certificate we refused. That property is replaced
 * here: it yields only sessions from verified connections (ResumableSessions) and ignores basic-ftp's writes.
 */
export function guardDataConnections(client: Client, spec: FtpSpec, onRefused: (error: FerryError) => void): void {
  const context = client.ftp;
  const descriptor = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(context), 'dataSocket');
  if (!descriptor?.get || !descriptor.set)
    throw new Error('basic-ftp changed: FTPContext.dataSocket accessor not found');
  if (!Object.hasOwn(context, 'tlsSessionStore'))
    throw new Error('basic-ftp changed: FTPContext.tlsSessionStore not found');
  const sessions = new ResumableSessions(context);
  Object.defineProperty(context, 'tlsSessionStore', {
    configurable: true,
    get: () => sessions.offer(),
    set: () => {},
  });
  const { get, set } = descriptor;
  Object.defineProperty(context, 'dataSocket', {
    configurable: true,
    get() {
      return get.call(this);
    },
    set(socket: unknown) {
      set.call(this, socket);
      if (socket instanceof TLSSocket) checkDataConnection(context, socket, spec, sessions, onRefused);
    },
  });
}

/**
 * The TLS session a data connection may resume: the newest one that arrived on a verified connection (the
 * control connection or an accepted data connection) belonging to the current, verified control connection.
 * TLS 1.3 servers hand out new tickets on every connection and may accept each only once, hence "newest".
 */
class ResumableSessions {
  private control: TLSSocket | undefined;
  private newest: Buffer | undefined;

  constructor(private readonly context: FTPContext) {}

  /** The control socket when assertTrustedControl accepted it, else undefined. */
  verifiedControl(): TLSSocket | undefined {
    const control = this.context.socket;
    if (!(control instanceof TLSSocket) || !verifiedControls.has(control)) return undefined;
    if (control !== this.control) {
      // Another control connection: sessions of an earlier one do not carry over.
      this.control = control;
      this.newest = undefined;
      control.on('session', (session: Buffer) => this.keep(control, session));
    }
    return control;
  }

  /** The session to offer the next data connection; undefined while no verified one exists. */
  offer(): Buffer | undefined {
    const control = this.verifiedControl();
    return control && (this.newest ?? control.getSession());
  }

  /** A session that arrived on a verified connection under `control`. */
  keep(control: TLSSocket, session: Buffer): void {
    if (control === this.control) this.newest = session;
  }
}

function checkDataConnection(
  context: FTPContext,
  socket: TLSSocket,
  spec: FtpSpec,
  sessions: ResumableSessions,
  onRefused: (error: FerryError) => void,
): void {
  // basic-ftp read tlsSessionStore for this socket's options synchronously before handing it over, so this
  // is what it offered: only then can a resumption be one of a session we verified.
  const control = sessions.verifiedControl();
  const offeredVerified = control !== undefined && sessions.offer() !== undefined;
  let accepted = false;
  let early: Buffer | undefined;
  socket.on('session', (session: Buffer) => {
    if (accepted && control) sessions.keep(control, session);
    else early = session;
  });
  // Registered before basic-ftp's own 'secureConnect' listeners, so it runs first.
  socket.once('secureConnect', () => {
    const problem = dataConnectionProblem(socket, spec, offeredVerified);
    if (problem) {
      onRefused(problem);
      // A plain Error: basic-ftp appends to the message of whatever error it is given. The whole connection
      // goes, not only the data socket: a refusal that comes before the transfer has set its own listeners
      // (a resumed handshake is quick) would otherwise leave the command waiting for the control timeout, and a
      // control connection whose data connections are intercepted is not one to send more commands on.
      const refused = new Error('Data connection refused: untrusted certificate');
      socket.destroy(refused);
      context.closeWithError(refused);
      return;
    }
    accepted = true;
    if (early && control) sessions.keep(control, early);
  });
}

/**
 * A resumed session presents no certificate (Node reports none), and needs none: a server can only resume
 * a session it took part in, so resuming one we offered from a verified connection proves the same server.
 * A data connection that did a full handshake proves itself by its certificate, as the control one did.
 */
function dataConnectionProblem(socket: TLSSocket, spec: FtpSpec, offeredVerified: boolean): FerryError | undefined {
  if (!socket.isSessionReused()) return certificateProblem(socket, spec);
  if (offeredVerified) return undefined;
  return new FerryError(
    'Protocol',
    `A data connection to ${spec.host} resumed a TLS session that FileFerry had not verified, so the server's ` +
      "identity cannot be checked. Try again; if it keeps happening, tell the server's administrator.",
  );
}
