// The renderer's entry to the API: the preload's bridge in the desktop app, else (web mode) a WebSocket to the
// server that served this page. Everything else in the renderer sees only FileFerryApi.
import { WIRE_PATH } from '../../../shared/api/wire';
import type { FileFerryApi } from '../../../shared/api';
import { createApiClient } from './client';
import { desktopBridge, ipcTransport } from './ipc-transport';
import { connectWebSocket } from './ws-transport';

export { ApiClientError } from './transport';

let connecting: Promise<FileFerryApi> | undefined;

/** The API client, connected once per page (React's StrictMode mounts twice in development). */
export function connectApi(): Promise<FileFerryApi> {
  connecting ??= (async () => {
    const bridge = desktopBridge();
    if (bridge) return createApiClient(ipcTransport(bridge));
    // The cookie set when the printed address was opened admits the socket; the URL carries no token.
    const socket = new WebSocket(`${location.origin.replace(/^http/, 'ws')}${WIRE_PATH}`);
    return createApiClient(await connectWebSocket(socket));
  })();
  return connecting;
}
