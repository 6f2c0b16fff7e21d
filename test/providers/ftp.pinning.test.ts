// Pinned FTPS certificates (issue 14, defects 2 and 3), against real servers on loopback: vsftpd and pyftpdlib,
// whose data connections resume the control connection's TLS session (vsftpd insists on it unless
// require_ssl_reuse=NO), and ftp-srv, whose data connections do a full handshake and can be switched to
// another certificate. No CA is trusted here: the pin alone must carry every connection.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { stat as statLocal } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect as tlsConnect, createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../main/core/log/logger';
import { openFtpProvider } from '../../main/core/providers/ftp';
import { openSession } from '../../main/core/providers/ftp/session';
import { ftpSpecSchema } from '../../shared/connection';
import type { FerryError } from '../../shared/errors';
import type { Entry, Provider } from '../../shared/provider';
import { createTestCertificate, type TestCertificate } from '../helpers/certs';
import { expectCode } from '../helpers/expect-error';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';
import type { FtpTestServer } from '../helpers/ftp-spec';
import { collect, patternBytes, patternSha256, sha256Of } from '../helpers/pattern';
import { startPyftpdlib } from '../helpers/pyftpdlib';
import { startVsftpd } from '../helpers/vsftpd';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

/** A provider that trusts the server only through `pins` (no CA). */
function openPinned(server: FtpTestServer & { password?: string }, pins: string[]): Promise<Provider> {
  const spec = ftpSpecSchema.parse(server.spec({ caPem: undefined, pinnedFingerprints: pins }));
  return openFtpProvider(spec, {
    secrets: async (field) => (field === 'password' ? server.password : undefined),
    log: quiet,
  });
}

async function names(provider: Provider, path: string): Promise<string[]> {
  const entries: Entry[] = [];
  for await (const page of provider.list(path)) entries.push(...page);
  return entries.map((entry) => entry.name).sort();
}

async function* text(value: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(value);
}

async function sizeOnDisk(path: string): Promise<number> {
  return statLocal(path).then(
    (s) => s.size,
    () => 0,
  );
}

/** The error a pinned site gives when it presents `presented` instead of the pinned certificate. */
function assertChanged(error: FerryError, pinned: TestCertificate, presented: TestCertificate): void {
  assert.equal(error.details.certificateChanged, true, error.message);
  assert.equal(error.details.presentedFingerprint, presented.sha256Fingerprint);
  assert.equal(error.details.pinnedFingerprints, pinned.sha256Fingerprint);
  // No `fingerprint` detail: that is what front ends offer to pin.
  assert.equal(error.details.fingerprint, undefined);
  assert.match(error.message, /changed since it was pinned/);
  assert.ok(error.message.includes(`pinned SHA-256 ${pinned.sha256Fingerprint}`), error.message);
  assert.ok(error.message.includes(`presented SHA-256 ${presented.sha256Fingerprint}`), error.message);
  assert.match(error.message, /interception/);
}

// Several data connections on one control connection: TLS 1.3 servers issue new tickets on each, and a
// client must keep resuming (vsftpd refuses a data connection that does not).
const RESUMING_SERVERS = [
  {
    name: 'vsftpd (require_ssl_reuse=YES, its default)',
    writable: '/pub',
    start: () => startVsftpd({ tls: 'explicit' }),
  },
  {
    name: 'vsftpd (require_ssl_reuse=NO)',
    writable: '/pub',
    start: () => startVsftpd({ tls: 'explicit', requireSslReuse: false }),
  },
  { name: 'pyftpdlib', writable: '/', start: () => startPyftpdlib({ tls: 'explicit' }) },
];

for (const target of RESUMING_SERVERS) {
  describe(`a pinned certificate on ${target.name}`, () => {
    let server: FtpTestServer & { password?: string };
    before(async () => {
      server = await target.start();
    });
    after(() => server?.stop());

    it('carries listings, uploads and downloads, whose data connections resume the verified session', async () => {
      const provider = await openPinned(server, [server.certificate!.sha256Hex]);
      try {
        const folder = `${target.writable.replace(/\/$/, '')}/pinned-${randomBytes(3).toString('hex')}`;
        await provider.mkdir(folder);
        for (let i = 0; i < 3; i++) await provider.write(`${folder}/f${i}.bin`, patternBytes(`pin${i}`, 200_000));
        assert.deepEqual(await names(provider, folder), ['f0.bin', 'f1.bin', 'f2.bin']);
        for (let i = 0; i < 3; i++) {
          const read = await sha256Of(await provider.read(`${folder}/f${i}.bin`));
          assert.equal(read, await patternSha256(`pin${i}`, 200_000));
        }
        assert.deepEqual(await names(provider, folder), ['f0.bin', 'f1.bin', 'f2.bin']);
      } finally {
        await provider.close();
      }
    });

    it('says the certificate changed when the pin is another one, before anything is sent', async () => {
      const other = await createTestCertificate({ commonName: 'Pinned earlier' });
      try {
        const error = await expectCode(openPinned(server, [other.sha256Hex]), 'Protocol');
        assertChanged(error, other, server.certificate!);
      } finally {
        await other.remove();
      }
    });
  });
}

describe('a pinned certificate on ftp-srv (full handshakes on data connections)', () => {
  let server: FtpServerHandle;
  let other: TestCertificate;
  before(async () => {
    server = await startFtpServer({ tls: 'explicit' });
    other = await createTestCertificate({ commonName: 'Interceptor' });
  });
  after(async () => {
    await server?.stop();
    await other?.remove();
  });

  it('refuses a data connection that presents another certificate, and says it changed', async () => {
    const provider = await openPinned(server, [server.certificate!.sha256Hex]);
    await provider.write('/kept.txt', text('kept'));
    assert.equal((await collect(await provider.read('/kept.txt'))).toString(), 'kept');
    // The control connection keeps the pinned certificate; data connections from now on present another.
    server.useCertificate(other);
    try {
      assertChanged(await expectCode(provider.read('/kept.txt').then(collect), 'Protocol'), server.certificate!, other);
      await expectCode(provider.write('/intercepted.txt', text('secret')), 'Protocol');
      assert.equal(await sizeOnDisk(join(server.root, 'intercepted.txt')), 0, 'no payload crossed');
    } finally {
      server.useCertificate(server.certificate!);
      await provider.close();
    }
  });

  it('never lets a data connection resume a session that did not come from a verified connection', async () => {
    // basic-ftp keeps whatever session any of its TLS sockets received in ftp.tlsSessionStore (a data
    // connection we refuse included) and offers it to the next data connection. Planted here: a session set
    // up with a server this client never verified, which the interceptor answering the data connections
    // can resume because it shares that server's ticket keys. Accepting any resumed session would let it in.
    const ticketKeys = randomBytes(48);
    const rogue = await startTlsServer(other, ticketKeys);
    const session = await openSession(
      ftpSpecSchema.parse(server.spec({ caPem: undefined, pinnedFingerprints: [server.certificate!.sha256Hex] })),
      server.password,
    );
    try {
      const planted = await sessionFrom(rogue);
      server.useCertificate(other, { ticketKeys });
      session.client.ftp.tlsSessionStore = planted;
      await assert.rejects(session.client.list('/'), /refused|closed/i);
      assertChanged(session.refusedCertificate!, server.certificate!, other);
    } finally {
      server.useCertificate(server.certificate!);
      session.close();
      rogue.close();
    }
  });
});

function startTlsServer(certificate: TestCertificate, ticketKeys: Buffer): Promise<TlsServer> {
  const server = createTlsServer({ key: certificate.keyPem, cert: certificate.certPem, ticketKeys }, (socket) =>
    socket.end('hello'),
  );
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** A TLS session (with its ticket) from one connection to `server`. */
function sessionFrom(server: TlsServer): Promise<Buffer> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    socket.once('session', (session: Buffer) => {
      resolve(session);
      socket.destroy();
    });
    socket.once('error', reject);
    socket.resume();
  });
}
