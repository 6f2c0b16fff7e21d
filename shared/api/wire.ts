// The API over one WebSocket (web mode): JSON messages, one per frame. The client says hello with its API
// version; the server answers welcome (or closes, when they differ), then answers each call by id and pushes
// events. IPC (the desktop app) carries the same calls and events on channels instead (API_CHANNELS).
import type { ErrorCode } from '../errors';
import type { ApiEventKind, ApiMethodName } from './index';

/** A failed call, as both transports carry it: the FerryError's code, its message and its details. */
export interface ApiError {
  code: ErrorCode | 'Internal';
  message: string;
  details?: Record<string, string | number | boolean>;
}

export type ClientMessage =
  { type: 'hello'; api: number } | { type: 'call'; id: number; method: ApiMethodName; arg?: unknown };

export type ServerMessage =
  | { type: 'welcome'; api: number }
  | { type: 'result'; id: number; ok: true; value?: unknown }
  | { type: 'result'; id: number; ok: false; error: ApiError }
  | { type: 'event'; kind: ApiEventKind; payload: unknown }
  /** Why the server is about to close the connection (another API version, a broken message). */
  | { type: 'error'; error: ApiError };

/** The largest message either side accepts; a larger one closes the connection (code 1009). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Calls one connection may have under way at once; more close it (a client that does not wait is broken). */
export const MAX_CALLS_IN_FLIGHT = 64;

/** The path of the WebSocket on the web server. */
export const WIRE_PATH = '/api';

/** Where the page PUTs the bytes of a file dropped in web mode: `${UPLOAD_PATH}/<uploadId>/<index>`. */
export const UPLOAD_PATH = '/uploads';
