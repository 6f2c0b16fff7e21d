// The desktop app's transport: the preload's bridge on window (DesktopBridge), one function per method. IPC
// turns a rejection into a plain Error whose message carries the ApiError as JSON; it is unpacked here.
import { API_GLOBAL, type ApiEventKind, type ApiEvents, type DesktopBridge } from '../../../shared/api';
import { ApiClientError, type ClientTransport } from './transport';

/** The bridge, when the page runs in the desktop app. */
export function desktopBridge(): DesktopBridge | undefined {
  return (globalThis as unknown as Record<string, DesktopBridge | undefined>)[API_GLOBAL];
}

const ENCODED = /\{"code":.*\}$/s;

export function ipcTransport(bridge: DesktopBridge): ClientTransport {
  return {
    async call(method, arg) {
      const call = bridge[method] as (arg: unknown) => Promise<unknown>;
      try {
        return await call(arg);
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        const encoded = ENCODED.exec(text)?.[0];
        if (encoded) {
          const parsed = JSON.parse(encoded) as {
            code: string;
            message: string;
            details?: Record<string, string | number | boolean>;
          };
          throw new ApiClientError(parsed.code, parsed.message, parsed.details);
        }
        throw new ApiClientError('Internal', text);
      }
    },
    subscribe<K extends ApiEventKind>(kind: K, listener: (payload: ApiEvents[K]) => void) {
      return bridge.events[kind](listener);
    },
  };
}
