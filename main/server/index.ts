// Web mode: the built renderer and the API (one WebSocket at WIRE_PATH) on a loopback HTTP server, for a
// browser on this machine. The process behind it reads and writes every file the user can and holds the
// user's cloud keys, so every request passes access.ts's checks (Host, Origin, the launch token) before
// anything else, answers carry the app's Content-Security-Policy, and no answer ever allows another origin
// (no Access-Control-Allow-Origin: CORS stays closed).
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { MAX_MESSAGE_BYTES, WIRE_PATH } from '../../shared/api/wire';
import { FerryError } from '../../shared/errors';
import { contentSecurityPolicy } from '../../shared/security';
import type { ApiService } from '../core/api/types';
import { createLogger, type Logger } from '../core/log/logger';
import { AccessGuard } from './access';
import { ApiSocket } from './api-socket';
import { StaticFiles } from './static-files';
import { receiveUpload, uploadTarget } from './uploads';

export const DEFAULT_HOST = '127.0.0.1';

export interface WebServerOptions {
  /** The address to listen on: 127.0.0.1 unless asked otherwise (with a warning). */
  host?: string;
  /** 0: any free port. */
  port?: number;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** The API implementation; the caller closes it after the server. */
  service: ApiService;
  log?: Logger;
  /** Where the warning about an address other than 127.0.0.1 goes (default: stderr). */
  warn?: (line: string) => void;
  /** Bytes a connection may leave unread before it is closed (default: api-socket's MAX_BUFFERED_BYTES). */
  maxBufferedBytes?: number;
}

export interface WebServer {
  /** The address to open: the page with the launch token. Print it for the user; never log it. */
  url: string;
  /** http://host:port */
  origin: string;
  /** Closes every connection and stops listening (the service stays open). */
  close(): Promise<void>;
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const host = options.host ?? DEFAULT_HOST;
  const log = options.log ?? createLogger({ component: 'server' });
  if (['', '0.0.0.0', '::', '[::]'].includes(host))
    throw new FerryError(
      'InvalidInput',
      `Web mode listens on one address, not on every one (${host || 'empty'}): give --host the address of one interface.`,
    );
  const files = await StaticFiles.open(options.rendererDir);

  const server = createServer();
  // A dropped file's PUT may wait its turn in the queue for minutes before its body is read: no deadline for
  // a whole request (headers must still arrive within headersTimeout).
  server.requestTimeout = 0;
  const port = await listen(server, host, options.port ?? 0);
  const authority = `${isIP(host) === 6 ? `[${host}]` : host.toLowerCase()}:${port}`;
  const guard = new AccessGuard(authority, `http://${authority}`, port);
  const headers: OutgoingHttpHeaders = {
    'Content-Security-Policy': contentSecurityPolicy({ connect: [`ws://${authority}`] }),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
  };
  if (host !== DEFAULT_HOST) {
    (options.warn ?? ((line) => process.stderr.write(`${line}\n`)))(
      `fileferry: warning: web mode listens on ${host}, not ${DEFAULT_HOST}: whoever can reach ${authority} ` +
        'and learns the address printed below can use FileFerry with your files and keys, over unencrypted HTTP.',
    );
  }

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value!);
    void answer(request, response).catch((error: unknown) => {
      log.error('a web request failed', { error });
      if (!response.headersSent) refuse(response, 500, 'internal error');
      else response.destroy();
    });
  });

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const verdict = guard.check(request, true);
    if (verdict.ok === false) return refuse(response, verdict.status, verdict.why);
    if (verdict.ok === 'redirect') {
      response.writeHead(303, {
        Location: verdict.location,
        'Set-Cookie': verdict.cookie,
        'Cache-Control': 'no-store',
      });
      return void response.end();
    }
    const rawPath = (request.url ?? '/').split('?')[0]!;
    const upload = uploadTarget(rawPath);
    if (upload && request.method === 'PUT') return receiveUpload(upload, request, response, options.service, log);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', upload ? 'PUT' : 'GET, HEAD');
      return refuse(response, 405, upload ? 'only PUT' : 'only GET and HEAD');
    }
    const found = await files.locate(rawPath);
    if ('status' in found)
      return refuse(response, found.status, found.status === 404 ? 'no such file' : 'not a file of the app');
    files.send(found, response, request.method === 'HEAD');
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    // Compression would let a small frame inflate into a large message; loopback needs none.
    perMessageDeflate: false,
    clientTracking: false,
  });
  const sockets = new Set<ApiSocket>();
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const verdict = guard.check(request, false);
    if (verdict.ok !== true) return refuseUpgrade(socket, verdict.ok === false ? verdict.status : 403);
    if ((request.url ?? '').split('?')[0] !== WIRE_PATH) return refuseUpgrade(socket, 404);
    wss.handleUpgrade(request, socket, head, (ws) => {
      const apiSocket = new ApiSocket(ws, {
        service: options.service,
        log,
        ...(options.maxBufferedBytes ? { maxBufferedBytes: options.maxBufferedBytes } : {}),
      });
      sockets.add(apiSocket);
      ws.on('close', () => sockets.delete(apiSocket));
    });
  });

  const unsubscribe = options.service.on((kind, payload) => {
    for (const socket of sockets) socket.sendEvent(kind, payload);
  });
  log.info('web mode listening', { origin: guard.origin });

  let closing: Promise<void> | undefined;
  return {
    url: guard.url,
    origin: guard.origin,
    close: () =>
      (closing ??= (async () => {
        unsubscribe();
        for (const socket of sockets) socket.close();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // A tab has a moment to take the close frame; then whatever is left is cut.
        await new Promise((resolve) => setTimeout(resolve, 200));
        for (const socket of sockets) socket.terminate();
        server.closeAllConnections();
        await stopped;
      })()),
  };
}

function listen(server: ReturnType<typeof createServer>, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      if (error.code === 'EADDRINUSE')
        reject(
          new FerryError(
            'AlreadyExists',
            `Port ${port} on ${host} is in use: choose another with --port (0: any free port).`,
            { cause: error },
          ),
        );
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND')
        reject(
          new FerryError('InvalidInput', `${host} is not an address of this machine: choose another with --host.`, {
            cause: error,
          }),
        );
      else if (error.code === 'EACCES')
        reject(
          new FerryError('PermissionDenied', `Listening on ${where} is not allowed: choose a port above 1023.`, {
            cause: error,
          }),
        );
      else reject(new FerryError('Network', `Web mode cannot listen on ${where}: ${error.message}`, { cause: error }));
    };
    server.once('error', failed);
    server.listen({ host, port }, () => {
      server.off('error', failed);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function refuse(response: ServerResponse, status: number, why: string): void {
  const hint = status === 403 ? ' Open the address that `fileferry serve` printed, in a browser on this machine.' : '';
  const body = `${status} ${why}.${hint}\n`;
  response.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  response.end(body);
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found' };

/** Answers an upgrade that will not happen, on the raw socket (no HTTP response object exists for it). */
function refuseUpgrade(socket: Duplex, status: number): void {
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
