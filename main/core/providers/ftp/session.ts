// One logged-in FTP control connection and what the server told us about itself (FEAT).
import type { Socket } from 'node:net';
import { Client } from 'basic-ftp';
import type { FtpSpec } from '../../../../shared/connection';
import type { FerryError } from '../../../../shared/errors';
import type { CancelSignal } from '../../../../shared/provider';
import { onAbort } from '../../util/abort';
import { boundControlReplies } from './control-replies';
import { OperationDeadline, operationTimeoutMs } from './deadline';
import { deadlineError, toFerryError } from './errors';
import { strictPassiveMode } from './passive';
import { assertTrustedControl, defaultPort, guardDataConnections, tlsOptions } from './tls';

export interface ServerFeatures {
  /** MLST/MLSD (RFC 3659): exact listings with UTC times. */
  mlsd: boolean;
  /** MDTM: a file's modification time. */
  mdtm: boolean;
  /** MFMT: set a file's modification time. */
  mfmt: boolean;
  /** SIZE. */
  size: boolean;
  /**
   * The server takes "\" as a folder separator (ftp-srv, IIS): probed once per site by openFtpProvider
   * (names.ts), not told by FEAT. Undefined on a session's own features.
   */
  backslashSeparates?: boolean;
}

/**
 * After an upload this large, the session counts as busy for a while: vsftpd on ext4 answered the next
 * command 0.25–0.4 s late after a 1 GiB STOR (closing the file starts its writeback), ~1 ms after small ones.
 */
const SETTLE_AFTER_BYTES = 16 * 1024 * 1024;
const SETTLE_AFTER_UPLOAD_MS = 1000;

export class FtpSession {
  /** Set when a data connection was refused for its certificate; the operation reports this instead. */
  refusedCertificate: FerryError | undefined;
  /** Makes the socket of the next data connections (a RecyclingReader's), while a download sets it. */
  makeDataSocket: (() => Socket) | undefined;
  private settleUntil = 0;
  private hasRetired = false;

  constructor(
    readonly client: Client,
    readonly features: ServerFeatures,
  ) {}

  get alive(): boolean {
    return !this.client.closed;
  }

  /** See PooledConnection.retired. */
  get retired(): boolean {
    return this.hasRetired;
  }

  /**
   * After a refused transfer the server may still owe a reply about its data connection: pyftpdlib sends
   * "226 Transfer complete." once it notices, late, that the client closed it. Read as the answer to the
   * next command, it would shift every answer after it by one (a CWD taking it for "the folder is there").
   * No reply tells us the server is done, so the connection gets no further command: the pool closes it.
   */
  retire(): void {
    this.hasRetired = true;
  }

  /** See PooledConnection.settling. */
  get settling(): boolean {
    return Date.now() < this.settleUntil;
  }

  /** After a STOR/APPE: the server may still be closing the file, so the next command waits behind it. */
  uploaded(bytes: number): void {
    if (bytes >= SETTLE_AFTER_BYTES) this.settleUntil = Date.now() + SETTLE_AFTER_UPLOAD_MS;
  }

  close(): void {
    this.client.close();
  }
}

/**
 * Connects, secures, logs in and reads FEAT. Rejects with a FerryError: AuthFailed for credentials,
 * Protocol (details.fingerprint) for an untrusted certificate, Network/Timeout when unreachable.
 */
export async function openSession(
  spec: FtpSpec,
  password: string | undefined,
  signal?: CancelSignal,
): Promise<FtpSession> {
  const client = new Client(spec.timeoutMs);
  let session: FtpSession | undefined;
  client.prepareTransfer = strictPassiveMode(() => session?.makeDataSocket?.());
  const port = defaultPort(spec);
  const site = `${spec.host}:${port}`;
  boundControlReplies(client, site);
  const detach = onAbort(signal, () => client.close());
  // Connecting, securing and logging in are commands too: a greeting dripped line by line must not hang.
  const deadline = new OperationDeadline(operationTimeoutMs(spec), () => client.close());
  let reached = false;
  try {
    const secure = spec.tls !== 'none';
    if (secure) {
      guardDataConnections(client, spec, (problem) => {
        if (session) session.refusedCertificate = problem;
      });
    }
    // basic-ftp creates the control socket synchronously inside connect(); watch it for the TCP handshake.
    const connecting =
      spec.tls === 'implicit'
        ? client.connectImplicitTLS(spec.host, port, tlsOptions(spec))
        : client.connect(spec.host, port);
    client.ftp.socket.once('connect', () => (reached = true));
    await connecting;
    if (spec.tls === 'explicit') await client.useTLS(tlsOptions(spec));
    if (secure) assertTrustedControl(client, spec);
    // Before login too, for servers that need it to accept a non-ASCII user name.
    await client.sendIgnoringError('OPTS UTF8 ON');
    await client.login(spec.user, password ?? (spec.user === 'anonymous' ? 'anonymous@' : ''));
    const feat = await client.features();
    const features: ServerFeatures = {
      mlsd: feat.has('MLST'),
      mdtm: feat.has('MDTM'),
      mfmt: feat.has('MFMT'),
      size: feat.has('SIZE'),
    };
    client.availableListCommands = features.mlsd ? ['MLSD'] : ['LIST -a', 'LIST'];
    await client.send('TYPE I');
    await client.sendIgnoringError('OPTS UTF8 ON');
    if (features.mlsd) await client.sendIgnoringError('OPTS MLST type;size;modify;');
    if (secure) {
      await client.send('PBSZ 0');
      await client.send('PROT P');
    }
    session = new FtpSession(client, features);
    return session;
  } catch (error) {
    client.close();
    const action = `connect to ${site}`;
    if (deadline.expired && reached && !signal?.aborted) throw deadlineError(action, site, deadline.ms, error);
    const timeoutMs = deadline.expired ? deadline.ms : spec.timeoutMs;
    throw toFerryError(deadline.expired ? new Error('Timeout') : error, { action, site, signal, reached, timeoutMs });
  } finally {
    deadline.stop();
    detach();
  }
}
