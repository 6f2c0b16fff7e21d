// The bridge the preload exposes on window[API_GLOBAL], built from the API's lists so it can hold nothing
// else: one function per method (API_CHANNELS), one subscribe function per event kind (EVENT_CHANNELS),
// pathForFile and startDrag. The page never gets ipcRenderer, an IPC event object (its `sender` is
// ipcRenderer) or a way to name a channel. Electron comes in as a parameter, so the unit tests build the
// bridge on a fake ipcRenderer.
import {
  API_CHANNELS,
  API_EVENTS,
  API_METHODS,
  EVENT_CHANNELS,
  type ApiEventKind,
  type ApiEvents,
  type ApiLocation,
  type DesktopBridge,
} from '../shared/api';
import { DRAG_OUT_CHANNEL } from '../shared/api/desktop';

/** The ipcRenderer members the bridge uses. */
export interface BridgeIpc {
  invoke(channel: string, arg?: unknown): Promise<unknown>;
  send(channel: string, payload: unknown): void;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
}

export function createDesktopBridge(ipc: BridgeIpc, getPathForFile: (file: never) => string): DesktopBridge {
  const methods = Object.fromEntries(
    API_METHODS.map((method) => [method, (arg: unknown) => ipc.invoke(API_CHANNELS[method], arg)]),
  );
  const subscribe = <K extends ApiEventKind>(kind: K) => {
    return (listener: (payload: ApiEvents[K]) => void): (() => void) => {
      if (typeof listener !== 'function') throw new TypeError(`A ${kind} listener must be a function.`);
      const forward = (_event: unknown, payload: unknown) => listener(payload as ApiEvents[K]);
      ipc.on(EVENT_CHANNELS[kind], forward);
      return () => void ipc.removeListener(EVENT_CHANNELS[kind], forward);
    };
  };
  const events = Object.fromEntries(API_EVENTS.map((kind) => [kind, subscribe(kind)]));
  return {
    ...(methods as { [M in keyof typeof API_CHANNELS]: DesktopBridge[M] }),
    events: events as DesktopBridge['events'],
    pathForFile: (file: unknown) => getPathForFile(file as never),
    startDrag: (locations: ApiLocation[]) => ipc.send(DRAG_OUT_CHANNEL, locations),
  };
}
