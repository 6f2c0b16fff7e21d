// The connection spec every FTP test server hands out: loopback, its port and user, its TLS mode, and its
// test certificate as the trusted CA (so FTPS runs verify the certificate, as the product does by default).
import type { FtpSpec } from '../../shared/connection';
import type { TestCertificate } from './certs';

export type FtpSpecInput = Omit<Partial<FtpSpec>, 'kind'> & { kind: 'ftp' | 'ftps'; host: string };

export interface LoopbackFtpServer {
  port: number;
  user: string;
  tls?: 'explicit' | 'implicit' | undefined;
  certificate?: TestCertificate | undefined;
}

/** What every FTP test server's handle tells (ftp-server.ts, vsftpd.ts, pyftpdlib.ts add their own). */
export interface FtpTestServer {
  host: string;
  port: number;
  user: string;
  /** Local folder the server's "/" maps to. */
  root: string;
  certificate?: TestCertificate;
  /** Input for ftpSpecSchema.parse, with the test certificate trusted as a CA so verification stays on. */
  spec(overrides?: Partial<FtpSpecInput>): FtpSpecInput;
  stop(): Promise<void>;
}

/** A spec(overrides) function for a server on 127.0.0.1. */
export function loopbackFtpSpec(server: LoopbackFtpServer): (overrides?: Partial<FtpSpecInput>) => FtpSpecInput {
  return (overrides = {}) => ({
    kind: server.tls ? 'ftps' : 'ftp',
    host: '127.0.0.1',
    port: server.port,
    user: server.user,
    tls: server.tls ?? 'none',
    ...(server.certificate ? { caPem: server.certificate.certPem } : {}),
    ...overrides,
  });
}
