// Replication status, kept in the history's meta table so that every process sees the same facts: the app's
// replicator writes them, `fileferry history remote show` (another process) reads them. The live state (is a
// cycle running right now) only the process replicating knows; it passes it in.
import { isFerryError } from '../../../../shared/errors';
import type { ReplicationState, ReplicationStatus } from '../../../../shared/history';
import type { HistoryStore } from '../store';

export const META = {
  lastSuccess: 'replication.lastSuccess',
  lastError: 'replication.lastError',
  /** The newest _ts (the account's seconds) of the other devices' documents merged here. */
  pulledThrough: 'replication.pulledThrough',
} as const;

type LastError = NonNullable<ReplicationStatus['lastError']>;

export function recordSuccess(store: HistoryStore, at = Date.now()): void {
  store.setMeta(META.lastSuccess, String(at));
}

export function recordFailure(store: HistoryStore, error: unknown, at = Date.now()): LastError {
  const lastError: LastError = {
    at,
    code: isFerryError(error) ? error.code : 'Internal',
    message: error instanceof Error ? error.message : String(error),
  };
  store.setMeta(META.lastError, JSON.stringify(lastError));
  return lastError;
}

/** Forgets what an account that is no longer connected did. */
export function clearReplicationMeta(store: HistoryStore): void {
  for (const key of Object.values(META)) store.setMeta(key, undefined);
}

/**
 * The status the UI and the command line show. `endpoint` undefined: no account is connected (state off).
 * `live`: what the replicator of this process is doing now, if one runs here.
 */
export function replicationStatus(
  store: HistoryStore,
  endpoint: string | undefined,
  live?: ReplicationState,
): ReplicationStatus {
  const pending = store.pendingCount();
  if (endpoint === undefined || store.meta('replicate') !== '1') return { state: 'off', pending };
  const lastSuccess = numberOrUndefined(store.meta(META.lastSuccess));
  const lastError = parseLastError(store.meta(META.lastError));
  const failing = lastError !== undefined && (lastSuccess === undefined || lastError.at > lastSuccess);
  const state: ReplicationState =
    live === 'pushing' ? 'pushing' : failing ? (isOffline(lastError.code) ? 'offline' : 'error') : 'idle';
  return {
    state,
    pending,
    endpoint,
    ...(lastSuccess !== undefined ? { lastSuccess } : {}),
    ...(failing ? { lastError } : {}),
  };
}

/** Failures that mean the account could not be reached, rather than that it refused. */
export function isOffline(code: string): boolean {
  return code === 'Network' || code === 'Timeout';
}

function numberOrUndefined(text: string | undefined): number | undefined {
  const value = Number(text);
  return text !== undefined && Number.isFinite(value) ? value : undefined;
}

function parseLastError(text: string | undefined): LastError | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<LastError>;
    return typeof value.at === 'number' && typeof value.code === 'string' && typeof value.message === 'string'
      ? { at: value.at, code: value.code, message: value.message }
      : undefined;
  } catch {
    return undefined;
  }
}
