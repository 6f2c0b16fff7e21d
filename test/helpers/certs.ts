// A throwaway self-signed certificate for TLS test servers on loopback (FTPS, Cosmos, S3 over HTTPS…).
// Made with the openssl CLI so no crypto library is needed; valid for 127.0.0.1 and localhost, so clients
// can keep certificate and hostname verification ON by trusting certPem as a CA.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCertificate {
  certPem: string;
  keyPem: string;
  /** SHA-256 of the DER certificate, colon-separated upper-case hex as browsers show it ("AA:BB:…"). */
  sha256Fingerprint: string;
  /** The same fingerprint as 64 lower-case hex digits (the form connection specs store). */
  sha256Hex: string;
  /** Folder holding cert.pem and key.pem, for servers that want file paths (vsftpd). */
  dir: string;
  certPath: string;
  keyPath: string;
  /** Removes the folder. */
  remove(): Promise<void>;
}

export interface CertificateOptions {
  /** Subject common name (default "FileFerry test"). */
  commonName?: string;
  /** subjectAltName value (default "IP:127.0.0.1,DNS:localhost"). */
  subjectAltName?: string;
  days?: number;
}

export async function createTestCertificate(options: CertificateOptions = {}): Promise<TestCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-cert-'));
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  try {
    // prettier-ignore
    await run('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256',
      '-days', String(options.days ?? 2),
      '-subj', `/CN=${options.commonName ?? 'FileFerry test'}`,
      '-addext', `subjectAltName=${options.subjectAltName ?? 'IP:127.0.0.1,DNS:localhost'}`,
      '-keyout', keyPath, '-out', certPath,
    ]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing ? 'openssl is not installed: apt-get install openssl' : `openssl failed: ${String(error)}`,
      {
        cause: error,
      },
    );
  }
  const [certPem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  const sha256Fingerprint = new X509Certificate(certPem).fingerprint256;
  return {
    certPem,
    keyPem,
    sha256Fingerprint,
    sha256Hex: sha256Fingerprint.replace(/:/g, '').toLowerCase(),
    dir,
    certPath,
    keyPath,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
