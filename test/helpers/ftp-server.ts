// ftp-srv in-process on 127.0.0.1: user/password login, a fresh root folder, passive mode only, optional
// explicit or implicit TLS with a throwaway certificate (test/helpers/certs.ts).
//
// ftp-srv speaks neither MLSD/MLST nor MFMT. With `rfc3659: true` this helper adds real implementations of
// them (they read and set the actual files), so the provider's MLSD and MFMT paths run against a server.
// ftp-srv keeps one global command table; the extra commands answer 502 and stay out of FEAT on servers
// started without the option, so those behave exactly like stock ftp-srv.
import { AsyncLocalStorage, createHook } from 'node:async_hooks';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm, unlink, utimes } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import type { TlsOptions } from 'node:tls';
import { FtpSrv, FileSystem } from 'ftp-srv';
import { createTestCertificate, type TestCertificate } from './certs';
import { loopbackFtpSpec, type FtpTestServer } from './ftp-spec';

export type { FtpSpecInput } from './ftp-spec';

const require = createRequire(import.meta.url);

export interface FtpServerOptions {
  /** 'explicit': AUTH TLS on the control port; 'implicit': TLS from the first byte. */
  tls?: 'explicit' | 'implicit';
  /** Reuse a certificate (default: a fresh self-signed one when tls is set). */
  certificate?: TestCertificate;
  user?: string;
  password?: string;
  /** Add MLSD, MLST and MFMT (see above). */
  rfc3659?: boolean;
  /** Replace the file system a login gets (e.g. one that returns hostile names). */
  fileSystem?: (connection: unknown, root: string) => FileSystem;
  /** Commands the server answers with 502, as servers without them do (e.g. REST and APPE). */
  refuse?: string[];
}

export interface FtpServerHandle extends FtpTestServer {
  password: string;
  /** Successful logins so far. */
  readonly logins: number;
  /** Control connections currently open. */
  readonly openConnections: number;
  /** Every command received, in order (PASS arguments masked). */
  readonly commands: readonly string[];
  /**
   * Serve another certificate from now on (new control and data connections), to test per-connection checks.
   * `extra` adds TLS server options, e.g. ticketKeys shared by every data listener so they can resume sessions.
   */
  useCertificate(certificate: TestCertificate, extra?: Omit<TlsOptions, 'key' | 'cert'>): void;
  /** Closes every client connection from the server side, as a server restart or idle timeout would. */
  dropConnections(): void;
}

export async function startFtpServer(options: FtpServerOptions = {}): Promise<FtpServerHandle> {
  installRfc3659Commands();
  const user = options.user ?? 'ferry';
  const password = options.password ?? 'ferry-secret-pw';
  const root = await mkdtemp(join(tmpdir(), 'ferry-ftpsrv-'));
  const ownCertificate = options.tls && !options.certificate ? await createTestCertificate() : undefined;
  const certificate = options.certificate ?? ownCertificate;
  const bunyan = require('bunyan') as { createLogger(o: object): unknown };

  const server = new FtpSrv({
    url: `${options.tls === 'implicit' ? 'ftps' : 'ftp'}://127.0.0.1:0`,
    pasv_url: '127.0.0.1',
    pasv_min: 30000,
    pasv_max: 39999,
    anonymous: false,
    greeting: ['FileFerry test server'],
    tls: certificate ? { key: certificate.keyPem, cert: certificate.certPem } : false,
    log: bunyan.createLogger({ name: 'ftp-srv', level: 'fatal' }),
    ...(options.rfc3659 ? { rfc3659: true } : {}),
    ...(options.refuse ? { blacklist: options.refuse } : {}),
  } as ConstructorParameters<typeof FtpSrv>[0]);

  let logins = 0;
  const commands: string[] = [];
  const sockets = new Set<Socket>();
  server.on('login', ({ connection, username, password: given }, resolve, reject) => {
    if (username !== user || given !== password) return reject(new Error('Invalid user name or password'));
    logins += 1;
    resolve(options.fileSystem ? { fs: options.fileSystem(connection, root) } : { root });
  });
  const inner = (server as unknown as { server: import('node:net').Server }).server;
  inner.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  (server as unknown as { ferryCommands: string[] }).ferryCommands = commands;
  await server.listen();
  const port = (inner.address() as AddressInfo).port;

  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    root,
    certificate,
    spec: loopbackFtpSpec({ port, user, tls: options.tls, certificate }),
    get logins() {
      return logins;
    },
    get openConnections() {
      return sockets.size;
    },
    get commands() {
      return commands;
    },
    useCertificate(next, extra = {}) {
      (server as unknown as { options: { tls: object } }).options.tls = {
        ...extra,
        key: next.keyPem,
        cert: next.certPem,
      };
    },
    dropConnections() {
      for (const socket of sockets) socket.destroy();
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await server.close().catch(() => {});
      await rm(root, { recursive: true, force: true });
      await ownCertificate?.remove();
    },
  };
}

interface FtpSrvConnection {
  fs: FileSystem & { _resolvePath(path: string): { fsPath: string; clientPath: string } };
  server: { options: { rfc3659?: boolean } };
  connector: { waitForConnection(): Promise<unknown>; socket: Socket | null; end(): void };
  commandSocket: { pause(): void; resume(): void };
  reply(options: number | object, ...letters: unknown[]): Promise<unknown>;
}
interface FtpSrvCommand {
  directive: string | string[];
  handler(this: FtpSrvConnection, arg: { command: { arg: string | null } }): unknown;
  syntax?: string;
  description?: string;
  flags?: Record<string, unknown>;
}
interface PassiveState {
  dataServer: { listening: boolean } | null;
  dataSocket: { connected?: boolean } | null;
}
interface StatLike {
  name: string;
  size: number;
  mtime: Date;
  isDirectory(): boolean;
}

let installed = false;

function installRfc3659Commands(): void {
  if (installed) return;
  installed = true;
  // Record commands after TLS decryption, on the server they reached (tests count what a client sent).
  const FtpCommands = require('ftp-srv/src/commands') as {
    prototype: {
      handle(this: { connection: { server: { ferryCommands?: string[] } } }, command: unknown): unknown;
      parse(message: string): { directive: string; arg: string | null; flags: string[]; raw: string };
    };
  };
  // ftp-srv deletes every '"' from a command line before parsing it, so a file named 'a "b".txt' is stored
  // as 'a b.txt' — a server bug no client can work around. FTP has no quoting: keep the line as sent.
  const stockParse = FtpCommands.prototype.parse;
  FtpCommands.prototype.parse = function (message) {
    const QUOTE = '\u0000quote\u0000';
    const parsed = stockParse.call(this, message.replace(/"/g, QUOTE));
    const restore = (text: string | null) => (text === null ? null : text.split(QUOTE).join('"'));
    return { ...parsed, arg: restore(parsed.arg), raw: message };
  };
  // ftp-srv polls for the data connection every 50 ms and only abandons the wait through bluebird's
  // timeout(), which does not stop the polling: a data connection that never completes (one the client
  // refused over its certificate) keeps a timer alive forever and the test process never exits.
  const ftpSrvRequire = createRequire(require.resolve('ftp-srv'));
  const Bluebird = ftpSrvRequire('bluebird') as { TimeoutError: new (message: string) => Error };
  const PassiveConnector = require('ftp-srv/src/connector/passive') as {
    prototype: {
      waitForConnection(this: PassiveState, options?: { timeout?: number; delay?: number }): Promise<unknown>;
    };
  };
  PassiveConnector.prototype.waitForConnection = function ({ timeout = 5000, delay = 50 } = {}) {
    const deadline = Date.now() + timeout;
    const check = async (): Promise<unknown> => {
      if (!this.dataServer) throw new Error('Passive server not setup');
      if (this.dataServer.listening && this.dataSocket?.connected) return this.dataSocket;
      if (Date.now() > deadline) throw new Bluebird.TimeoutError('operation timed out');
      await new Promise((resolve) => setTimeout(resolve, delay));
      return check();
    };
    return (ftpSrvRequire('bluebird') as { resolve<T>(value: Promise<T>): Promise<T> }).resolve(check());
  };
  // ftp-srv deletes a file whose upload stream failed and leaves that promise unhandled; when the file was
  // never created (a STOR into a missing folder) the rejection would fail whichever test runs at the time.
  const FileSystemClass = require('ftp-srv/src/fs') as {
    prototype: {
      write(
        this: { _resolvePath(path: string): { fsPath: string; clientPath: string } },
        fileName: string,
        options?: { append?: boolean; start?: number },
      ): { stream: WriteStream; clientPath: string };
    };
  };
  FileSystemClass.prototype.write = function (fileName, { append = false, start = undefined } = {}) {
    const { fsPath, clientPath } = this._resolvePath(fileName);
    const stream = createWriteStream(fsPath, { flags: append ? 'a+' : 'w+', start });
    stream.once('error', () => void unlink(fsPath).catch(() => {}));
    stream.once('close', () => stream.end());
    return { stream, clientPath };
  };
  // Its passive listener also arms a 30 s idle timer that nothing clears when the client's TLS handshake
  // on it fails, holding the test process open for 30 s. Timers created while setting up a passive
  // listener are unreferenced: they still fire, but no longer keep the process alive.
  const passiveSetup = new AsyncLocalStorage<true>();
  createHook({
    init(_id, type, _trigger, resource) {
      if (type === 'Timeout' && passiveSetup.getStore()) queueMicrotask(() => (resource as NodeJS.Timeout).unref());
    },
  }).enable();
  const passivePrototype = PassiveConnector.prototype as unknown as { setupServer(): Promise<unknown> };
  const stockSetup = passivePrototype.setupServer;
  passivePrototype.setupServer = function () {
    return passiveSetup.run(true, () => stockSetup.call(this));
  };
  const stockHandle = FtpCommands.prototype.handle;
  FtpCommands.prototype.handle = function (command) {
    if (typeof command === 'string') {
      this.connection.server.ferryCommands?.push(command.startsWith('PASS ') ? 'PASS ***' : command);
    }
    return stockHandle.call(this, command);
  };
  const registry = require('ftp-srv/src/commands/registry') as Record<string, FtpSrvCommand>;
  const enabled = (connection: FtpSrvConnection) => connection.server.options.rfc3659 === true;
  const facts = (stat: StatLike) =>
    `type=${stat.isDirectory() ? 'dir' : 'file'};size=${stat.size};modify=${mlsxTime(stat.mtime)};`;

  const stockFeat = registry.FEAT!;
  registry.FEAT = {
    ...stockFeat,
    handler(args) {
      if (!enabled(this)) return stockFeat.handler.call(this, args);
      const stock = Object.values(registry)
        .map((cmd) => cmd.flags?.feat)
        .filter((feat): feat is string => typeof feat === 'string');
      const features = [...new Set(['UTF8', ...stock, 'MLST type*;size*;modify*;', 'MFMT'])].sort();
      return this.reply(211, 'Extensions supported', ...features.map((f) => ({ message: ` ${f}`, raw: true })), 'End');
    },
  };

  registry.MFMT = {
    directive: 'MFMT',
    async handler({ command }) {
      if (!enabled(this)) return this.reply(502, 'Command not allowed: MFMT');
      const match = /^(\d{14})(?:\.\d+)? (.+)$/.exec(command.arg ?? '');
      if (!match) return this.reply(501, 'Syntax: MFMT YYYYMMDDHHMMSS path');
      const time = parseMlsxTime(match[1]!);
      try {
        await utimes(this.fs._resolvePath(match[2]!).fsPath, time, time);
        return this.reply(213, `Modify=${match[1]}; ${match[2]}`);
      } catch (error) {
        return this.reply(550, (error as Error).message);
      }
    },
  };

  registry.MLST = {
    directive: 'MLST',
    async handler({ command }) {
      if (!enabled(this)) return this.reply(502, 'Command not allowed: MLST');
      const path = command.arg ?? '.';
      try {
        const stat = (await this.fs.get(path)) as StatLike;
        return this.reply(250, 'Listing', { message: ` ${facts(stat)} ${path}`, raw: true }, 'End');
      } catch (error) {
        return this.reply(550, (error as Error).message);
      }
    },
  };

  registry.MLSD = {
    directive: 'MLSD',
    async handler({ command }) {
      if (!enabled(this)) return this.reply(502, 'Command not allowed: MLSD');
      const path = command.arg ?? '.';
      try {
        await this.connector.waitForConnection();
        this.commandSocket.pause();
        const stat = (await this.fs.get(path)) as StatLike;
        if (!stat.isDirectory()) throw new Error('Not a directory');
        const files = (await this.fs.list(path)) as StatLike[];
        await this.reply(150);
        const socket = this.connector.socket;
        const lines = files.map((file) => ({ raw: true, message: `${facts(file)} ${file.name}`, socket }));
        if (lines.length > 0) await this.reply({}, ...lines);
        await this.reply(226);
      } catch (error) {
        await this.reply(451, (error as Error).message || 'No directory');
      } finally {
        this.connector.end();
        this.commandSocket.resume();
      }
    },
  };
}

function mlsxTime(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').replace(/Z$/, '');
}

function parseMlsxTime(value: string): Date {
  const [y, mo, d, h, mi, s] = [0, 4, 6, 8, 10, 12].map((at, i) => Number(value.slice(at, i === 0 ? 4 : at + 2)));
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
}
