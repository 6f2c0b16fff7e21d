// The IPC adapter: the service layer (main/core/api) carried over Electron IPC. One ipcMain.handle per entry of
// API_CHANNELS and nothing else, so a channel outside the API has no handler at all; each call's sender frame
// is checked first; the service validates the argument. A failure reaches the renderer as an Error whose
// message ends with the ApiError as JSON (Electron passes only a rejected handler's message across, prefixed
// with "Error invoking remote method …"); renderer/src/api/ipc-transport.ts unpacks it.
import { API_CHANNELS, API_METHODS, EVENT_CHANNELS, type ApiEventKind, type ApiEvents } from '../../shared/api';
import type { ApiError } from '../../shared/api/wire';
import { toApiError } from '../core/api/service';
import type { ApiService, CallContext } from '../core/api/types';
import type { Logger } from '../core/log/logger';
import { isTrustedSender, type SenderEvent, type TrustedSenders } from './sender';

/** Where events go: a webContents (its send() delivers to its page's preload). */
export interface EventTarget {
  isDestroyed(): boolean;
  send(channel: string, payload: unknown): void;
}

export interface InvokeEvent extends SenderEvent {
  sender: EventTarget & { id: number };
}

/** The ipcMain members the adapter uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEvent, arg: unknown) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface ApiHandlersOptions {
  ipcMain: IpcMainLike;
  service: Pick<ApiService, 'call'>;
  trusted: TrustedSenders;
  log: Logger;
}

/** An ApiError as IPC carries it: an Error whose message is the error's JSON (code first, as the client expects). */
export function ipcError(error: ApiError): Error {
  const encoded: ApiError = { code: error.code, message: error.message };
  if (error.details) encoded.details = error.details;
  return new Error(JSON.stringify(encoded));
}

export const REFUSED_SENDER: ApiError = {
  code: 'PermissionDenied',
  message: 'FileFerry answers only its own window: this call came from another page or frame and was refused.',
};

/** Registers one handler per API method; returns a function that removes them all. */
export function registerApiHandlers(options: ApiHandlersOptions): () => void {
  const { ipcMain, service, trusted, log } = options;
  for (const method of API_METHODS) {
    ipcMain.handle(API_CHANNELS[method], async (event, arg) => {
      if (!isTrustedSender(event, trusted)) {
        log.warn('Refused an API call from a foreign sender', {
          method,
          frame: event.senderFrame?.url.slice(0, 200) ?? '(gone)',
        });
        throw ipcError(REFUSED_SENDER);
      }
      const context: CallContext = { emit: (kind, payload) => sendEvent(event.sender, kind, payload) };
      try {
        return await service.call(method, arg, context);
      } catch (error) {
        throw ipcError(toApiError(error, log, method));
      }
    });
  }
  return () => {
    for (const method of API_METHODS) ipcMain.removeHandler(API_CHANNELS[method]);
  };
}

/** Sends the service's broadcast events (transfers, connection status, settings) to every window. */
export function broadcastEvents(service: Pick<ApiService, 'on'>, targets: () => Iterable<EventTarget>): () => void {
  return service.on((kind, payload) => {
    for (const target of targets()) sendEvent(target, kind, payload);
  });
}

function sendEvent<K extends ApiEventKind>(target: EventTarget, kind: K, payload: ApiEvents[K]): void {
  if (!target.isDestroyed()) target.send(EVENT_CHANNELS[kind], payload);
}
