// One browser tab's WebSocket: the wire protocol (shared/api/wire.ts) on one side, the service layer on the
// other. Everything from the socket is untrusted: a message that is not JSON, not an object of the protocol,
// or too large, closes this connection (and only this one); the service validates the arguments themselves.
// Memory stays bounded whatever the peer does: at most MAX_CALLS_IN_FLIGHT calls under way, messages of at
// most MAX_MESSAGE_BYTES (the ws library enforces it while reading), and a peer that stops reading is cut
// off once MAX_BUFFERED_BYTES wait for it rather than queued for without end. A listing, which may send tens
// of megabytes, is paced instead: it waits between pages until the peer has read most of what it was sent.
import { WebSocket, type RawData } from 'ws';
import { API_VERSION, type ApiEventKind, type ApiEvents } from '../../shared/api';
import { FerryError } from '../../shared/errors';
import { MAX_CALLS_IN_FLIGHT, MAX_MESSAGE_BYTES, type ApiError, type ServerMessage } from '../../shared/api/wire';
import { ApiCallError, type ApiService, type CallContext } from '../core/api/types';
import type { Logger } from '../core/log/logger';

/** Bytes a connection may have waiting to be sent before it is closed (a tab that stopped reading). */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** What a paced sender (a listing) lets pile up for a connection before it waits (CallContext.drained). */
export const PACED_BUFFERED_BYTES = 512 * 1024;
/** How often a paced sender looks again: the ws library has no event for a buffer that emptied. */
const DRAIN_POLL_MS = 5;

/** A connection must say hello within this time, or it is closed. */
const HELLO_TIMEOUT_MS = 10_000;

/** WebSocket close codes (RFC 6455 §7.4.1). */
const CLOSE = { goingAway: 1001, unsupportedData: 1003, invalidData: 1007, policy: 1008 } as const;

export interface ApiSocketOptions {
  service: ApiService;
  log: Logger;
  /** Overrides MAX_BUFFERED_BYTES (tests). */
  maxBufferedBytes?: number;
}

export class ApiSocket {
  private welcomed = false;
  private readonly inFlight = new Set<number>();
  private readonly context: CallContext = {
    emit: (kind, payload) => this.sendEvent(kind, payload),
    drained: () => this.drained(),
  };
  private readonly helloTimer: NodeJS.Timeout;
  private readonly maxBuffered: number;

  constructor(
    private readonly ws: WebSocket,
    private readonly options: ApiSocketOptions,
  ) {
    this.maxBuffered = options.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
    this.helloTimer = setTimeout(() => this.fail(CLOSE.policy, 'No hello arrived in time.'), HELLO_TIMEOUT_MS);
    ws.on('message', (data, isBinary) => this.receive(data, isBinary));
    // The library closes the connection itself for an oversized message (1009) or invalid UTF-8 (1007).
    ws.on('error', (error) => options.log.info('a WebSocket connection failed', { error }));
    ws.on('close', () => clearTimeout(this.helloTimer));
  }

  /** An event for every connection (transfers, settings…); none before the connection said hello. */
  sendEvent<K extends ApiEventKind>(kind: K, payload: ApiEvents[K]): void {
    if (this.welcomed) this.send({ type: 'event', kind, payload });
  }

  /** Resolves when what waits to go to the peer is below PACED_BUFFERED_BYTES; rejects once it has gone. */
  private async drained(): Promise<void> {
    for (;;) {
      if (this.ws.readyState !== WebSocket.OPEN)
        throw new FerryError('Cancelled', 'The window that asked for this has closed.');
      if (this.ws.bufferedAmount <= Math.min(PACED_BUFFERED_BYTES, this.maxBuffered / 2)) return;
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
  }

  /** Closes the connection as the server stops. */
  close(): void {
    this.ws.close(CLOSE.goingAway, 'FileFerry is stopping');
  }

  /** Ends the connection at once, whatever it still had to send. */
  terminate(): void {
    this.ws.terminate();
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (this.ws.readyState !== WebSocket.OPEN) return; // closing: what still arrives is not acted on
    if (isBinary) return this.fail(CLOSE.unsupportedData, 'The API takes text messages only.');
    let message: unknown;
    try {
      message = JSON.parse(rawText(data));
    } catch {
      return this.fail(CLOSE.invalidData, 'A message was not valid JSON.');
    }
    if (typeof message !== 'object' || message === null) return this.fail(CLOSE.policy, 'A message was not an object.');
    const { type } = message as { type?: unknown };
    if (type === 'hello') return this.hello((message as { api?: unknown }).api);
    if (type === 'call') return this.call(message as { id?: unknown; method?: unknown; arg?: unknown });
    this.fail(CLOSE.policy, 'A message was of no known type.');
  }

  private hello(api: unknown): void {
    if (this.welcomed) return this.fail(CLOSE.policy, 'Hello was said twice.');
    clearTimeout(this.helloTimer);
    if (api !== API_VERSION) {
      const page = typeof api === 'number' ? `API version ${api}` : 'no API version';
      return this.fail(
        CLOSE.policy,
        `This page speaks ${page} and FileFerry speaks version ${API_VERSION}: reload the page.`,
        'Unsupported',
      );
    }
    this.welcomed = true;
    this.send({ type: 'welcome', api: API_VERSION });
  }

  private call({ id, method, arg }: { id?: unknown; method?: unknown; arg?: unknown }): void {
    if (!this.welcomed) return this.fail(CLOSE.policy, 'A call came before hello.');
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0 || typeof method !== 'string')
      return this.fail(CLOSE.policy, 'A call needs a numeric id and a method name.');
    if (this.inFlight.has(id)) return this.fail(CLOSE.policy, `Call ${id} is under way already.`);
    if (this.inFlight.size >= MAX_CALLS_IN_FLIGHT)
      return this.fail(CLOSE.policy, `More than ${MAX_CALLS_IN_FLIGHT} calls were under way at once.`);
    this.inFlight.add(id);
    this.options.service
      .call(method, arg, this.context)
      .then(
        (value) =>
          this.send(value === undefined ? { type: 'result', id, ok: true } : { type: 'result', id, ok: true, value }),
        (error: unknown) => this.send({ type: 'result', id, ok: false, error: this.apiError(error, method) }),
      )
      .finally(() => this.inFlight.delete(id));
  }

  private apiError(error: unknown, method: string): ApiError {
    if (error instanceof ApiCallError) return error.error;
    // The service turns every failure into an ApiCallError; anything else is a bug, logged here in full.
    this.options.log.error('an API call failed outside the service contract', { method, error });
    return { code: 'Internal', message: `FileFerry could not complete ${method} because of an internal error.` };
  }

  /** Says why (an 'error' message) and closes the connection. */
  private fail(code: number, message: string, errorCode: ApiError['code'] = 'InvalidInput'): void {
    this.options.log.info('closing a WebSocket connection', { code, reason: message });
    this.send({ type: 'error', error: { code: errorCode, message } });
    this.ws.close(code, message.slice(0, 120)); // a close reason holds at most 123 bytes
  }

  private send(message: ServerMessage): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    let text = JSON.stringify(message);
    if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES) {
      // The peer would close the connection on it: a result says why instead; an event cannot be cut.
      this.options.log.warn('an API message was too large to send', {
        bytes: Buffer.byteLength(text),
        type: message.type,
      });
      if (message.type !== 'result') return;
      const tooLarge: ServerMessage = {
        type: 'result',
        id: message.id,
        ok: false,
        error: { code: 'Unsupported', message: 'The answer is too large to send; ask for less at once.' },
      };
      text = JSON.stringify(tooLarge);
    }
    this.ws.send(text);
    if (this.ws.bufferedAmount > this.maxBuffered) {
      this.options.log.warn('closing a WebSocket connection that stopped reading', {
        buffered: this.ws.bufferedAmount,
      });
      this.ws.terminate();
    }
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString('utf8');
}
