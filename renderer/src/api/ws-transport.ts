// Web mode's transport: one WebSocket to the server that served the page (its cookie admits it), speaking the
// protocol of shared/api/wire.ts. It says hello with API_VERSION, waits for welcome, then matches results to
// calls by id and hands events to their subscribers. It keeps to the server's limits itself (calls under way,
// message size), so a busy page waits or gets an error instead of being disconnected.
import { API_VERSION, type ApiEventKind, type ApiEvents, type ApiMethodName } from '../../../shared/api';
import { MAX_CALLS_IN_FLIGHT, MAX_MESSAGE_BYTES, type ServerMessage } from '../../../shared/api/wire';
import { ApiClientError, type ClientTransport } from './transport';

/** What this needs of a WebSocket: the browser's, or the `ws` package's in Node (the tests). */
export interface WebSocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: ApiClientError): void;
}

/** Opens the transport on a new socket: resolves once the server has welcomed this API version. */
export function connectWebSocket(socket: WebSocketLike): Promise<ClientTransport> {
  const pending = new Map<number, Pending>();
  const waiting: Array<() => void> = []; // calls held back while MAX_CALLS_IN_FLIGHT are under way
  const listeners = new Map<ApiEventKind, Set<(payload: never) => void>>();
  let nextId = 1;
  let closed: ApiClientError | undefined;
  let serverError: ApiClientError | undefined;

  return new Promise((resolveOpen, rejectOpen) => {
    const transport: ClientTransport = {
      async call(method: ApiMethodName, arg: unknown) {
        while (!closed && pending.size >= MAX_CALLS_IN_FLIGHT) await new Promise<void>((go) => waiting.push(go));
        if (closed) throw closed;
        const id = nextId++;
        const text = JSON.stringify({ type: 'call', id, method, ...(arg === undefined ? {} : { arg }) });
        if (new TextEncoder().encode(text).length > MAX_MESSAGE_BYTES)
          throw new ApiClientError('InvalidInput', `The request for ${method} is too large to send.`);
        return new Promise((resolve, reject) => {
          pending.set(id, { resolve, reject });
          socket.send(text);
        });
      },
      subscribe<K extends ApiEventKind>(kind: K, listener: (payload: ApiEvents[K]) => void) {
        const set = listeners.get(kind) ?? new Set();
        listeners.set(kind, set);
        set.add(listener as (payload: never) => void);
        return () => void set.delete(listener as (payload: never) => void);
      },
    };

    socket.addEventListener('open', () => socket.send(JSON.stringify({ type: 'hello', api: API_VERSION })));
    socket.addEventListener('message', (event) => {
      let message: ServerMessage;
      try {
        message = JSON.parse(String(event.data)) as ServerMessage;
      } catch {
        return socket.close(1000, 'a message was not JSON'); // a page may close with 1000 or 3000–4999 only
      }
      switch (message.type) {
        case 'welcome':
          if (message.api === API_VERSION) return resolveOpen(transport);
          serverError = new ApiClientError(
            'Unsupported',
            `FileFerry speaks API version ${message.api} and this page ${API_VERSION}: reload the page.`,
          );
          return socket.close(1000, 'another API version');
        case 'result': {
          const call = pending.get(message.id);
          if (!call) return;
          pending.delete(message.id);
          waiting.shift()?.();
          if (message.ok) call.resolve(message.value);
          else call.reject(new ApiClientError(message.error.code, message.error.message, message.error.details));
          return;
        }
        case 'event':
          for (const listener of listeners.get(message.kind) ?? []) {
            try {
              listener(message.payload as never);
            } catch (error) {
              console.error(`A listener of ${message.kind} events failed`, error); // one bad listener spoils no other
            }
          }
          return;
        case 'error':
          serverError = new ApiClientError(message.error.code, message.error.message, message.error.details);
          return;
      }
    });
    socket.addEventListener('close', (event) => {
      closed =
        serverError ??
        new ApiClientError(
          'Network',
          `The connection to FileFerry closed (${event.code}${event.reason ? `: ${event.reason}` : ''}). ` +
            'If FileFerry still runs, reload the page; else start it again and open the address it prints.',
        );
      rejectOpen(closed);
      for (const call of pending.values()) call.reject(closed);
      pending.clear();
      for (const go of waiting.splice(0)) go();
    });
  });
}
