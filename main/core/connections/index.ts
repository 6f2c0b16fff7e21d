// The process-wide connection store, opened lazily in the app's data folder (app-paths.ts). The Electron
// shell calls configureConnections() once, before first use, to hand over its safeStorage; the CLI and the
// server use the defaults.
import { dataDir } from '../app-paths';
import { openCredentialStore, type SafeStorageAdapter } from '../credentials';
import { ConnectionStore, type ResolvedConnection } from './store';

export { ConnectionStore, CONNECTIONS_FILE_NAME } from './store';
export { SECRET_FIELDS_BY_KIND, requiredSecretField } from './secret-fields';
export { writeFileAtomic } from './atomic-file';
export type { ChangeResult, ConnectionStoreOptions, ResolvedConnection, TestConnectionResult } from './store';

interface Defaults {
  dataDir?: string;
  safeStorage?: SafeStorageAdapter;
}

let defaults: Defaults = {};
let opened: Promise<ConnectionStore> | undefined;

/** Sets where the default store lives and how it may encrypt; takes effect for the next connectionStore(). */
export function configureConnections(options: Defaults): void {
  defaults = { ...options };
  opened = undefined;
}

/** The shared store (credential backend probed once per process). */
export function connectionStore(): Promise<ConnectionStore> {
  opened ??= (async () => {
    const folder = defaults.dataDir ?? dataDir();
    const credentials = await openCredentialStore({ dataDir: folder, safeStorage: defaults.safeStorage });
    return new ConnectionStore({ dataDir: folder, credentials });
  })();
  opened.catch(() => {
    opened = undefined;
  });
  return opened;
}

/** A saved connection's spec and secrets by id or name; NotFound when there is none. */
export async function resolveConnection(nameOrId: string): Promise<ResolvedConnection> {
  return (await connectionStore()).resolve(nameOrId);
}

/** Like resolveConnection, but undefined when there is no such connection (the CLI's NAME:path). */
export async function resolveSavedConnection(nameOrId: string): Promise<ResolvedConnection | undefined> {
  const store = await connectionStore();
  const found = await store.find(nameOrId);
  return found ? store.resolve(found.id) : undefined;
}
