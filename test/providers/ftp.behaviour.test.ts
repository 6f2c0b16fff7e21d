// FTP/FTPS behaviour beyond the conformance suite: the connection pool, certificate trust and pinning,
// implicit TLS, passive-mode safety, path and listing hygiene, error codes and timing, modification
// times, and cancellation. Real servers on loopback (ftp-srv in-process, vsftpd as a child process); a
// tiny scripted control server only where a misbehaving server is the point (PASV to a foreign host).
import assert from 'node:assert/strict';
import { stat as statLocal, utimes, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileSystem } from 'ftp-srv';
import type { Logger, LogFields } from '../../main/core/log/logger';
import { openFtpProvider } from '../../main/core/providers/ftp';
import { ftpSpecSchema } from '../../shared/connection';
import { FerryError, type ErrorCode } from '../../shared/errors';
import type { Entry, Provider, SkippedName } from '../../shared/provider';
import { createTestCertificate, type TestCertificate } from '../helpers/certs';
import { startFtpServer, type FtpServerHandle, type FtpSpecInput } from '../helpers/ftp-server';
import { collect, patternBytes, patternSha256, sha256Of } from '../helpers/pattern';
import { startUnansweredPort } from '../helpers/unanswered-port';
import { startVsftpd } from '../helpers/vsftpd';
import { until } from '../helpers/until';

interface CapturedLog extends Logger {
  warnings: Array<{ message: string; fields: LogFields }>;
}

function captureLog(): CapturedLog {
  const warnings: CapturedLog['warnings'] = [];
  const log: CapturedLog = {
    warnings,
    debug() {},
    info() {},
    warn(message, fields = {}) {
      warnings.push({ message, fields });
    },
    error() {},
    child: () => log,
  };
  return log;
}

async function open(input: FtpSpecInput, password?: string, log: Logger = captureLog()): Promise<Provider> {
  return openFtpProvider(ftpSpecSchema.parse(input), {
    secrets: async (field) => (field === 'password' ? password : undefined),
    log,
  });
}

async function openOn(server: FtpServerHandle, overrides: Partial<FtpSpecInput> = {}, log?: Logger): Promise<Provider> {
  return open(server.spec(overrides), server.password, log);
}

async function listAll(provider: Provider, path: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  for await (const page of provider.list(path)) entries.push(...page);
  return entries;
}

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<FerryError> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    assert.ok(error instanceof FerryError, `expected a FerryError, got ${String(error)}`);
    assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
    return true;
  });
  return caught as FerryError;
}

const POOL_FILE_SIZE = 3 * 1024 * 1024;

async function* bytes(text: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(text);
}

describe('ftp connection pool', () => {
  let server: FtpServerHandle;
  before(async () => {
    server = await startFtpServer();
  });
  after(() => server.stop());

  it('reuses one logged-in connection across sequential operations', async () => {
    const provider = await openOn(server);
    const loginsBefore = server.logins;
    await provider.mkdir('/reuse');
    for (let i = 0; i < 5; i++) await provider.write(`/reuse/f${i}.txt`, bytes(`file ${i}`));
    for (let i = 0; i < 5; i++)
      assert.equal((await collect(await provider.read(`/reuse/f${i}.txt`))).toString(), `file ${i}`);
    assert.equal((await listAll(provider, '/reuse')).length, 5);
    await provider.stat('/reuse/f1.txt');
    assert.equal(server.logins - loginsBefore, 0, 'no login beyond the one made when opening');
    await provider.close();
  });

  it('opens at most maxConnections, and a read holds its connection until consumed', async () => {
    const provider = await openOn(server, { maxConnections: 2 });
    const loginsBefore = server.logins;
    await provider.write('/held.bin', patternBytes('held', 3 * 1024 * 1024));
    // Two reads hold both connections; a stat must wait for one of them.
    const first = (await provider.read('/held.bin'))[Symbol.asyncIterator]();
    const second = (await provider.read('/held.bin'))[Symbol.asyncIterator]();
    await first.next();
    await second.next();
    let statDone = false;
    const pending = provider.stat('/held.bin').then((entry) => {
      statDone = true;
      return entry;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(statDone, false, 'stat waits while both connections are lent to reads');
    assert.ok(server.openConnections <= 2, `at most 2 connections, saw ${server.openConnections}`);
    // Abandoning a read mid-transfer closes that connection; the waiting stat then gets a fresh one.
    await first.return?.();
    assert.equal((await pending).size, 3 * 1024 * 1024);
    // Draining the other read returns its connection clean, ready for reuse.
    for (let next = await second.next(); !next.done; next = await second.next());
    const loginsAfterDrain = server.logins;
    await provider.stat('/held.bin');
    await provider.stat('/held.bin');
    assert.equal(server.logins, loginsAfterDrain, 'the drained read connection was reused');
    assert.ok(server.logins - loginsBefore <= 2, `logins since open: ${server.logins - loginsBefore}`);
    await provider.close();
  });

  it('runs concurrent operations on at most maxConnections connections', async () => {
    const provider = await openOn(server, { maxConnections: 2 });
    const loginsBefore = server.logins;
    await provider.mkdir('/concurrent');
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => provider.write(`/concurrent/c${i}.bin`, patternBytes(`c${i}`, 200_000))),
    );
    const hashes = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => sha256Of(await provider.read(`/concurrent/c${i}.bin`))),
    );
    for (let i = 0; i < 8; i++) assert.equal(hashes[i], await patternSha256(`c${i}`, 200_000));
    assert.ok(server.logins - loginsBefore <= 1, `one more connection at most, saw ${server.logins - loginsBefore}`);
    await provider.close();
  });

  it('opens 2 connections per site by default (as FileZilla), and as many as configured', async () => {
    // A server of its own: connections other tests leave closing must not count.
    const own = await startFtpServer();
    try {
      await writeFile(join(own.root, 'pool-limit.bin'), Buffer.alloc(POOL_FILE_SIZE, 7));
      assert.equal(own.spec().maxConnections, undefined, 'no maxConnections: the default applies');
      for (const [overrides, limit] of [
        [{}, 2],
        [{ maxConnections: 3 }, 3],
      ] as const) {
        await until(() => own.openConnections === 0, 5000, 'the previous round closed its connections');
        const provider = await openOn(own, overrides);
        const loginsBefore = own.logins;
        let peak = 0;
        const sampler = setInterval(() => (peak = Math.max(peak, own.openConnections)), 5);
        // Five reads, each holding its connection (first chunk read, the rest left waiting) until released.
        let started = 0;
        let release!: () => void;
        const released = new Promise<void>((resolve) => (release = resolve));
        const reads = Array.from({ length: 5 }, async () => {
          const chunks = (await provider.read('/pool-limit.bin'))[Symbol.asyncIterator]();
          let next = await chunks.next();
          started += 1;
          await released;
          let size = 0;
          for (; !next.done; next = await chunks.next()) size += next.value.length;
          return size;
        });
        try {
          await until(() => started >= limit, 5000, `${limit} reads started`);
          await new Promise((resolve) => setTimeout(resolve, 300));
          assert.equal(started, limit, `reads running at once with ${JSON.stringify(overrides)}`);
          release();
          assert.deepEqual(await Promise.all(reads), Array(5).fill(POOL_FILE_SIZE));
          assert.equal(peak, limit, 'control connections open at once');
          assert.equal(own.logins - loginsBefore + 1, limit, 'connections opened, the first when opening');
        } finally {
          release();
          clearInterval(sampler);
          // After a failed assertion, close() cuts the reads still waiting; their rejections must not hide it.
          for (const read of reads) read.catch(() => {});
          await provider.close();
        }
      }
    } finally {
      await own.stop();
    }
  });

  it('replaces connections the server dropped, transparently', async () => {
    const provider = await openOn(server, { maxConnections: 2 });
    await provider.write('/drop.txt', bytes('survives'));
    const loginsBefore = server.logins;
    server.dropConnections();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal((await collect(await provider.read('/drop.txt'))).toString(), 'survives');
    assert.equal((await provider.stat('/drop.txt')).size, 8);
    await provider.write('/drop2.txt', bytes('also'));
    // A drop the client has not noticed yet (no FIN processed): the first command fails and is retried.
    server.dropConnections();
    assert.equal((await provider.stat('/drop2.txt')).size, 4);
    assert.ok(server.logins > loginsBefore, 'logged in again');
    await provider.close();
  });
});

describe('ftps certificate trust', () => {
  let server: FtpServerHandle;
  let other: TestCertificate;
  before(async () => {
    server = await startFtpServer({ tls: 'explicit' });
    other = await createTestCertificate({ commonName: 'Another server' });
  });
  after(async () => {
    await server.stop();
    await other.remove();
  });

  it('refuses a self-signed certificate with its fingerprint, before sending credentials', async () => {
    const commandsBefore = server.commands.length;
    const error = await rejectsWith(openOn(server, { caPem: undefined }), 'Protocol');
    const fingerprint = server.certificate!.sha256Fingerprint;
    assert.match(fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.equal(error.details.fingerprint, fingerprint);
    assert.ok(error.message.includes(`SHA-256 ${fingerprint}`), error.message);
    assert.match(error.message, /not trusted.*pin this fingerprint/s);
    const sent = server.commands.slice(commandsBefore);
    assert.ok(!sent.some((c) => /^(USER|PASS)/.test(c)), `no credentials sent: ${sent.join(', ')}`);
  });

  it('checks the host name even when the CA is trusted', async () => {
    const wrongName = await createTestCertificate({ subjectAltName: 'DNS:files.example.com' });
    const named = await startFtpServer({ tls: 'explicit', certificate: wrongName });
    try {
      const error = await rejectsWith(openOn(named), 'Protocol');
      assert.equal(error.details.fingerprint, wrongName.sha256Fingerprint);
      assert.match(String(error.details.reason), /ERR_TLS_CERT_ALTNAME_INVALID|altnames|IP/i);
    } finally {
      await named.stop();
      await wrongName.remove();
    }
  });

  it('accepts a pinned certificate that no CA vouches for, on control and data connections', async () => {
    const pinned = await openOn(server, {
      caPem: undefined,
      pinnedFingerprints: [server.certificate!.sha256Fingerprint],
    });
    await pinned.write('/pinned.bin', patternBytes('pinned', 100_000));
    assert.equal(await sha256Of(await pinned.read('/pinned.bin')), await patternSha256('pinned', 100_000));
    await pinned.close();
    // The lower-case form without colons is the same pin.
    const lower = await openOn(server, { caPem: undefined, pinnedFingerprints: [server.certificate!.sha256Hex] });
    assert.equal((await lower.stat('/pinned.bin')).size, 100_000);
    await lower.close();
  });

  it('refuses a pin that does not match', async () => {
    const error = await rejectsWith(
      openOn(server, { caPem: undefined, pinnedFingerprints: [other.sha256Hex] }),
      'Protocol',
    );
    // A changed certificate, not a first contact (test/providers/ftp.pinning.test.ts has the wording).
    assert.equal(error.details.presentedFingerprint, server.certificate!.sha256Fingerprint);
    assert.equal(error.details.fingerprint, undefined);
  });

  it('checks each data connection, not only the control connection', async () => {
    const provider = await openOn(server, { pinnedFingerprints: [] });
    await provider.write('/before-switch.txt', bytes('ok'));
    // From now on the server's data connections present another certificate; the control one keeps the first.
    server.useCertificate(other);
    try {
      const error = await rejectsWith(provider.read('/before-switch.txt').then(collect), 'Protocol');
      assert.equal(error.details.fingerprint, other.sha256Fingerprint);
      await rejectsWith(provider.write('/after-switch.txt', bytes('secret')), 'Protocol');
      assert.equal(
        await statLocal(join(server.root, 'after-switch.txt'))
          .then((s) => s.size)
          .catch(() => 0),
        0,
        'no payload reached the untrusted data connection',
      );
    } finally {
      server.useCertificate(server.certificate!);
      await provider.close();
    }
  });
});

describe('ftps implicit', () => {
  it('defaults to port 990', async () => {
    const spec = ftpSpecSchema.parse({ kind: 'ftps', host: '127.0.0.1', tls: 'implicit', port: 1 });
    assert.equal(spec.port, 1);
    const unreachable = openFtpProvider(
      { ...spec, port: undefined, timeoutMs: 500 },
      { secrets: async () => undefined, log: captureLog() },
    );
    // Nothing listens on 990 here: the error names the port the provider chose.
    const error = await rejectsWith(unreachable, 'Network');
    assert.match(error.message, /127\.0\.0\.1:990/);
  });

  it('transfers with vsftpd in implicit mode (implicit_ssl=YES), certificate verified', async () => {
    const server = await startVsftpd({ tls: 'implicit' });
    try {
      const provider = await open(server.spec());
      await provider.write('/pub/implicit.bin', patternBytes('implicit', 500_000));
      assert.equal(await sha256Of(await provider.read('/pub/implicit.bin')), await patternSha256('implicit', 500_000));
      assert.deepEqual(
        (await listAll(provider, '/pub')).map((e) => e.name),
        ['implicit.bin'],
      );
      await provider.close();
      await rejectsWith(open(server.spec({ caPem: undefined })), 'Protocol');
    } finally {
      await server.stop();
    }
  });
});

/** A scripted control connection: answers the login sequence, then whatever `script` says. */
async function startScriptedServer(
  script: (command: string, socket: Socket) => string | undefined,
): Promise<{ port: number; received: string[]; stop(): Promise<void> }> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.write('220 scripted\r\n');
    let buffered = '';
    socket.on('data', (data) => {
      buffered += data.toString('utf8');
      for (let at = buffered.indexOf('\r\n'); at >= 0; at = buffered.indexOf('\r\n')) {
        const command = buffered.slice(0, at);
        buffered = buffered.slice(at + 2);
        received.push(command);
        const verb = command.split(' ')[0]!.toUpperCase();
        const reply =
          script(command, socket) ??
          (
            {
              USER: '331 password please',
              PASS: '230 welcome',
              FEAT: '211-Features:\r\n MDTM\r\n SIZE\r\n211 End',
              TYPE: '200 ok',
              CWD: '250 ok',
              QUIT: '221 bye',
            } as Record<string, string>
          )[verb] ??
          '200 ok';
        socket.write(reply + '\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('ftp passive mode', () => {
  for (const [label, host] of [
    ['another loopback address', '127.0.0.2'],
    ['a private address', '10.9.8.7'],
  ] as const) {
    it(`refuses a PASV reply that points at ${label}`, async () => {
      // A listener where the hostile reply points, to prove no connection is ever attempted.
      const trap = createServer();
      let trapped = 0;
      trap.on('connection', (socket) => {
        trapped += 1;
        socket.destroy();
      });
      const trapPort =
        host === '127.0.0.2'
          ? await new Promise<number>((resolve) =>
              trap.listen(0, host, () => resolve((trap.address() as AddressInfo).port)),
            )
          : 4567;
      const server = await startScriptedServer((command) => {
        if (command === 'EPSV') return '502 EPSV not implemented';
        if (command === 'PASV')
          return `227 Entering Passive Mode (${host.replace(/\./g, ',')},${trapPort >> 8},${trapPort & 255})`;
        return undefined;
      });
      try {
        const provider = await open(
          { kind: 'ftp', host: '127.0.0.1', port: server.port, user: 'u', timeoutMs: 2000 },
          'pw',
        );
        const error = await rejectsWith(listAll(provider, '/'), 'Protocol');
        assert.match(
          error.message,
          new RegExp(`data connection to ${host.replace(/\./g, '\\.')}.*connected to 127\\.0\\.0\\.1`),
        );
        assert.equal(error.details.pasvHost, host);
        assert.ok(
          !server.received.some((c) => c.startsWith('LIST') || c.startsWith('MLSD')),
          `no listing requested: ${server.received.join(', ')}`,
        );
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal(trapped, 0, 'never connected to the foreign host');
        await provider.close();
      } finally {
        await server.stop();
        if (trap.listening) await new Promise((resolve) => trap.close(resolve));
      }
    });
  }
});

describe('ftp path and listing hygiene', () => {
  it('refuses CR, LF and NUL before sending any command', async () => {
    const server = await startFtpServer();
    try {
      const provider = await openOn(server);
      await provider.write('/ok.txt', bytes('ok'));
      const before = server.commands.length;
      for (const bad of ['/a\r\nDELE ok.txt', '/a\nb', '/a\0b', '/a\rb']) {
        await rejectsWith(provider.stat(bad), 'InvalidInput');
        await rejectsWith(listAll(provider, bad), 'InvalidInput');
        await rejectsWith(provider.read(bad), 'InvalidInput');
        await rejectsWith(provider.write(bad, bytes('x')), 'InvalidInput');
        await rejectsWith(provider.mkdir(bad), 'InvalidInput');
        await rejectsWith(provider.remove(bad), 'InvalidInput');
        await rejectsWith(provider.rename('/ok.txt', bad), 'InvalidInput');
        await rejectsWith(provider.rename(bad, '/ok2.txt'), 'InvalidInput');
      }
      assert.deepEqual(server.commands.slice(before), [], 'the server received nothing');
      assert.equal((await provider.stat('/ok.txt')).size, 2);
      await provider.close();
    } finally {
      await server.stop();
    }
  });

  for (const rfc3659 of [false, true]) {
    it(`skips hostile names in ${rfc3659 ? 'MLSD' : 'LIST'} listings with a warning and a report`, async () => {
      // ftp-srv takes "\\" as a folder separator (GET /..\\win.txt reads /win.txt), so there it is hostile too.
      // ("C:evil.txt" is an ordinary name on an FTP server: see test/cli/hostile-names.e2e.test.ts.)
      const hostile = ['..', '../escape.txt', 'a/b', '/etc/passwd', '..\\win.txt'];
      class HostileFileSystem extends FileSystem {
        override async list(path?: string): Promise<unknown[]> {
          const real = (await super.list(path)) as Array<{ name: string }>;
          const template = real[0]!;
          return [
            ...real,
            ...hostile.map((name) => Object.assign(Object.create(Object.getPrototypeOf(template)), template, { name })),
          ];
        }
      }
      const server = await startFtpServer({
        rfc3659,
        fileSystem: (connection, root) => new HostileFileSystem(connection as never, { root, cwd: '/' }),
      });
      try {
        await writeFile(join(server.root, 'real.txt'), 'real');
        const log = captureLog();
        const provider = await openOn(server, {}, log);
        assert.equal(provider.capabilities.nameRules, 'no-backslash', 'the probe found "\\" to be a separator');
        const skipped: SkippedName[] = [];
        const entries: Entry[] = [];
        for await (const page of provider.list('/', { onSkipped: (s) => void skipped.push(s) })) entries.push(...page);
        assert.deepEqual(
          entries.map((e) => e.name),
          ['real.txt'],
        );
        // Every hostile name that reaches the provider is reported (basic-ftp's LIST parser drops ".." itself;
        // its MLSD parser, more).
        if (!rfc3659) assert.deepEqual(skipped.map((s) => s.name).sort(), hostile.filter((n) => n !== '..').sort());
        assert.ok(skipped.some((s) => s.name === '..\\win.txt' && /separator/.test(s.reason)));
        assert.ok(entries.every((e) => e.path === `/${e.name}`));
        if (!rfc3659) {
          // basic-ftp's LIST parser drops ".." itself; every other hostile name reaches us and is reported.
          const warned = log.warnings.map((w) => JSON.parse(String(w.fields.name)) as string);
          for (const name of hostile.filter((n) => n !== '..'))
            assert.ok(warned.includes(name), `warned about ${name}: ${warned.join(' | ')}`);
        }
        // A recursive remove must not follow a hostile name out of the folder.
        await provider.mkdir('/sub');
        await writeFile(join(server.root, 'sub', 'inner.txt'), 'inner');
        await provider.remove('/sub', { recursive: true });
        await rejectsWith(provider.stat('/sub'), 'NotFound');
        const deletes = server.commands.filter((c) => /^(DELE|RMD)/.test(c));
        assert.deepEqual(deletes, ['DELE /sub/inner.txt', 'RMD /sub']);
        assert.equal(
          (await statLocal(join(server.root, 'real.txt'))).size,
          4,
          'files outside the folder are untouched',
        );
        await provider.close();
      } finally {
        await server.stop();
      }
    });
  }
});

describe('ftp errors', () => {
  let server: FtpServerHandle;
  before(async () => {
    server = await startFtpServer();
  });
  after(() => server.stop());

  it('maps a wrong password to AuthFailed', async () => {
    const error = await rejectsWith(open(server.spec(), 'wrong-password'), 'AuthFailed');
    assert.ok(!error.message.includes('wrong-password'));
    await rejectsWith(open(server.spec({ user: 'anonymous' })), 'AuthFailed');
  });

  it('fails fast with Network on a closed port', async () => {
    const probe = createServer();
    const port = await new Promise<number>((resolve) =>
      probe.listen(0, '127.0.0.1', () => resolve((probe.address() as AddressInfo).port)),
    );
    await new Promise((resolve) => probe.close(resolve));
    const started = Date.now();
    const error = await rejectsWith(open({ kind: 'ftp', host: '127.0.0.1', port, timeoutMs: 3000 }), 'Network');
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
    assert.match(error.message, /refused/);
  });

  it('gives Network within timeoutMs when the TCP connection is never established', async () => {
    const unanswered = await startUnansweredPort();
    try {
      const started = Date.now();
      const error = await rejectsWith(
        open({ kind: 'ftp', host: '127.0.0.1', port: unanswered.port, timeoutMs: 1500 }),
        'Network',
      );
      const took = Date.now() - started;
      assert.ok(took >= 1400 && took < 3000, `gave up after ${took} ms`);
      assert.match(error.message, /127\.0\.0\.1:\d+ could not be reached within 1\.5 s/);
    } finally {
      await unanswered.stop();
    }
  });

  it('gives up on a server that never answers within timeoutMs', async () => {
    const silent = createServer(() => {});
    const sockets: Socket[] = [];
    silent.on('connection', (socket) => sockets.push(socket));
    const port = await new Promise<number>((resolve) =>
      silent.listen(0, '127.0.0.1', () => resolve((silent.address() as AddressInfo).port)),
    );
    try {
      const started = Date.now();
      const error = await rejectsWith(open({ kind: 'ftp', host: '127.0.0.1', port, timeoutMs: 600 }), 'Timeout');
      const took = Date.now() - started;
      assert.ok(took >= 550 && took < 2000, `timed out after ${took} ms`);
      assert.match(error.message, /did not answer in time/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('tells missing paths (ftp-srv answers 451/551, not 550) and wrong types apart', async () => {
    const provider = await openOn(server);
    await provider.mkdir('/typed');
    await provider.write('/typed/file.txt', bytes('x'));
    await rejectsWith(provider.read('/typed/missing.txt'), 'NotFound');
    await rejectsWith(provider.write('/no/such/folder/file.txt', bytes('x')), 'NotFound');
    await rejectsWith(provider.write('/typed/file.txt', bytes('y'), { offset: 5 }), 'InvalidInput');
    await rejectsWith(provider.mkdir('/typed/file.txt/sub'), 'AlreadyExists');
    await rejectsWith(listAll(provider, '/typed/file.txt'), 'InvalidInput');
    await rejectsWith(provider.read('/typed'), 'InvalidInput');
    await rejectsWith(provider.remove('/'), 'InvalidInput');
    await provider.close();
  });

  it('maps a 550 refusal of an existing path to PermissionDenied', async () => {
    const facts = (path: string) =>
      `250-Listing ${path}\r\n type=file;size=3;modify=20200101000000; ${path}\r\n250 End`;
    const scripted = await startScriptedServer((command) => {
      if (command === 'FEAT') return '211-Features:\r\n MLST type*;size*;modify*;\r\n MDTM\r\n211 End';
      if (command.startsWith('MLST ')) return facts(command.slice(5));
      if (/^(DELE|RNFR|STOR|RETR)/.test(command)) return '550 Permission denied.';
      if (command === 'EPSV') return '229 Entering Extended Passive Mode (|||1|)';
      return undefined;
    });
    try {
      const provider = await open(
        { kind: 'ftp', host: '127.0.0.1', port: scripted.port, user: 'u', timeoutMs: 2000 },
        'pw',
      );
      assert.equal((await provider.stat('/x.txt')).size, 3);
      const error = await rejectsWith(provider.remove('/x.txt'), 'PermissionDenied');
      assert.match(error.message, /Permission denied/);
      await rejectsWith(provider.rename('/x.txt', '/y.txt'), 'PermissionDenied');
      await provider.close();
    } finally {
      await scripted.stop();
    }
  });
});

describe('ftp rename', () => {
  it('replaces an existing target when the server refuses to rename onto it', async () => {
    let refusals = 0;
    const scripted = await startScriptedServer((command) => {
      if (command === 'FEAT') return '211-Features:\r\n MLST type*;size*;modify*;\r\n211 End';
      if (command.startsWith('MLST ')) return `250-Listing\r\n type=file;size=3; ${command.slice(5)}\r\n250 End`;
      if (command.startsWith('RNFR ')) return '350 Ready for RNTO.';
      if (command.startsWith('RNTO ') && refusals++ === 0) return '553 Could not rename: target exists.';
      if (command.startsWith('RNTO ') || command.startsWith('DELE ')) return '250 Done.';
      return undefined;
    });
    try {
      const provider = await open(
        { kind: 'ftp', host: '127.0.0.1', port: scripted.port, user: 'u', timeoutMs: 2000 },
        'pw',
      );
      const mark = scripted.received.length;
      await provider.rename('/from.txt', '/to.txt');
      const sent = scripted.received.slice(mark).filter((c) => /^(RNFR|RNTO|DELE)/.test(c));
      assert.deepEqual(sent, ['RNFR /from.txt', 'RNTO /to.txt', 'DELE /to.txt', 'RNFR /from.txt', 'RNTO /to.txt']);
      await provider.close();
    } finally {
      await scripted.stop();
    }
  });
});

describe('ftp modification times', () => {
  it('reads MDTM times (LIST server) and reports setModTime false without MFMT', async () => {
    const server = await startFtpServer();
    try {
      const provider = await openOn(server);
      assert.equal(provider.capabilities.setModTime, false);
      assert.equal(provider.capabilities.modTimePrecisionMs, 1000);
      await provider.write('/dated.txt', bytes('dated'));
      const when = new Date(Date.UTC(2021, 4, 6, 7, 8, 9));
      await utimes(join(server.root, 'dated.txt'), when, when);
      assert.equal((await provider.stat('/dated.txt')).modified, when.getTime());
      // A LIST time is local and coarse: not reported rather than reported wrong.
      assert.equal((await listAll(provider, '/'))[0]!.modified, undefined);
      await provider.close();
    } finally {
      await server.stop();
    }
  });

  it('sets times with MFMT and reads them from MLST/MLSD where the server advertises them', async () => {
    const server = await startFtpServer({ rfc3659: true });
    try {
      const provider = await openOn(server);
      assert.equal(provider.capabilities.setModTime, true);
      const when = Date.UTC(2019, 11, 31, 23, 59, 58);
      await provider.write('/set.txt', bytes('set'), { modified: when });
      assert.equal(
        (await statLocal(join(server.root, 'set.txt'))).mtime.getTime(),
        when,
        'the file on disk carries the time',
      );
      assert.equal((await provider.stat('/set.txt')).modified, when);
      assert.equal((await listAll(provider, '/')).find((e) => e.name === 'set.txt')?.modified, when);
      assert.ok(
        server.commands.some((c) => c.startsWith('MFMT 20191231235958 /set.txt')),
        'sent MFMT',
      );
      assert.ok(server.commands.includes('MLSD'), 'listed with MLSD');
      await provider.close();
    } finally {
      await server.stop();
    }
  });
});

describe('ftp cancellation', () => {
  let server: FtpServerHandle;
  before(async () => {
    server = await startFtpServer();
  });
  after(() => server.stop());

  it('cancels an in-flight write and does not reuse its connection', async () => {
    const provider = await openOn(server, { maxConnections: 1 });
    const controller = new AbortController();
    let produced = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (;;) {
        produced += 65536;
        if (produced > 1024 * 1024) controller.abort();
        yield Buffer.alloc(65536, 7);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
    const started = Date.now();
    await rejectsWith(provider.write('/cancelled.bin', endless(), { signal: controller.signal }), 'Cancelled');
    assert.ok(Date.now() - started < 5000);
    const producedAtCancel = produced;
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(produced <= producedAtCancel + 65536, 'the source is no longer pulled');
    const loginsBefore = server.logins;
    await provider.write('/after-cancel.txt', bytes('fine'));
    assert.equal(server.logins, loginsBefore + 1, 'a fresh connection replaced the cancelled one');
    await provider.close();
  });

  it('cancels an in-flight read', async () => {
    const provider = await openOn(server, { maxConnections: 1 });
    await provider.write('/big-read.bin', patternBytes('big-read', 8 * 1024 * 1024));
    const controller = new AbortController();
    const stream = await provider.read('/big-read.bin', { signal: controller.signal });
    const error = await rejectsWith(
      (async () => {
        let seen = 0;
        for await (const chunk of stream) {
          seen += chunk.byteLength;
          if (seen > 256 * 1024) controller.abort();
        }
      })(),
      'Cancelled',
    );
    assert.match(error.message, /cancelled/);
    assert.equal((await provider.stat('/big-read.bin')).size, 8 * 1024 * 1024, 'the pool recovered');
    await provider.close();
  });
});
