// How the renderer reaches the API: the preload's bridge in the desktop app. (Web mode will supply the same
// interface over WebSocket.) The renderer never knows which transport it has.
import { API_GLOBAL, type FileFerryApi } from '../../shared/api';

export function getApi(): FileFerryApi | undefined {
  return (globalThis as unknown as Record<string, FileFerryApi | undefined>)[API_GLOBAL];
}
