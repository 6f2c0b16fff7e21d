// The service layer's contract: what a transport (Electron IPC in main/electron, the WebSocket in main/server)
// needs of the API implementation, and nothing of either transport. A transport hands over a method name and
// an argument exactly as they arrived (unknown: the service validates them) and the caller's own event sink.
import type { ApiEventKind, ApiEvents } from '../../../shared/api';
import type { ApiError } from '../../../shared/api/wire';

/** Events for one caller only (the pages of the listings it started). */
export interface CallContext {
  emit<K extends ApiEventKind>(kind: K, payload: ApiEvents[K]): void;
  /**
   * Resolves once the caller has taken in most of what was sent to it, so a listing of 100,000 entries goes
   * at the pace of the window showing it instead of piling up in a buffer; rejects with Cancelled when the
   * caller has gone. Absent where the transport has no flow control to offer (Electron IPC).
   */
  drained?(): Promise<void>;
}

export type EventListener = <K extends ApiEventKind>(kind: K, payload: ApiEvents[K]) => void;

export interface ApiService {
  /**
   * Runs one method. Rejects with an ApiCallError (carrying the ApiError to send back) for anything that goes
   * wrong: an unknown method, an argument that fails validation (InvalidInput, nothing done), or the
   * operation's own failure (its FerryError code, naming the site and the full address).
   */
  call(method: string, arg: unknown, context: CallContext): Promise<unknown>;
  /** Events for every caller (transfers, connection status, settings). */
  on(listener: EventListener): () => void;
  /**
   * The bytes of one file dropped in web mode (transfers.upload gave the page its upload id): the web server
   * hands over the request body, and the promise settles once the queue has read it all (or failed).
   */
  upload(uploadId: string, index: number, body: AsyncIterable<Uint8Array>): Promise<void>;
  /** Stops what runs (listings, transfers are paused and saved) and closes every connection. */
  close(): Promise<void>;
}

/** A failed call, with what the transport sends back. */
export class ApiCallError extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
    this.name = 'ApiCallError';
  }
}
