// @vercel/cosmosdb-server (a Cosmos DB server in plain Node, data in memory) on 127.0.0.1, in-process, with a
// certificate of our own: the one it bundles expired in 2021, and clients keep verification on by trusting
// ours as a CA. Its account lives as long as its listening socket (a new one starts empty on every listen),
// so the server itself never stops mid-test: clients talk to a front door in front of it, a small HTTPS proxy
// that can go away and come back on the same port (the account "offline") and answer 429 with a retry-after
// a number of times (the account throttling) — the data behind it survives both.
//
// The server checks no credential. With `acceptToken`, the front door does, as an account with Entra ID sign-in
// would: every request must carry `type=aad&ver=1.0&sig=<token>` (the SDK's Authorization header with
// aadCredentials) with a token the test accepts (one its OIDC stub issued and that has not expired); any other
// request, key-signed ones included, is answered 401.
import { CosmosClient } from '@azure/cosmos';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import { once } from 'node:events';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createTestCertificate, type TestCertificate } from './certs';

/** Any key works with this server (it checks none); tests use a recognisable one as a canary. */
export const COSMOS_TEST_KEY = 'Zm9yLXRlc3RzLW9ubHktY29zbW9zLWNhbmFyeS1rZXk=';

export interface CosmosTestServer {
  /** The front door's address: https://127.0.0.1:PORT/ */
  endpoint: string;
  /** The server itself, past the front door and its checks: for a test's own reads with any key. */
  backendEndpoint: string;
  /** Requests the front door refused (401) for want of an accepted Entra ID token (with acceptToken). */
  readonly unauthorized: number;
  /** The certificate the server presents; trust certificate.certPem (or FILEFERRY_CA_FILE=certificate.certPath). */
  certificate: TestCertificate;
  /** An agent trusting the test certificate, for a test's own @azure/cosmos client. */
  agent: https.Agent;
  /**
   * A client of the test's own, with the account key, through the front door (`direct`: past it, for reads
   * the front door would refuse or count). The caller disposes of it.
   */
  reader(options?: { direct?: boolean }): CosmosClient;
  /** Requests that reached the front door, by method and path ("POST /dbs/x/colls/y/docs"; a query: "QUERY …"). */
  readonly requests: string[];
  /** The next `times` requests (optionally only those whose "METHOD path" matches) get 429 with retry-after. */
  throttle(times: number, retryAfterMs: number, match?: RegExp): void;
  /** How many 429s were answered so far. */
  readonly throttled: number;
  /** Holds every request this long before passing it on (a slow account: a drain that takes a while). */
  delay(ms: number): void;
  /** Closes the front door and drops every open connection: clients see refused connections. */
  goOffline(): Promise<void>;
  /** Opens the front door again on the same port. */
  goOnline(): Promise<void>;
  stop(): Promise<void>;
}

export interface CosmosServerOptions {
  /** Require an Entra ID token on every request: whether this one (the `sig` of the header) is good. */
  acceptToken?: (token: string) => boolean;
}

const AAD_AUTHORIZATION = /^type=aad&ver=1\.0&sig=(.+)$/;

export async function startCosmosServer(options: CosmosServerOptions = {}): Promise<CosmosTestServer> {
  const certificate = await createTestCertificate({ commonName: 'cosmos test' });
  const tlsOptions = { cert: certificate.certPem, key: certificate.keyPem };
  // keepAlive: otherwise it answers every request with "connection: close", a TLS handshake per request.
  const backend = createHttpsServer({ ...tlsOptions, keepAlive: true } as Parameters<typeof createHttpsServer>[0]);
  backend.listen(0, '127.0.0.1');
  await once(backend, 'listening');
  const backendPort = (backend.address() as AddressInfo).port;
  const agent = new https.Agent({ ca: certificate.certPem, keepAlive: true });
  const upstreamAgent = new https.Agent({ ca: certificate.certPem, keepAlive: true });

  const requests: string[] = [];
  let throttle: { left: number; retryAfterMs: number; match: RegExp | undefined } | undefined;
  let throttled = 0;
  let delayMs = 0;
  let unauthorized = 0;

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    if (delayMs > 0) {
      req.pause();
      setTimeout(() => handle(req, res), delayMs);
    } else handle(req, res);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    // Queries (and query plans) are POSTs to .../docs too: named apart, so "POST …/docs" is a write.
    const query = String(req.headers['content-type'] ?? '').startsWith('application/query+json');
    const line = `${query ? 'QUERY' : (req.method ?? '')} ${req.url ?? ''}`;
    requests.push(line);
    if (options.acceptToken && !hasAcceptedToken(req, options.acceptToken)) {
      unauthorized++;
      req.resume();
      req.on('end', () => {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'Unauthorized', message: 'No valid Entra ID token (checked by the test)' }));
      });
      return;
    }
    if (throttle && throttle.left > 0 && (!throttle.match || throttle.match.test(line))) {
      throttle.left--;
      throttled++;
      // Drain the body first: answering before reading it can reset the connection under the client.
      req.resume();
      req.on('end', () => {
        res.writeHead(429, {
          'content-type': 'application/json',
          'x-ms-retry-after-ms': String(throttle?.retryAfterMs ?? 0),
          'x-ms-substatus': '3200',
          'x-ms-activity-id': '00000000-0000-0000-0000-000000000429',
        });
        res.end(JSON.stringify({ code: 'TooManyRequests', message: 'Request rate is large (injected by the test)' }));
      });
      return;
    }
    const upstream = https.request(
      {
        host: '127.0.0.1',
        port: backendPort,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: `127.0.0.1:${backendPort}` },
        agent: upstreamAgent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'BadGateway', message: error.message }));
    });
    req.pipe(upstream);
  };

  const front = https.createServer(tlsOptions, forward);
  const sockets = new Set<Socket>();
  front.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  front.listen(0, '127.0.0.1');
  await once(front, 'listening');
  const port = (front.address() as AddressInfo).port;
  let online = true;

  const goOffline = async () => {
    if (!online) return;
    online = false;
    const closed = new Promise<void>((resolve) => front.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };

  return {
    endpoint: `https://127.0.0.1:${port}/`,
    backendEndpoint: `https://127.0.0.1:${backendPort}/`,
    get unauthorized() {
      return unauthorized;
    },
    certificate,
    agent,
    reader: (options = {}) =>
      new CosmosClient({
        endpoint: options.direct ? `https://127.0.0.1:${backendPort}/` : `https://127.0.0.1:${port}/`,
        key: COSMOS_TEST_KEY,
        agent,
        connectionPolicy: { enableEndpointDiscovery: false },
      }),
    requests,
    throttle(times, retryAfterMs, match) {
      throttle = { left: times, retryAfterMs, match };
    },
    get throttled() {
      return throttled;
    },
    delay(ms) {
      delayMs = ms;
    },
    goOffline,
    async goOnline() {
      if (online) return;
      front.listen(port, '127.0.0.1');
      await once(front, 'listening');
      online = true;
    },
    async stop() {
      await goOffline();
      agent.destroy();
      upstreamAgent.destroy();
      backend.closeAllConnections();
      await new Promise<void>((resolve) => backend.close(() => resolve()));
      await certificate.remove();
    },
  };
}

function hasAcceptedToken(req: IncomingMessage, accept: (token: string) => boolean): boolean {
  let header: string;
  try {
    // The SDK URL-encodes key signatures but sends an AAD header as is; decoding reads either.
    header = decodeURIComponent(String(req.headers.authorization ?? ''));
  } catch {
    return false;
  }
  const token = AAD_AUTHORIZATION.exec(header)?.[1];
  return token !== undefined && accept(token);
}
