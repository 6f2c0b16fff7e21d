// Opening the history for whoever runs the engine (the app, a command line): the store, this device, the
// retention setting applied, and the engine's HistoryOptions, in one call.
import type { Logger } from '../log/logger';
import { SettingsStore } from '../settings/store';
import { readDevice } from './device';
import type { HistoryOptions } from './recorder';
import { HistoryStore } from './store';

const DAY_MS = 86_400_000;

export interface OpenHistory {
  store: HistoryStore;
  /** For TransferEngineOptions.history. */
  options: HistoryOptions;
  /** Where a damaged history.db was moved (a fresh one took its place): tell the user. */
  setAside?: string;
  close(): void;
}

export async function openHistory(
  dataDir: string,
  appVersion: string,
  log: Logger,
  extra: Pick<HistoryOptions, 'savedName' | 'onError'> = {},
): Promise<OpenHistory> {
  const [{ store, setAside }, device, settings] = await Promise.all([
    HistoryStore.open(dataDir),
    readDevice(dataDir),
    new SettingsStore(dataDir, log).get(),
  ]);
  if (setAside) log.error('The transfer history could not be read; it was set aside', { setAside });
  applyRetention(store, settings.historyRetentionDays, log);
  return {
    store,
    options: { store, device, appVersion, ...extra },
    ...(setAside ? { setAside } : {}),
    close: () => store.close(),
  };
}

/** The historyRetentionDays setting: removes the records older than it (null: keeps every record). */
export function applyRetention(store: HistoryStore, days: number | null, log: Logger): number {
  if (days === null) return 0;
  const removed = store.prune(Date.now() - days * DAY_MS);
  if (removed > 0) log.info('History records past their retention removed', { removed, days });
  return removed;
}
