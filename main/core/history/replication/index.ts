// Replication of the history to an Azure Cosmos DB account, for whoever runs it: the app (a background
// Replicator), the command line (`history remote …`, `history sync`, and a short push when a copy ends).
//
// Sign-in is by account key, or by Entra ID through the Azure connections' MSAL adapter (MsalTokenCredential);
// either way the secret (the key, or MSAL's token cache) is kept in the credential store (the OS keychain) under
// the account's own id. A person signs in only when connecting (`history remote set`, a device code on the
// command line); everything after that uses the cached token silently, and when a fresh sign-in is needed it
// fails at once with AuthFailed saying to sign in again — a background replicator never waits on a person.
// The SDK (@azure/cosmos) loads only when an account is used.
import { FerryError } from '../../../../shared/errors';
import type { ReplicationStatus } from '../../../../shared/history';
import { registerSecret } from '../../../../shared/redact';
import { secretNotKeptError, type CredentialStore } from '../../credentials';
import { createLogger, type Logger } from '../../log/logger';
import { MsalTokenCredential, type EntraInteraction } from '../../providers/azure-blob/msal-credential';
import type { Device } from '../device';
import type { HistoryStore } from '../store';
import { Replicator } from './replicator';
import {
  completeRemoteSettings,
  cosmosScope,
  entraAuthority,
  readRemoteSettings,
  sameEntraApp,
  removeRemoteSettings,
  writeRemoteSettings,
  type RemoteSettings,
  type RemoteSettingsInput,
} from './settings';
import { clearReplicationMeta, META, recordFailure, replicationStatus } from './status';

export { Replicator, type CycleResult, type ReplicatorOptions } from './replicator';
export {
  completeRemoteSettings,
  cosmosScope,
  readRemoteSettings,
  REMOTE_AUTHS,
  REMOTE_FILE,
  DEFAULT_CONTAINER,
  DEFAULT_DATABASE,
  type RemoteAuth,
  type RemoteSettings,
  type RemoteSettingsInput,
} from './settings';
export type { HistoryRemote } from './cosmos';

/** What every entry point here works on: one data folder's history and its device. */
export interface ReplicationContext {
  dataDir: string;
  store: HistoryStore;
  device: Device;
  /** Where the account key is kept (the connections' credential store). */
  credentials: CredentialStore;
  log?: Logger;
}

const KEY_FIELD = 'accountKey';
/** auth entra: MSAL's serialised token cache (accounts, refresh and access tokens), as for Azure connections. */
const TOKEN_CACHE_FIELD = 'tokenCache';

/**
 * How the person connecting proves access: the account key (auth key), or an Entra ID sign-in (auth entra)
 * through the `entra` interaction (the command line's device code), which runs now unless a cached sign-in of
 * the same application still serves; `signal` abandons it.
 */
export type RemoteAccess = string | { entra: EntraInteraction; signal?: AbortSignal };

/**
 * Connects this data folder to an account (or changes its settings): the key, or the token cache of an Entra ID
 * sign-in made now, goes to the credential store, the settings to history-remote.json, and replication turns
 * on with every record of this device already in the history queued, so what was recorded before the account
 * was connected uploads too. Returns how many. A sign-in that fails or is cancelled changes nothing.
 */
export async function connectRemote(
  context: ReplicationContext,
  input: RemoteSettingsInput,
  access: RemoteAccess,
): Promise<{ settings: RemoteSettings; queued: number }> {
  const previous = await readRemoteSettings(context.dataDir).catch(() => undefined);
  const auth = typeof access === 'string' ? 'key' : 'entra';
  if (input.auth !== undefined && input.auth !== auth) {
    throw new FerryError('InvalidInput', `auth ${input.auth} needs ${input.auth === 'key' ? 'a key' : 'a sign-in'}.`);
  }
  const settings = completeRemoteSettings({ ...input, auth }, previous);
  if (!context.credentials.persistent) {
    // A secret kept for this process only would leave the app (and the next command) unable to replicate.
    throw secretNotKeptError(
      context.credentials.reason ?? 'no keychain',
      auth === 'key' ? KEY_FIELD : TOKEN_CACHE_FIELD,
    );
  }
  if (typeof access === 'string') {
    await context.credentials.set(settings.secretId, KEY_FIELD, access);
    await context.credentials.delete(settings.secretId, TOKEN_CACHE_FIELD);
  } else {
    // Another application or tenant starts from an empty cache (its cached accounts are not this one's); the
    // old cache stays until the new sign-in replaces it, so a sign-in that fails changes nothing.
    const credential = entraCredential(context, settings, access.entra, !sameEntraApp(previous, settings));
    await credential.getToken(cosmosScope(settings.endpoint), access.signal ? { abortSignal: access.signal } : {});
    // MSAL's cache plugin only logs a failed save (a token in hand is still good); here it would leave every
    // later sync asking to sign in again, so say it now.
    if (!(await context.credentials.get(settings.secretId, TOKEN_CACHE_FIELD))) {
      throw new FerryError(
        'PermissionDenied',
        `You signed in, but the OS keychain (${context.credentials.backend}) did not keep the sign-in; see the log, ` +
          'check that the keychain is unlocked, and run fileferry history remote set again.',
      );
    }
    await context.credentials.delete(settings.secretId, KEY_FIELD);
  }
  if (previous && previous.secretId !== settings.secretId) await context.credentials.delete(previous.secretId);
  await writeRemoteSettings(context.dataDir, settings);
  const sameAccount =
    previous?.endpoint === settings.endpoint &&
    previous.database === settings.database &&
    previous.container === settings.container;
  // Another account: what was pulled from the old one says nothing about the new one. The same one: its last
  // error (a refused key, an expired sign-in) is what this connect just answered.
  if (!sameAccount) clearReplicationMeta(context.store);
  else context.store.setMeta(META.lastError, undefined);
  // The same account again (a new key): what it holds need not go up again.
  const replicating = sameAccount && context.store.meta('replicate') === '1';
  const queued = replicating ? 0 : context.store.startReplicating(context.device.id);
  return { settings, queued };
}

/**
 * Disconnects the account: replication off, its pending uploads forgotten, its key or token cache deleted.
 * false: none was set.
 */
export async function disconnectRemote(context: ReplicationContext): Promise<boolean> {
  const settings = await readRemoteSettings(context.dataDir).catch(() => undefined);
  context.store.stopReplicating();
  clearReplicationMeta(context.store);
  if (settings) await context.credentials.delete(settings.secretId);
  await removeRemoteSettings(context.dataDir);
  return settings !== undefined;
}

export interface OpenReplicatorOptions {
  /** The key when the credential store holds none (the command line's FILEFERRY_SECRET). */
  fallbackKey?: string;
  /** Another CA to trust for this run (FILEFERRY_CA_FILE), besides the one kept in the settings. */
  extraCaPem?: string;
  /**
   * auth entra: how a person may sign in when the cached sign-in no longer serves (the command line's `history
   * sync` on a terminal: a device code), and MSAL's HTTP client. Without a sign-in method in it — the app's
   * background replicator, a copy's push, a command without a terminal — a needed sign-in is never started:
   * it fails at once with AuthFailed saying to run `fileferry history remote set` again.
   */
  entra?: EntraInteraction;
  replicator?: Omit<Partial<ReplicatorOptions>, 'store' | 'deviceId' | 'remote'>;
}

type ReplicatorOptions = ConstructorParameters<typeof Replicator>[0];

/**
 * A Replicator for the connected account, or undefined when none is. Throws AuthFailed when no key is found,
 * or (auth entra) when no sign-in is cached and options.entra offers no way to sign in: that failure is also
 * recorded, so the status of every process says 'error' with it. A cached sign-in that has expired fails the
 * replicator's cycles the same way (status 'error'); its background loop keeps retrying silently and recovers
 * once the person has signed in again from the command line.
 */
export async function openReplicator(
  context: ReplicationContext,
  options: OpenReplicatorOptions = {},
): Promise<Replicator | undefined> {
  const settings = await readRemoteSettings(context.dataDir);
  if (!settings) return undefined;
  const log = context.log ?? createLogger({ component: 'history-replication' });
  if (settings.auth === 'entra') {
    const canSignIn = Boolean(options.entra?.onDeviceCode ?? options.entra?.openBrowser);
    if (!canSignIn && !(await context.credentials.get(settings.secretId, TOKEN_CACHE_FIELD))) {
      const error = signInAgain(settings);
      recordFailure(context.store, error);
      throw error;
    }
    const { openCosmosRemote } = await import('./cosmos');
    const credential = entraCredential(context, settings, options.entra);
    return new Replicator({
      ...options.replicator,
      store: context.store,
      deviceId: context.device.id,
      remote: openCosmosRemote(settings, { credential }, options.extraCaPem),
      log,
    });
  }
  const key = (await context.credentials.get(settings.secretId, KEY_FIELD)) ?? options.fallbackKey;
  if (!key) {
    throw new FerryError(
      'AuthFailed',
      `No key for the history account ${settings.endpoint} is in the OS keychain (it was not running or is locked, ` +
        'or the data folder was copied from another machine). Run fileferry history remote set again, or set ' +
        'FILEFERRY_SECRET for this command.',
    );
  }
  registerSecret(key);
  const { openCosmosRemote } = await import('./cosmos');
  return new Replicator({
    ...options.replicator,
    store: context.store,
    deviceId: context.device.id,
    remote: openCosmosRemote(settings, { key }, options.extraCaPem),
    log,
  });
}

/**
 * The Azure connections' MSAL adapter for this account: its token cache under the account's own id in the
 * credential store; a sign-in only through `interaction`'s method, else signInAgain at once.
 */
function entraCredential(
  context: ReplicationContext,
  settings: RemoteSettings,
  interaction: EntraInteraction | undefined,
  ignoreStoredCache = false,
): MsalTokenCredential {
  const { credentials } = context;
  let ignoreStored = ignoreStoredCache;
  return new MsalTokenCredential({
    clientId: settings.clientId!,
    authority: entraAuthority(settings),
    // A custom authority (a sovereign cloud, a test's stub) is trusted as given, without instance discovery.
    ...(settings.authority ? { knownAuthorities: [new URL(settings.authority).host] } : {}),
    ...(interaction ? { interaction } : {}),
    loadCache: async () => (ignoreStored ? undefined : credentials.get(settings.secretId, TOKEN_CACHE_FIELD)),
    saveCache: async (serialized) => {
      await credentials.set(settings.secretId, TOKEN_CACHE_FIELD, serialized);
      ignoreStored = false;
    },
    signInUnavailable: () => signInAgain(settings),
    log: context.log ?? createLogger({ component: 'history-replication' }),
  });
}

/** The failure when the Entra ID sign-in must be made again (details.signInRequired: for a UI to offer it). */
export function signInAgain(settings: RemoteSettings): FerryError {
  const command =
    `fileferry history remote set --endpoint ${settings.endpoint} --auth entra --tenant ${settings.tenantId ?? ''} ` +
    `--client-id ${settings.clientId ?? ''}${settings.authority ? ` --authority ${settings.authority}` : ''}`;
  return new FerryError(
    'AuthFailed',
    `The Entra ID sign-in for the history account ${settings.endpoint} is missing or has expired, and signing in ` +
      `needs you at a terminal. Run \`${command}\` again to sign in.`,
    { details: { signInRequired: true } },
  );
}

/** The status to show, from any process (a replicator running in this one passes its own, live). */
export async function readReplicationStatus(
  context: Pick<ReplicationContext, 'dataDir' | 'store'>,
): Promise<ReplicationStatus> {
  const settings = await readRemoteSettings(context.dataDir).catch(() => undefined);
  return replicationStatus(context.store, settings?.endpoint);
}

/**
 * For the end of a command-line copy: pushes this run's records (and anything else pending) for at most
 * `timeoutMs`, leaving the rest in the outbox for the next run or the app. Does nothing (and loads no SDK)
 * when no account is connected or nothing is pending; never throws — a push that fails is in the result and
 * in the status, and must never change a copy's outcome.
 */
export async function pushAfterRun(
  history: { store: HistoryStore; device: Device },
  options: { dataDir: string; timeoutMs?: number; credentials?: CredentialStore; extraCaPem?: string; log?: Logger },
): Promise<{ pushed: number; pending: number; error?: Error } | undefined> {
  const log = options.log ?? createLogger({ component: 'history-replication' });
  let replicator: Replicator | undefined;
  try {
    if (history.store.pendingCount() === 0 || !(await readRemoteSettings(options.dataDir))) return undefined;
    const credentials =
      options.credentials ?? (await (await import('../../connections')).connectionStore()).credentials;
    replicator = await openReplicator(
      { dataDir: options.dataDir, store: history.store, device: history.device, credentials, log },
      options.extraCaPem ? { extraCaPem: options.extraCaPem } : {},
    );
    if (!replicator) return undefined;
    const result = await replicator.pushFor(options.timeoutMs ?? 5000);
    log.info('History pushed after the run', { pushed: result.pushed, pending: result.pending, error: result.error });
    return result;
  } catch (error) {
    log.warn('History not pushed after the run', { error });
    return { pushed: 0, pending: history.store.pendingCount(), error: error as Error };
  } finally {
    await replicator?.close();
  }
}
