// FTP servers that misbehave on purpose, on 127.0.0.1: for the defects only a hostile (or broken) server
// shows. Each is a few lines of net.createServer, not a mock of a real server: the client talks real FTP
// over real sockets, and the server simply does what a hostile one would.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface HostileFtpServer {
  host: '127.0.0.1';
  port: number;
  /** Bytes written to clients on the control connections so far. */
  bytesSent(): number;
  /** Control connections the client has closed (or that ended). */
  closedConnections(): number;
  /** Commands received, in order. */
  commands: string[];
  stop(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function closeAll(servers: Iterable<Server>, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  await Promise.all([...servers].map((server) => new Promise((resolve) => server.close(resolve))));
}

/**
 * Greets with "220 " and then sends `filler` without end, as fast as the client reads it. With the
 * default filler no line ever ends; "junk\r\n" sends endless lines that are no reply at all.
 */
export async function startEndlessReplyServer(filler = 'x'): Promise<HostileFtpServer> {
  const sockets = new Set<Socket>();
  let sent = 0;
  let closed = 0;
  const block = Buffer.from(filler.repeat(Math.ceil(65536 / filler.length)));
  const server = createServer((socket) => {
    sockets.add(socket);
    let open = true;
    socket.on('error', () => {});
    socket.on('close', () => {
      open = false;
      closed += 1;
      sockets.delete(socket);
    });
    const pump = () => {
      while (open && socket.write(block)) sent += block.length;
      if (open) sent += block.length; // the write that filled the buffer went out too
    };
    socket.on('drain', pump);
    socket.write('220 ');
    sent += 4;
    pump();
  });
  const port = await listen(server);
  return {
    host: '127.0.0.1',
    port,
    bytesSent: () => sent,
    closedConnections: () => closed,
    commands: [],
    stop: () => closeAll([server], sockets),
  };
}

/**
 * A small anonymous FTP server with one folder, /pub, whose listing never ends: after "150" its data
 * connection sends one more `ls -l` line every `intervalMs`, forever (with `piece` 'byte', one byte of those
 * lines every `intervalMs`: not even a first entry arrives soon). The root lists /pub at once; every other
 * command gets a plain success.
 */
export async function startDrippingListServer(
  intervalMs = 500,
  piece: 'line' | 'byte' = 'line',
): Promise<HostileFtpServer> {
  return startListingServer({
    greeting: 'dripping',
    folders: ['/', '/pub'],
    list: (cwd, socket, reply) => {
      if (cwd === '/') {
        socket.end('drwxr-xr-x 1 ftp ftp 0 Jan 01 00:00 pub\r\n', () => reply('226 done'));
        return;
      }
      let n = 0;
      let text = '';
      const line = () => `-rw-r--r-- 1 ftp ftp 1 Jan 01 00:00 file-${n++}.txt\r\n`;
      const next = () => {
        if (piece === 'line') return line();
        if (text === '') text = line();
        const byte = text.slice(0, 1);
        text = text.slice(1);
        return byte;
      };
      socket.write(next());
      const timer = setInterval(() => socket.write(next()), intervalMs);
      socket.on('close', () => clearInterval(timer));
    },
  });
}

export interface ScriptedListing {
  /** What the data connection sends, one write per chunk (a short pause between them, so each is a TCP write). */
  chunks: Array<string | Buffer>;
  /** Sends this many chunks, then waits for release() before the rest (the client may read the first ones). */
  holdAfter?: number;
}

export interface ScriptedListServer extends HostileFtpServer {
  /** Sockets open now, control and data connections alike. */
  openConnections(): number;
  /** Whether a listing is waiting for release(). */
  holding(): boolean;
  /** Lets the held listings (and every later one) go on. */
  release(): void;
  /** Closes every connection from the server's side, as a restart or an idle timeout would. */
  dropConnections(): void;
}

/**
 * A small anonymous FTP server whose folders list what the test scripts, byte for byte (LIST, or MLSD when
 * `mlsd`), and can hold a listing halfway until the test releases it. Every other command succeeds.
 */
export async function startScriptedListServer(
  folders: Record<string, ScriptedListing>,
  options: { mlsd?: boolean } = {},
): Promise<ScriptedListServer> {
  let holding = 0;
  let open!: () => void;
  const released = new Promise<void>((resolve) => (open = resolve));
  const server = await startListingServer({
    greeting: 'scripted',
    folders: ['/', ...Object.keys(folders)],
    features: options.mlsd ? ['EPSV', 'MLST type*;size*;modify*;'] : ['EPSV'],
    list: (cwd, socket, reply) => {
      const listing = folders[cwd] ?? { chunks: [] };
      void (async () => {
        for (const [at, chunk] of listing.chunks.entries()) {
          // Held from the moment the chunk before went out, so a client never sees it and finds no hold.
          if (at === listing.holdAfter) {
            holding += 1;
            await released;
            holding -= 1;
          } else if (at > 0) await new Promise((resolve) => setTimeout(resolve, 5));
          if (socket.destroyed) return;
          socket.write(chunk);
        }
        socket.end(() => reply('226 done'));
      })();
    },
  });
  return { ...server, holding: () => holding > 0, release: () => open() };
}

/**
 * A server that answers every RETR "550 No such file or directory." and then owes one more reply on that
 * control connection, "226 Transfer complete.", which it sends just before its answer to the next command.
 * pyftpdlib does this when it notices, late, that the client closed the data connection of a refused
 * download: a client that reuses the connection takes the "226" for the answer to its next command, and
 * every answer after it for the one before. An empty root, SIZE for nothing, and MKD that succeeds.
 */
export async function startLateReplyServer(): Promise<HostileFtpServer> {
  const owing = new WeakSet<Socket>();
  return startListingServer({
    greeting: 'late replies',
    folders: ['/'],
    features: ['EPSV', 'SIZE'],
    list: (_cwd, socket, reply) => {
      socket.end(() => reply('226 done'));
    },
    answer: (command, control, reply) => {
      if (owing.delete(control)) reply('226 Transfer complete.');
      const [verb = '', ...rest] = command.split(' ');
      switch (verb.toUpperCase()) {
        case 'RETR':
          reply('550 No such file or directory.');
          owing.add(control);
          return true;
        case 'SIZE':
          reply('550 No such file or directory.');
          return true;
        case 'MKD':
          reply(`257 "${rest.join(' ')}" created`);
          return true;
        default:
          return false;
      }
    },
  });
}

interface ListingServerSetup {
  greeting: string;
  /** The folders CWD enters; any other answers 550. */
  folders: string[];
  /** FEAT's lines (default: EPSV only). */
  features?: string[];
  /** Serves a LIST or MLSD in `cwd` on its data connection, after "150"; `reply` sends the "226". */
  list: (cwd: string, data: Socket, reply: (text: string) => void) => void;
  /** Sees every command first: answers it its own way (true), or leaves it to the usual answer (false). */
  answer?: (command: string, control: Socket, reply: (text: string) => void) => boolean;
}

/** The control connection both listing servers above share: login, FEAT, CWD, EPSV, and LIST/MLSD. */
async function startListingServer(
  setup: ListingServerSetup,
): Promise<HostileFtpServer & Pick<ScriptedListServer, 'openConnections' | 'dropConnections'>> {
  const sockets = new Set<Socket>();
  const commands: string[] = [];
  const listeners = new Set<Server>();
  let sent = 0;
  let closed = 0;
  const server = createServer((control) => {
    sockets.add(control);
    control.on('error', () => {});
    control.on('close', () => {
      closed += 1;
      sockets.delete(control);
    });
    const reply = (text: string) => {
      sent += Buffer.byteLength(text) + 2;
      control.write(`${text}\r\n`);
    };
    let cwd = '/';
    let passive: Server | undefined;
    let data: Promise<Socket> | undefined;
    reply(`220 ${setup.greeting}`);
    let buffered = '';
    control.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      for (let at = buffered.indexOf('\r\n'); at >= 0; at = buffered.indexOf('\r\n')) {
        const command = buffered.slice(0, at);
        buffered = buffered.slice(at + 2);
        commands.push(command);
        if (setup.answer?.(command, control, reply)) continue;
        const [verb = '', ...rest] = command.split(' ');
        const argument = rest.join(' ');
        switch (verb.toUpperCase()) {
          case 'USER':
            reply('331 any password');
            break;
          case 'PASS':
            reply('230 logged in');
            break;
          case 'FEAT':
            reply(`211-Features:\r\n${(setup.features ?? ['EPSV']).map((line) => ` ${line}\r\n`).join('')}211 End`);
            break;
          case 'CWD':
            if (setup.folders.includes(argument)) {
              cwd = argument;
              reply('250 ok');
            } else reply('550 no such folder');
            break;
          case 'EPSV': {
            passive?.close();
            const listener = createServer();
            passive = listener;
            listeners.add(listener);
            listener.on('close', () => listeners.delete(listener));
            data = new Promise((resolve) =>
              listener.once('connection', (socket) => {
                sockets.add(socket);
                socket.on('error', () => {});
                socket.on('close', () => sockets.delete(socket));
                resolve(socket);
              }),
            );
            void listen(listener).then((port) => reply(`229 Entering Extended Passive Mode (|||${port}|)`));
            break;
          }
          case 'LIST':
          case 'MLSD': {
            const connection = data;
            data = undefined;
            if (!connection) {
              reply('425 use EPSV first');
              break;
            }
            reply('150 here it comes');
            void connection.then((socket) => setup.list(cwd, socket, reply));
            break;
          }
          case 'QUIT':
            reply('221 bye');
            control.end();
            break;
          default:
            reply('200 ok');
        }
      }
    });
    control.on('close', () => passive?.close());
  });
  const port = await listen(server);
  return {
    host: '127.0.0.1',
    port,
    bytesSent: () => sent,
    closedConnections: () => closed,
    openConnections: () => sockets.size,
    dropConnections: () => {
      for (const socket of sockets) socket.destroy();
    },
    commands,
    stop: () => closeAll([server, ...listeners], sockets),
  };
}
