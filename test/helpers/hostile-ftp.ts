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
 * connection sends one more `ls -l` line every `intervalMs`, forever. The root lists /pub at once; every
 * other command gets a plain success.
 */
export async function startDrippingListServer(intervalMs = 500): Promise<HostileFtpServer> {
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
    reply('220 dripping');
    let buffered = '';
    control.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      for (let at = buffered.indexOf('\r\n'); at >= 0; at = buffered.indexOf('\r\n')) {
        const command = buffered.slice(0, at);
        buffered = buffered.slice(at + 2);
        commands.push(command);
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
            reply('211-Features:\r\n EPSV\r\n211 End');
            break;
          case 'CWD':
            if (argument === '/' || argument === '/pub') {
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
          case 'LIST': {
            const connection = data;
            data = undefined;
            if (!connection) {
              reply('425 use EPSV first');
              break;
            }
            reply('150 here it comes');
            void connection.then((socket) => {
              if (cwd === '/') {
                socket.end('drwxr-xr-x 1 ftp ftp 0 Jan 01 00:00 pub\r\n', () => reply('226 done'));
                return;
              }
              let n = 0;
              const line = () => `-rw-r--r-- 1 ftp ftp 1 Jan 01 00:00 file-${n++}.txt\r\n`;
              socket.write(line());
              const timer = setInterval(() => socket.write(line()), intervalMs);
              socket.on('close', () => clearInterval(timer));
            });
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
    commands,
    stop: () => closeAll([server, ...listeners], sockets),
  };
}
