// FTP and FTPS (explicit AUTH TLS or implicit TLS) on basic-ftp. Files here:
//   session.ts  one logged-in connection: connect, TLS, login, FEAT, strict passive mode
//   control-replies.ts  a bound on the size of one control reply (a server that never ends one)
//   deadline.ts the operation deadline: how long one listing or command sequence may take in all
//   pool.ts     per-site connection pool with transparent replacement of dropped connections
//   tls.ts      certificate trust: CA (+ spec.caPem) with host name, or a pinned SHA-256 fingerprint
//   passive.ts  EPSV, then PASV that refuses any host but the control connection's peer
//   listing.ts  MLSD/LIST entries → Entry, names FileFerry cannot use left out and reported
//   list-stream.ts  a listing read page by page as it arrives (lines: list-lines.ts, parser: list-parser.ts)
//   names.ts    whether the server takes "\" as a folder separator
//   errors.ts   replies and socket errors → FerryError
//   provider.ts the Provider itself
import type { FtpSpec } from '../../../../shared/connection';
import type { Provider } from '../../../../shared/provider';
import { registerSecret } from '../../../../shared/redact';
import type { ProviderContext } from '../registry';
import { ConnectionPool } from './pool';
import { FtpProvider } from './provider';
import { backslashSeparates } from './names';
import { openSession, type FtpSession, type ServerFeatures } from './session';
import { defaultPort } from './tls';

/**
 * Opens the first connection right away, so bad credentials or an untrusted certificate fail here and
 * the capabilities reflect what the server advertises (MLSD, MFMT) and how it treats "\" in names (names.ts).
 */
export async function openFtpProvider(spec: FtpSpec, context: ProviderContext): Promise<Provider> {
  const password = await context.secrets('password');
  registerSecret(password);
  const log = context.log.child({ site: `${spec.host}:${defaultPort(spec)}` });
  const pool = new ConnectionPool<FtpSession>(spec.maxConnections, async (signal) => {
    const session = await openSession(spec, password, signal);
    log.debug('FTP connection opened', { tls: spec.tls, features: session.features });
    return session;
  });
  const { connection } = await pool.acquire(context.signal);
  let features: ServerFeatures;
  try {
    features = { ...connection.features, backslashSeparates: await backslashSeparates(connection.client) };
  } finally {
    pool.release(connection);
  }
  return new FtpProvider(spec, pool, features, log);
}

export { FtpProvider } from './provider';
