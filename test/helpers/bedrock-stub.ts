// A Bedrock Runtime on loopback speaking the wire protocol the real SDK uses: HTTP/2 without TLS (h2c, since
// the SDK's default handler is HTTP/2), POST /model/{modelId}/converse (JSON) and /converse-stream (the
// application/vnd.amazon.eventstream framing). Each request is recorded; what it answers is scripted per
// request (a queue, then a function), so tests can throttle, refuse, fail mid-stream or hang.
import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';
import { createServer, type Http2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';

export type BedrockErrorName =
  | 'ThrottlingException'
  | 'AccessDeniedException'
  | 'ResourceNotFoundException'
  | 'ValidationException'
  | 'ServiceUnavailableException';

export type BedrockStreamErrorName =
  | 'throttlingException'
  | 'modelStreamErrorException'
  | 'internalServerException'
  | 'serviceUnavailableException'
  | 'validationException';

export type BedrockBehaviour =
  /** Answers with these text chunks (one contentBlockDelta each), waiting delayMs before each one. */
  | {
      chunks: string[];
      delayMs?: number;
      stopReason?: string;
      usage?: { inputTokens: number; outputTokens: number };
    }
  /** Answers with the HTTP error the service sends (status, x-amzn-errortype, JSON {message}). */
  | { error: BedrockErrorName; message?: string; status?: number }
  /** Starts the stream, sends `chunks`, then an exception event inside the stream. */
  | { streamError: BedrockStreamErrorName; message?: string; chunks?: string[] }
  /** Never answers (until the client gives up). */
  | { hang: true };

export interface BedrockRequestRecord {
  path: string;
  operation: 'converse' | 'converse-stream' | 'other';
  /** The model id from the path, URL-decoded. */
  modelId: string;
  headers: IncomingHttpHeaders;
  /** The access key id that signed the request (from the SigV4 Authorization header). */
  accessKeyId?: string;
  body: unknown;
  /** Whether the client closed the stream before the answer was complete (a cancel). */
  closedEarly: boolean;
  /** Whether the stream has closed (either way). */
  closed: boolean;
}

export interface BedrockStub {
  /** http://127.0.0.1:PORT (h2c). */
  url: string;
  readonly requests: readonly BedrockRequestRecord[];
  /** Queues behaviours for the next requests, in order; after them, the setBehaviour function answers. */
  script(...behaviours: BedrockBehaviour[]): void;
  /** The answer to every request the queue does not cover (default: chunks ['A summary.']). */
  setBehaviour(decide: (request: BedrockRequestRecord) => BedrockBehaviour): void;
  close(): Promise<void>;
}

const DEFAULT_STATUS: Record<BedrockErrorName, number> = {
  ThrottlingException: 429,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ValidationException: 400,
  ServiceUnavailableException: 503,
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const codec = new EventStreamCodec(
  (bytes) => decoder.decode(bytes),
  (text) => encoder.encode(text),
);

function frame(kind: 'event' | 'exception', type: string, payload: unknown): Uint8Array {
  const headers: MessageHeaders = {
    [kind === 'event' ? ':event-type' : ':exception-type']: { type: 'string', value: type },
    ':content-type': { type: 'string', value: 'application/json' },
    ':message-type': { type: 'string', value: kind },
  };
  return codec.encode({ headers, body: encoder.encode(JSON.stringify(payload)) });
}

export async function startBedrockStub(
  options: { behaviour?: (request: BedrockRequestRecord) => BedrockBehaviour } = {},
): Promise<BedrockStub> {
  const requests: BedrockRequestRecord[] = [];
  const queue: BedrockBehaviour[] = [];
  let decide = options.behaviour ?? (() => ({ chunks: ['A summary.'] }));
  const sessions = new Set<Http2Session>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const path = String(headers[':path'] ?? '');
      const match = /^\/model\/([^/]+)\/(converse|converse-stream)$/.exec(path.split('?')[0] ?? '');
      const raw = Buffer.concat(chunks).toString('utf8');
      const signedWith = /Credential=([^/]+)\//.exec(String(headers.authorization ?? ''))?.[1];
      const record: BedrockRequestRecord = {
        path,
        operation: (match?.[2] as 'converse' | 'converse-stream' | undefined) ?? 'other',
        modelId: match?.[1] ? decodeURIComponent(match[1]) : '',
        headers,
        ...(signedWith ? { accessKeyId: signedWith } : {}),
        body: raw ? (JSON.parse(raw) as unknown) : undefined,
        closedEarly: false,
        closed: false,
      };
      requests.push(record);
      let complete = false;
      stream.on('close', () => {
        record.closed = true;
        record.closedEarly = !complete;
      });
      const done = () => {
        complete = true;
      };
      void answer(stream, record, queue.shift() ?? decide(record), done, timers);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...behaviours) => queue.push(...behaviours),
    setBehaviour: (next) => (decide = next),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const session of sessions) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function userText(body: unknown): string {
  const messages = (body as { messages?: { content?: { text?: string }[] }[] } | undefined)?.messages ?? [];
  return messages
    .flatMap((message) => message.content ?? [])
    .map((block) => block.text ?? '')
    .join('');
}

async function answer(
  stream: ServerHttp2Stream,
  record: BedrockRequestRecord,
  behaviour: BedrockBehaviour,
  done: () => void,
  timers: Set<NodeJS.Timeout>,
): Promise<void> {
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  const write = (bytes: Uint8Array) => {
    if (!stream.destroyed && !stream.closed) stream.write(bytes);
  };
  if ('hang' in behaviour) return;
  if ('error' in behaviour) {
    stream.respond({
      ':status': behaviour.status ?? DEFAULT_STATUS[behaviour.error],
      'content-type': 'application/json',
      'x-amzn-errortype': `${behaviour.error}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      'x-amzn-requestid': `stub-${Date.now()}`,
    });
    done();
    stream.end(JSON.stringify({ message: behaviour.message ?? `${behaviour.error} from the stub` }));
    return;
  }
  if (record.operation === 'other') {
    stream.respond({
      ':status': 404,
      'content-type': 'application/json',
      'x-amzn-errortype': 'UnknownOperationException',
    });
    done();
    stream.end(JSON.stringify({ message: `No operation at ${record.path}` }));
    return;
  }
  const chunks = behaviour.chunks ?? [];
  const usage =
    'usage' in behaviour && behaviour.usage
      ? behaviour.usage
      : { inputTokens: Math.ceil(userText(record.body).length / 4), outputTokens: chunks.length };
  const stopReason = ('stopReason' in behaviour && behaviour.stopReason) || 'end_turn';
  if (record.operation === 'converse') {
    stream.respond({ ':status': 200, 'content-type': 'application/json' });
    done();
    stream.end(
      JSON.stringify({
        output: { message: { role: 'assistant', content: [{ text: chunks.join('') }] } },
        stopReason,
        usage: { ...usage, totalTokens: usage.inputTokens + usage.outputTokens },
        metrics: { latencyMs: 1 },
      }),
    );
    return;
  }
  stream.respond({ ':status': 200, 'content-type': 'application/vnd.amazon.eventstream' });
  write(frame('event', 'messageStart', { role: 'assistant' }));
  for (const text of chunks) {
    if ('delayMs' in behaviour && behaviour.delayMs) await wait(behaviour.delayMs);
    if (stream.closed || stream.destroyed) return;
    write(frame('event', 'contentBlockDelta', { contentBlockIndex: 0, delta: { text } }));
  }
  if ('streamError' in behaviour) {
    done();
    write(
      frame('exception', behaviour.streamError, {
        message: behaviour.message ?? `${behaviour.streamError} from the stub`,
      }),
    );
    stream.end();
    return;
  }
  write(frame('event', 'contentBlockStop', { contentBlockIndex: 0 }));
  write(frame('event', 'messageStop', { stopReason }));
  write(
    frame('event', 'metadata', {
      usage: { ...usage, totalTokens: usage.inputTokens + usage.outputTokens },
      metrics: { latencyMs: 1 },
    }),
  );
  done();
  stream.end();
}
