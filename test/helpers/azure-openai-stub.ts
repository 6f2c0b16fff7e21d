// An Azure OpenAI resource on loopback: POST /openai/deployments/{deployment}/chat/completions?api-version=…
// (the path the openai package's AzureOpenAI client uses) answered with streamed chat.completion.chunk
// server-sent events, then `data: [DONE]`; or a JSON chat.completion when stream is false. It checks the
// `api-key` header or an `Authorization: Bearer` token, records each request, and answers as scripted per
// request (a queue, then a function): chunks, an Azure-shaped error, an error inside the stream, or silence.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type AzureOpenAIBehaviour =
  /** Streams these content deltas (one chunk each), waiting delayMs before each one. */
  | {
      chunks: string[];
      delayMs?: number;
      finishReason?: string;
      usage?: { promptTokens: number; completionTokens: number };
    }
  /**
   * Answers with an HTTP error in Azure's shape {error:{code,message}}. `code` as Azure sends it: '429',
   * 'DeploymentNotFound' (404), 'context_length_exceeded' (400), '401', '403', 'InternalServerError' (500)…
   */
  | { error: string; status?: number; message?: string }
  /** Streams `chunks`, then an error event inside the stream ({"error":{…}}). */
  | { streamError: string; message?: string; chunks?: string[] }
  /** Never answers (until the client gives up). */
  | { hang: true };

export interface AzureOpenAIRequestRecord {
  method: string;
  path: string;
  deployment: string;
  apiVersion: string | null;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** Whether the client went away before the answer was complete (a cancel). */
  closedEarly: boolean;
  closed: boolean;
}

export interface AzureOpenAIStub {
  /** The resource endpoint to configure: http://127.0.0.1:PORT */
  endpoint: string;
  readonly requests: readonly AzureOpenAIRequestRecord[];
  script(...behaviours: AzureOpenAIBehaviour[]): void;
  /** The answer to every request the queue does not cover (default: chunks ['A summary.']). */
  setBehaviour(decide: (request: AzureOpenAIRequestRecord) => AzureOpenAIBehaviour): void;
  close(): Promise<void>;
}

export interface AzureOpenAIStubOptions {
  /** The key accepted in the api-key header (default 'ferry-test-azure-key'). */
  apiKey?: string;
  /** A bearer token accepted in the Authorization header (Entra ID); none when absent. */
  bearerToken?: string;
  /** Judges a bearer token (an Entra ID stub's isValidAccessToken), instead of one fixed token. */
  acceptBearer?: (token: string) => boolean;
  behaviour?: (request: AzureOpenAIRequestRecord) => AzureOpenAIBehaviour;
}

const DEFAULT_STATUS: Record<string, number> = {
  '401': 401,
  '403': 403,
  '429': 429,
  DeploymentNotFound: 404,
  context_length_exceeded: 400,
  InternalServerError: 500,
};

const ROUTE = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/;

export async function startAzureOpenAIStub(options: AzureOpenAIStubOptions = {}): Promise<AzureOpenAIStub> {
  const apiKey = options.apiKey ?? 'ferry-test-azure-key';
  const requests: AzureOpenAIRequestRecord[] = [];
  const queue: AzureOpenAIBehaviour[] = [];
  let decide = options.behaviour ?? (() => ({ chunks: ['A summary.'] }));
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stub');
      const deployment = ROUTE.exec(url.pathname)?.[1];
      const record: AzureOpenAIRequestRecord = {
        method: req.method ?? '',
        path: url.pathname + url.search,
        deployment: deployment ? decodeURIComponent(deployment) : '',
        apiVersion: url.searchParams.get('api-version'),
        headers: req.headers,
        body: raw ? (JSON.parse(raw) as unknown) : undefined,
        closedEarly: false,
        closed: false,
      };
      requests.push(record);
      res.on('close', () => {
        record.closed = true;
        record.closedEarly = !res.writableFinished;
      });
      const authorised =
        req.headers['api-key'] === apiKey ||
        (options.bearerToken !== undefined && req.headers.authorization === `Bearer ${options.bearerToken}`) ||
        (options.acceptBearer !== undefined &&
          req.headers.authorization?.startsWith('Bearer ') === true &&
          options.acceptBearer(req.headers.authorization.slice('Bearer '.length)));
      if (!authorised)
        return sendError(res, 401, '401', 'Access denied due to invalid subscription key or wrong API endpoint.');
      if (req.method !== 'POST' || !deployment || !record.apiVersion)
        return sendError(res, 404, '404', 'Resource not found');
      void answer(res, record, queue.shift() ?? decide(record), timers);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    script: (...behaviours) => queue.push(...behaviours),
    setBehaviour: (next) => (decide = next),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code, message } }));
}

async function answer(
  res: ServerResponse,
  record: AzureOpenAIRequestRecord,
  behaviour: AzureOpenAIBehaviour,
  timers: Set<NodeJS.Timeout>,
): Promise<void> {
  if ('hang' in behaviour) return;
  if ('error' in behaviour)
    return sendError(
      res,
      behaviour.status ?? DEFAULT_STATUS[behaviour.error] ?? 400,
      behaviour.error,
      behaviour.message ?? `${behaviour.error} from the stub`,
    );
  const body = record.body as { stream?: boolean; messages?: { content?: string }[] } | undefined;
  const chunks = behaviour.chunks ?? [];
  const promptLength = (body?.messages ?? []).reduce((sum, message) => sum + (message.content?.length ?? 0), 0);
  const usage =
    'usage' in behaviour && behaviour.usage
      ? { prompt_tokens: behaviour.usage.promptTokens, completion_tokens: behaviour.usage.completionTokens }
      : { prompt_tokens: Math.ceil(promptLength / 4), completion_tokens: chunks.length };
  const finishReason = ('finishReason' in behaviour && behaviour.finishReason) || 'stop';
  const base = { id: 'chatcmpl-stub', created: Math.floor(Date.now() / 1000), model: 'gpt-stub' };
  const totals = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
  if (!body?.stream) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: chunks.join('') }, finish_reason: finishReason }],
        usage: totals,
      }),
    );
    return;
  }
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  const event = (data: unknown) => {
    if (!res.destroyed) res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  };
  const chunk = (delta: object, finish: string | null, extra: object = {}) => ({
    ...base,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...extra,
  });
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  event(chunk({ role: 'assistant', content: '' }, null));
  for (const text of chunks) {
    if ('delayMs' in behaviour && behaviour.delayMs) await wait(behaviour.delayMs);
    if (res.destroyed) return;
    event(chunk({ content: text }, null));
  }
  if ('streamError' in behaviour) {
    event({
      error: { code: behaviour.streamError, message: behaviour.message ?? `${behaviour.streamError} from the stub` },
    });
    res.end();
    return;
  }
  event(chunk({}, finishReason));
  const stream = (body as { stream_options?: { include_usage?: boolean } }).stream_options;
  if (stream?.include_usage) event({ ...base, object: 'chat.completion.chunk', choices: [], usage: totals });
  event('[DONE]');
  res.end();
}
