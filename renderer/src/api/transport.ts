// What the API client needs of a transport: the preload's bridge in the desktop app (ipc-transport.ts), a
// WebSocket in web mode (ws-transport.ts). The client (client.ts) never knows which one it has.
import type { ApiEventKind, ApiEvents, ApiMethodName } from '../../../shared/api';

export interface ClientTransport {
  /** Calls a method; rejects with an ApiClientError for a failed call. */
  call(method: ApiMethodName, arg: unknown): Promise<unknown>;
  subscribe<K extends ApiEventKind>(kind: K, listener: (payload: ApiEvents[K]) => void): () => void;
}

/** A failed call as the renderer sees it: the code to act on (AuthFailed, NotFound…) and a message for people. */
export class ApiClientError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, string | number | boolean> = {},
  ) {
    super(message);
    this.name = 'ApiClientError';
  }
}
