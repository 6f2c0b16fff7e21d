// A TCP proxy in front of an FTP server that injects network faults, so retry and resume run against real
// broken connections rather than mocks. FTP moves file bytes on separate data connections to ports the
// server names in its PASV/EPSV replies; the proxy rewrites those replies to ports of its own, so every
// data connection passes through it too. Faults apply to data connections, per direction:
//   download = bytes of a RETR (server → client), upload = bytes of a STOR/APPE/STOU (client → server);
// listings are never faulted. Plain FTP only: after AUTH TLS the control channel is opaque, so replies
// cannot be rewritten (the proxy then passes bytes through and data connections bypass it).
import { once } from 'node:events';
import net, { type AddressInfo, type Socket } from 'node:net';

export type Direction = 'download' | 'upload';
type DataKind = Direction | 'listing';

export interface FaultOptions {
  direction: Direction;
  /** How many data connections the fault hits (default 1; Infinity for every one). */
  times?: number;
  /** 'reset' (default) aborts both sides with RST; 'close' ends them with FIN, like a quiet drop. */
  mode?: 'reset' | 'close';
}

export interface FaultProxyStats {
  /** Data connections opened through the proxy. */
  dataConnections: number;
  /** File transfers (RETR/STOR/APPE/STOU data connections) open now, and the most open at once. */
  activeTransfers: number;
  peakTransfers: number;
  /** Bytes forwarded on data connections, per kind. */
  bytes: Record<DataKind, number>;
  /** Faults that took effect. */
  faultsFired: number;
}

export interface FaultProxy {
  host: string;
  port: number;
  /** Cut data connections of a direction once they carried `bytes`. */
  failDataAfter(bytes: number, options: FaultOptions): void;
  /** Stop forwarding data connections of a direction after `bytes` (sockets stay open: the client must time out). */
  stallDataAfter(bytes: number, options: Omit<FaultOptions, 'mode'>): void;
  /** Limit data connections of a direction (or both) to `bytesPerSecond`; 0 removes the limit. */
  throttle(bytesPerSecond: number, options?: { direction?: Direction }): void;
  /** Stops accepting connections (new ones are refused) and drops every open one. */
  refuseAll(): Promise<void>;
  /** Accepts connections again on the same port. */
  acceptAll(): Promise<void>;
  /** Removes every pending fault and throttle. */
  clearFaults(): void;
  /** Commands clients sent on control connections (PASS masked), in order. */
  readonly commands: readonly string[];
  readonly stats: FaultProxyStats;
  stop(): Promise<void>;
}

interface Fault {
  kind: 'cut' | 'stall';
  afterBytes: number;
  direction: Direction;
  times: number;
  mode: 'reset' | 'close';
}

interface Session {
  /** The last command that opens a data transfer (RETR, STOR, LIST…), upper case. */
  lastTransfer: string;
}

const UPLOAD_COMMANDS = new Set(['STOR', 'APPE', 'STOU']);
const TRANSFER_COMMANDS = new Set(['RETR', 'LIST', 'NLST', 'MLSD', ...UPLOAD_COMMANDS]);

export async function startFaultProxy(upstream: { host: string; port: number }): Promise<FaultProxy> {
  const faults: Fault[] = [];
  const throttles: Partial<Record<Direction, number>> = {};
  const sockets = new Set<Socket>();
  const dataListeners = new Set<net.Server>();
  const commands: string[] = [];
  const stats: FaultProxyStats = {
    dataConnections: 0,
    activeTransfers: 0,
    peakTransfers: 0,
    bytes: { download: 0, upload: 0, listing: 0 },
    faultsFired: 0,
  };

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    return socket;
  };

  const takeFault = (kind: DataKind): Fault | undefined => {
    if (kind === 'listing') return undefined;
    const fault = faults.find((f) => f.direction === kind && f.times > 0);
    if (fault) fault.times -= 1;
    return fault;
  };

  /** Forwards one direction of a data connection, applying the fault and throttle of its kind. */
  async function pumpData(from: Socket, to: Socket, kindOf: () => DataKind): Promise<void> {
    let kind: DataKind | undefined;
    let fault: Fault | undefined;
    let moved = 0;
    try {
      for await (const raw of from) {
        let chunk = raw as Buffer;
        if (kind === undefined) {
          kind = kindOf();
          fault = takeFault(kind);
          if (fault) stats.faultsFired += 1;
        }
        if (fault && moved + chunk.length >= fault.afterBytes) {
          chunk = chunk.subarray(0, Math.max(0, fault.afterBytes - moved));
          moved += chunk.length;
          stats.bytes[kind] += chunk.length;
          if (chunk.length > 0) await write(to, chunk);
          if (fault.kind === 'stall') {
            // Hold both sockets open and silent until someone gives up.
            await Promise.race([once(from, 'close'), once(to, 'close')]);
          } else if (fault.mode === 'close') {
            to.end();
            from.end();
          } else {
            to.resetAndDestroy();
            from.resetAndDestroy();
          }
          return;
        }
        moved += chunk.length;
        stats.bytes[kind] += chunk.length;
        await write(to, chunk);
        const limit = kind === 'listing' ? undefined : throttles[kind];
        if (limit) await delay((chunk.length / limit) * 1000);
      }
      to.end();
    } catch {
      to.destroy();
      from.destroy();
    }
  }

  /** Opens a proxy listener for one passive data connection to `target`; returns its port. */
  async function openDataPort(target: { host: string; port: number }, session: Session): Promise<number> {
    const listener = net.createServer((client) => {
      track(client);
      listener.close();
      dataListeners.delete(listener);
      stats.dataConnections += 1;
      const server = track(net.connect(target.port, target.host));
      // The transfer command precedes the first data byte but may follow the connect: classify lazily.
      let counted = false;
      const countTransfer = () => {
        if (counted || !TRANSFER_COMMANDS.has(session.lastTransfer) || /^(LIST|NLST|MLSD)$/.test(session.lastTransfer))
          return;
        counted = true;
        stats.activeTransfers += 1;
        stats.peakTransfers = Math.max(stats.peakTransfers, stats.activeTransfers);
        client.once('close', () => (stats.activeTransfers -= 1));
      };
      client.once('data', countTransfer);
      server.once('data', countTransfer);
      void pumpData(server, client, () => (session.lastTransfer === 'RETR' ? 'download' : 'listing'));
      void pumpData(client, server, () => (UPLOAD_COMMANDS.has(session.lastTransfer) ? 'upload' : 'listing'));
    });
    dataListeners.add(listener);
    listener.listen(0, '127.0.0.1');
    await once(listener, 'listening');
    // A passive port nobody connects to must not linger.
    setTimeout(() => {
      listener.close();
      dataListeners.delete(listener);
    }, 30_000).unref();
    return (listener.address() as AddressInfo).port;
  }

  /** Rewrites a PASV/EPSV reply so the data connection goes through the proxy. */
  async function rewriteReply(line: string, session: Session): Promise<string> {
    const pasv = /^227 .*?\(?(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)?/.exec(line);
    if (pasv) {
      const [, h1, h2, h3, h4, p1, p2] = pasv.map(Number) as number[];
      const port = await openDataPort({ host: `${h1}.${h2}.${h3}.${h4}`, port: p1! * 256 + p2! }, session);
      return `227 Entering Passive Mode (127,0,0,1,${Math.floor(port / 256)},${port % 256})`;
    }
    const epsv = /^229 .*\((.)\1\1(\d+)\1\)/.exec(line);
    if (epsv) {
      const port = await openDataPort({ host: upstream.host, port: Number(epsv[2]) }, session);
      return `229 Entering Extended Passive Mode (|||${port}|)`;
    }
    return line;
  }

  const server = net.createServer((client) => {
    track(client);
    const serverSide = track(net.connect(upstream.port, upstream.host));
    const session: Session = { lastTransfer: '' };
    let opaque = false;

    // client → server: pass bytes through unchanged, noting commands.
    void (async () => {
      let pending = '';
      try {
        for await (const chunk of client) {
          if (!opaque) {
            pending += (chunk as Buffer).toString('latin1');
            let at: number;
            while ((at = pending.indexOf('\n')) >= 0) {
              const line = pending.slice(0, at).replace(/\r$/, '');
              pending = pending.slice(at + 1);
              const verb = line.split(' ')[0]!.toUpperCase();
              commands.push(verb === 'PASS' ? 'PASS ***' : line);
              if (TRANSFER_COMMANDS.has(verb)) session.lastTransfer = verb;
            }
          }
          await write(serverSide, chunk as Buffer);
        }
        serverSide.end();
      } catch {
        serverSide.destroy();
      }
    })();

    // server → client: line by line, rewriting passive replies, until TLS makes the channel opaque.
    void (async () => {
      let pending = '';
      try {
        for await (const chunk of serverSide) {
          if (opaque) {
            await write(client, chunk as Buffer);
            continue;
          }
          pending += (chunk as Buffer).toString('latin1');
          let at: number;
          while ((at = pending.indexOf('\n')) >= 0) {
            const line = pending.slice(0, at).replace(/\r$/, '');
            pending = pending.slice(at + 1);
            await write(client, Buffer.from(`${await rewriteReply(line, session)}\r\n`, 'latin1'));
            if (line.startsWith('234 ')) {
              opaque = true;
              if (pending) await write(client, Buffer.from(pending, 'latin1'));
              pending = '';
              break;
            }
          }
        }
        client.end();
      } catch {
        client.destroy();
      }
    })();
  });

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
    for (const listener of dataListeners) listener.close();
    dataListeners.clear();
  };

  return {
    host: '127.0.0.1',
    port,
    failDataAfter(bytes, options) {
      faults.push({
        kind: 'cut',
        afterBytes: bytes,
        direction: options.direction,
        times: options.times ?? 1,
        mode: options.mode ?? 'reset',
      });
    },
    stallDataAfter(bytes, options) {
      faults.push({
        kind: 'stall',
        afterBytes: bytes,
        direction: options.direction,
        times: options.times ?? 1,
        mode: 'reset',
      });
    },
    throttle(bytesPerSecond, options = {}) {
      for (const direction of options.direction ? [options.direction] : (['download', 'upload'] as const)) {
        if (bytesPerSecond > 0) throttles[direction] = bytesPerSecond;
        else delete throttles[direction];
      }
    },
    async refuseAll() {
      if (server.listening) {
        const closed = new Promise((resolve) => server.close(resolve));
        dropAll();
        await closed;
      } else {
        dropAll();
      }
    },
    async acceptAll() {
      if (server.listening) return;
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
    },
    clearFaults() {
      faults.length = 0;
      delete throttles.download;
      delete throttles.upload;
    },
    get commands() {
      return commands;
    },
    stats,
    async stop() {
      const closed = server.listening ? new Promise((resolve) => server.close(resolve)) : Promise.resolve();
      dropAll();
      await closed;
    },
  };
}

function write(socket: Socket, chunk: Buffer): Promise<void> {
  if (socket.destroyed) return Promise.reject(new Error('socket closed'));
  if (socket.write(chunk)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', fail);
      resolve();
    };
    const fail = () => {
      socket.off('drain', done);
      reject(new Error('socket closed'));
    };
    socket.on('drain', done);
    socket.once('close', fail);
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
