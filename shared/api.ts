// The API the renderer sees, typed once here so the preload bridge and the renderer agree. Each method is one
// IPC channel (see API_CHANNELS); the preload exposes exactly these and nothing else. A placeholder for now:
// the transfer, connection and browsing services join it as the desktop UI grows.

/** Bumped whenever a method's shape changes, so a renderer can tell it talks to an older main process. */
export const API_VERSION = 1;

export interface VersionInfo {
  /** The application's version (package.json). */
  app: string;
  /** API_VERSION of the main process answering. */
  api: number;
}

export interface FileFerryApi {
  version(): Promise<VersionInfo>;
}

/** IPC channel per API method; `satisfies` makes the compiler reject a method without a channel. */
export const API_CHANNELS = {
  version: 'ferry:version',
} as const satisfies Record<keyof FileFerryApi, string>;

/** Name under which the preload exposes the API on `window`. */
export const API_GLOBAL = 'fileferry';
