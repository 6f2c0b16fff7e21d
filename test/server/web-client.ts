// Plain HTTP and WebSocket clients for web mode, as a browser (or an attacker's script) would send requests:
// raw request targets (never normalised), any Host, Origin or Cookie header, and a record of every answer
// so a test can check a header across all of them.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { WebSocket } from 'ws';
import { API_VERSION } from '../../shared/api';
import { WIRE_PATH, type ServerMessage } from '../../shared/api/wire';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Every answer any test received, for checks that hold for all of them (no Access-Control-Allow-Origin). */
export const answers: Answer[] = [];

/** Sends `target` exactly as written to the server at `origin` (http://127.0.0.1:PORT). */
export function get(
  origin: string,
  target: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Answer> {
  return exchange(origin, target, headers, method);
}

/** PUTs `body` to `target`, as the page sends a dropped file. */
export function send(origin: string, target: string, body: Buffer, headers: Record<string, string>): Promise<Answer> {
  return exchange(origin, target, headers, 'PUT', body);
}

function exchange(
  origin: string,
  target: string,
  headers: Record<string, string>,
  method: string,
  body?: Buffer,
): Promise<Answer> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path: target, method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const answer = { status: res.statusCode ?? 0, headers: res.headers, body };
        answers.push(answer);
        resolve(answer);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens the printed URL as a browser would and returns the cookie it is given ("name=value"). */
export async function admit(url: string): Promise<string> {
  const { origin, pathname, search } = new URL(url);
  const answer = await get(origin, pathname + search);
  const setCookie = answer.headers['set-cookie']?.[0];
  if (answer.status !== 303 || !setCookie) throw new Error(`not admitted: ${answer.status}`);
  return setCookie.split(';')[0]!;
}

export interface UpgradeOptions {
  cookie?: string;
  origin?: string;
  host?: string;
  path?: string;
}

/** Opens a WebSocket; resolves when open, rejects with the HTTP status when the upgrade is refused. */
export function openSocket(serverOrigin: string, options: UpgradeOptions = {}): Promise<WebSocket> {
  const headers: Record<string, string> = {};
  if (options.cookie) headers.Cookie = options.cookie;
  if (options.host) headers.Host = options.host;
  const ws = new WebSocket(`${serverOrigin.replace(/^http/, 'ws')}${options.path ?? WIRE_PATH}`, {
    headers,
    ...(options.origin ? { origin: options.origin } : {}),
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      answers.push({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
      reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode }));
      res.resume();
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

/** A WebSocket that speaks the wire protocol by hand, keeping every message and the close. */
export class WireClient {
  readonly messages: ServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private nextId = 1;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.messages.push(JSON.parse(String(data)) as ServerMessage));
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  static async open(serverOrigin: string, cookie: string): Promise<WireClient> {
    const client = new WireClient(await openSocket(serverOrigin, { cookie }));
    client.ws.send(JSON.stringify({ type: 'hello', api: API_VERSION }));
    await client.next((m) => m.type === 'welcome');
    return client;
  }

  /** Sends a call and resolves with its result message. */
  async call(method: string, arg?: unknown): Promise<Extract<ServerMessage, { type: 'result' }>> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ type: 'call', id, method, arg }));
    return this.next((m): m is Extract<ServerMessage, { type: 'result' }> => m.type === 'result' && m.id === id);
  }

  /** The close, which must come within `timeoutMs`. */
  whenClosed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    return Promise.race([
      this.closed,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('the server did not close the connection')), timeoutMs),
      ),
    ]);
  }

  /** Sends a call and resolves with its value; a failed call throws its error. */
  async value(method: string, arg?: unknown): Promise<unknown> {
    const result = await this.call(method, arg);
    if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code });
    return result.value;
  }

  /** The first message (so far or to come) that matches. */
  async next<T extends ServerMessage>(
    match: ((m: ServerMessage) => m is T) | ((m: ServerMessage) => boolean),
    timeoutMs = 5000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found as T;
      if (Date.now() > deadline) throw new Error('no such message arrived');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
