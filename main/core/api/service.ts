// The service layer: the API (shared/api) implemented over main/core — the TransferEngine, the providers, the
// saved connections and the settings — for any transport. Every argument is validated (schemas.ts) before a
// handler sees it; every failure leaves as an ApiError with the FerryError's code and a message for people.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ZodError } from 'zod';
import {
  API_VERSION,
  isApiMethod,
  type ApiArg,
  type ApiEventKind,
  type ApiEvents,
  type ApiMethodName,
  type ApiResult,
  type AppInfo,
  type ConnectionStatus,
} from '../../../shared/api';
import type { ApiError } from '../../../shared/api/wire';
import type { ConnectionRef, ConnectionSpec } from '../../../shared/connection';
import { cancelledError, FerryError, isFerryError } from '../../../shared/errors';
import type { CancelSignal, Provider } from '../../../shared/provider';
import type { ConnectionStore } from '../connections';
import { applyRetention, openHistory } from '../history';
import { openReplicator, readReplicationStatus, type Replicator } from '../history/replication';
import { createLogger, type Logger } from '../log/logger';
import { openProvider } from '../providers';
import { SettingsStore } from '../settings/store';
import { TransferEngine, connectionKey } from '../transfers';
import { raceAbort } from '../util/abort';
import { Browser } from './browse';
import { HistoryApi } from './history';
import { SummariesApi } from './summaries';
import { AddressResolver } from './addresses';
import { ConnectionsApi } from './connections';
import { SignIns } from './sign-ins';
import { Uploads } from './uploads';
import { ARG_SCHEMAS } from './schemas';
import { ApiCallError, type ApiService, type CallContext, type EventListener } from './types';

export interface ApiServiceOptions {
  /** The data folder: the queue, settings.json, connections.json. */
  dataDir: string;
  /** The application's version (package.json). */
  version: string;
  shell: AppInfo['shell'];
  connections: ConnectionStore;
  log?: Logger;
}

type Handler<M extends ApiMethodName> = (arg: ApiArg<M>, context: CallContext) => Promise<ApiResult<M>> | ApiResult<M>;

/** Providers the panes browse with, one per connection (the queue's transfers open their own). */
class BrowseProviders {
  private readonly open = new Map<string, Promise<{ provider: Provider; spec: ConnectionSpec }>>();
  /** Opens that have not settled yet: closeAll does not wait for them (a connect may hang for its timeout). */
  private readonly opening = new Set<Promise<unknown>>();
  /** Aborted by closeAll: stops the opens under way where the provider takes a signal. */
  private readonly closing = new AbortController();

  constructor(
    private readonly opener: (
      ref: ConnectionRef,
      signal?: CancelSignal,
    ) => Promise<{ provider: Provider; spec: ConnectionSpec }>,
    /** Each connection's state as it is opened, for the panes (connecting…, the reason it failed). */
    private readonly status: (status: ConnectionStatus) => void,
  ) {}

  get(ref: ConnectionRef, signal?: AbortSignal): Promise<{ provider: Provider; spec: ConnectionSpec }> {
    const key = connectionKey(ref);
    let opening = this.open.get(key);
    if (!opening) {
      this.status({ key, state: 'connecting' });
      opening = this.opener(ref, this.closing.signal);
      this.open.set(key, opening);
      const pending = opening;
      this.opening.add(pending);
      pending.then(
        () => this.opening.delete(pending),
        () => this.opening.delete(pending),
      );
      opening.then(
        () => this.status({ key, state: 'connected' }),
        (error: unknown) => {
          this.open.delete(key);
          const failure = isFerryError(error) ? error.toJSON() : { code: 'Protocol' as const, message: String(error) };
          this.status({ key, state: 'failed', error: failure });
        },
      );
    }
    return raceAbort(opening, signal);
  }

  /** Forgets a connection's provider (its settings changed, or it was removed) and closes it. */
  async drop(ref: ConnectionRef): Promise<void> {
    const key = connectionKey(ref);
    const opening = this.open.get(key);
    this.open.delete(key);
    await opening?.then(({ provider }) => provider.close()).catch(() => undefined);
    if (opening) this.status({ key, state: 'closed' });
  }

  /**
   * Closes every provider. One still opening is not waited for (the app would take a connect timeout to quit,
   * 30 s for a host that does not answer): its open is aborted where it can be, and closed once it settles.
   */
  async closeAll(): Promise<void> {
    this.closing.abort(cancelledError('Opening the connection'));
    const all = [...this.open.values()];
    this.open.clear();
    const close = (opening: Promise<{ provider: Provider }>) =>
      opening.then(({ provider }) => provider.close()).catch(() => undefined);
    for (const opening of all) if (this.opening.has(opening)) void close(opening);
    await Promise.all(all.filter((opening) => !this.opening.has(opening)).map(close));
  }
}

export async function createApiService(options: ApiServiceOptions): Promise<ApiService> {
  const log = options.log ?? createLogger({ component: 'api' });
  const listeners = new Set<EventListener>();
  const broadcast = <K extends ApiEventKind>(kind: K, payload: ApiEvents[K]) => {
    for (const listener of listeners) {
      try {
        listener(kind, payload);
      } catch (error) {
        log.error('An API event listener threw', { error });
      }
    }
  };

  const store = options.connections;
  const settings = new SettingsStore(options.dataDir, log);
  settings.on((value) => broadcast('settings', value));
  const addresses = new AddressResolver(store);
  const uploads = new Uploads();
  /** Upload jobs by job id, so their source goes when they end. */
  const uploadJobs = new Map<string, string>();
  // Entra ID connections sign in through the window: a device code shown by every renderer ('signin' events).
  const signIns = new SignIns((event) => broadcast('signin', event));
  // Certificates trusted for this session (connections.trust) are added when a saved connection opens.
  const connections: ConnectionsApi = new ConnectionsApi(
    store,
    (id) => browseProviders.drop({ savedId: id }),
    (connection) => signIns.openOptions(connection),
  );
  const openRef = async (
    ref: ConnectionRef,
    signal?: CancelSignal,
  ): Promise<{ provider: Provider; spec: ConnectionSpec }> => {
    if ('savedId' in ref) {
      const upload = uploads.sourceFor(ref.savedId);
      if (upload) {
        connectionNames.set(ref.savedId, 'dropped files');
        return { provider: upload, spec: { kind: 'local' } };
      }
      const saved = await store.get(ref.savedId);
      connectionNames.set(saved.id, saved.name);
      const adjustSpec = (spec: ConnectionSpec) => connections.withSessionPins(saved.id, spec);
      return {
        provider: await store.open(saved.id, { adjustSpec, ...signIns.openOptions(saved) }),
        spec: saved.spec,
      };
    }
    const typed = addresses.secretsFor(ref.secretsKey);
    return {
      provider: await openProvider(ref.spec, { secrets: async (field) => typed[field], ...(signal ? { signal } : {}) }),
      spec: ref.spec,
    };
  };
  const browseProviders = new BrowseProviders(openRef, (status) => broadcast('connection', status));
  const browser = new Browser({ open: (ref, signal) => browseProviders.get(ref, signal) });

  const initial = await settings.get();
  // Saved connections by name in the history's records: the engine opens each before its first file starts.
  const connectionNames = new Map<string, string>();
  // The history never keeps the app from starting: without it, transfers still run (and the log says why).
  const history = await openHistory(options.dataDir, options.version, log.child({ component: 'history' }), {
    savedName: (id) => connectionNames.get(id),
  }).catch((error: unknown) => {
    log.error('The transfer history could not be opened; transfers are not recorded', { error });
    return undefined;
  });
  const engine = await TransferEngine.open({
    dataDir: options.dataDir,
    openConnection: async (ref, signal) => (await openRef(ref, signal)).provider,
    ...(initial.perSiteConcurrency ? { perSiteConcurrency: initial.perSiteConcurrency } : {}),
    ...(history ? { history: history.options } : {}),
    log: log.child({ component: 'transfers' }),
  }).catch((error: unknown) => {
    history?.close();
    throw error;
  });
  settings.on((value) => engine.setPerSiteConcurrency(value.perSiteConcurrency ?? undefined));
  // A shorter retention applies at once, not at the next start.
  settings.on((value) => {
    if (history) applyRetention(history.store, value.historyRetentionDays, log);
  });
  engine.on((event) => {
    broadcast('transfer', event);
    if (event.type === 'job' && ['completed', 'failed', 'cancelled'].includes(event.job.state)) {
      // The job's records are written (the recorder flushes as a job ends): time to upload them.
      void ensureReplicator().then((running) => running?.nudge());
      const upload = uploadJobs.get(event.job.id);
      if (upload) {
        uploadJobs.delete(event.job.id);
        uploads.finished(upload);
      }
    }
  });

  let closed = false;
  // Replication to the person's Cosmos DB account, in the background while the app runs. An account connected
  // later (by `fileferry history remote set`, another process) is picked up at the next job's end or status.
  let replicator: Replicator | undefined;
  let replicatorFailure: string | undefined;
  const ensureReplicator = async (): Promise<Replicator | undefined> => {
    if (replicator || !history || closed) return replicator;
    try {
      const opened = await openReplicator({
        dataDir: options.dataDir,
        store: history.store,
        device: history.options.device,
        credentials: store.credentials,
        log: log.child({ component: 'history-replication' }),
      });
      if (opened && closed) await opened.close();
      else if (opened) {
        replicator = opened;
        replicator.start();
      }
      replicatorFailure = undefined;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== replicatorFailure) log.warn('History replication could not start', { error });
      replicatorFailure = message;
    }
    return replicator;
  };
  void ensureReplicator();
  const downloads = join(homedir(), 'Downloads');
  const historyApi = new HistoryApi(history, downloads, async (opened) => {
    const running = await ensureReplicator();
    if (running) return running.status();
    const status = await readReplicationStatus({ dataDir: options.dataDir, store: opened.store });
    // An account is connected but replication could not start here (no key in the keychain): say why.
    return status.state !== 'off' && replicatorFailure
      ? { ...status, state: 'error', lastError: { at: Date.now(), code: 'AuthFailed', message: replicatorFailure } }
      : status;
  });

  const summaries = new SummariesApi({
    dataDir: options.dataDir,
    settings,
    credentials: store.credentials,
    open: (ref, signal) => browseProviders.get(ref, signal),
    savedName: (id) => connectionNames.get(id),
    entra: signIns.forSummaries(),
    log: log.child({ component: 'summaries' }),
  });

  const handlers: { [M in ApiMethodName]: Handler<M> } = {
    'app.info': async () => ({
      version: options.version,
      api: API_VERSION,
      platform: process.platform,
      shell: options.shell,
      paths: { home: homedir(), data: options.dataDir, downloads },
      capabilities: {
        dragOut: options.shell === 'desktop',
        dropIn: true,
        secrets: { store: store.credentials.backend, persistent: store.credentials.persistent },
      },
    }),
    'connections.list': () => connections.list(),
    'connections.get': ({ id }) => connections.get(id),
    'connections.add': ({ draft, secrets }) => connections.add(draft, secrets ?? {}),
    'connections.update': ({ id, changes, secrets }) => connections.update(id, changes, secrets ?? {}),
    'connections.duplicate': ({ id, name }) => connections.duplicate(id, name),
    'connections.remove': ({ id }) => connections.remove(id),
    'connections.test': ({ id }) => connections.test(id),
    'connections.importSources': () => connections.importSources(),
    'connections.importPreview': ({ path }) => connections.importPreview(path),
    'connections.importApply': ({ path, keys }) => connections.importApply(path, keys),
    'connections.export': () => connections.export(),
    'connections.trust': ({ id, fingerprint, always }) => connections.trust(id, fingerprint, always),
    'connections.resolveAddress': ({ address, password }) => addresses.resolve(address, password),
    'connections.cancelSignIn': ({ signInId }) => signIns.cancel(signInId),
    'browse.list': (arg, context) => browser.list(arg, context),
    'browse.cancel': (arg) => browser.cancel(arg),
    'browse.stat': (arg) => browser.stat(arg),
    'browse.mkdir': (arg) => browser.mkdir(arg),
    'browse.rename': (arg) => browser.rename(arg),
    'browse.remove': (arg) => browser.remove(arg),
    'browse.setStorageClass': (arg) => browser.setStorageClass(arg),
    'transfers.add': (request) => engine.add(request),
    'transfers.list': () => engine.list(),
    'transfers.upload': ({ target, files }) => {
      const uploadId = uploads.create(files);
      const job = engine.add({
        source: { connection: { savedId: `upload:${uploadId}` }, path: '/' },
        target,
        recursive: true,
        overwrite: 'rename',
      });
      uploadJobs.set(job.id, uploadId);
      return { uploadId, job };
    },
    'transfers.files': ({ jobId, after, limit }) =>
      engine.files(jobId, after ?? -1, limit ?? 500).map((file) => ({
        seq: file.seq,
        path: file.source,
        target: file.target,
        state: file.state,
        bytesDone: file.bytesDone,
        ...(file.size !== undefined ? { size: file.size } : {}),
        ...(file.error ? { error: file.error } : {}),
        ...(file.note ? { note: file.note } : {}),
      })),
    'transfers.pause': ({ jobId }) => engine.pause(jobId),
    'transfers.resume': ({ jobId }) => engine.resume(jobId),
    'transfers.cancel': ({ jobId }) => engine.cancel(jobId),
    'transfers.retry': ({ jobId }) => {
      if (engine.get(jobId)?.state !== 'failed')
        throw new FerryError('InvalidInput', 'Only a failed transfer can be retried.');
      engine.resume(jobId);
    },
    'transfers.clearFinished': () => engine.clearFinished(),
    'transfers.answer': ({ askId, answer, applyToAll }) => engine.answer(askId, answer, applyToAll === true),
    'history.query': (query) => historyApi.query(query),
    'history.count': (filter) => historyApi.count(filter),
    'history.status': () => historyApi.status(),
    'history.export': ({ filter, format }) => historyApi.export(filter, format),
    'summaries.summarize': (arg, context) => summaries.summarize(arg, context),
    'summaries.cancel': (arg) => summaries.cancel(arg),
    'summaries.status': () => summaries.status(),
    'summaries.setAzureOpenAIKey': (arg) => summaries.setAzureOpenAIKey(arg),
    'summaries.forgetConsents': () => summaries.forgetConsents(),
    'settings.get': () => settings.get(),
    'settings.set': (patch) => settings.set(patch),
  };

  return {
    async call(method, arg, context) {
      if (!isApiMethod(method))
        throw new ApiCallError({
          code: 'InvalidInput',
          message: `There is no method "${String(method).slice(0, 100)}".`,
        });
      if (closed) throw new ApiCallError({ code: 'Cancelled', message: 'FileFerry is closing.' });
      const parsed = ARG_SCHEMAS[method].safeParse(arg);
      if (!parsed.success) throw new ApiCallError(invalidArgument(method, parsed.error));
      try {
        const handler = handlers[method] as Handler<ApiMethodName>;
        return await handler(parsed.data as never, context);
      } catch (error) {
        throw new ApiCallError(toApiError(error, log, method));
      }
    },
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    upload(uploadId, index, body) {
      return uploads.receive(uploadId, index, body);
    },
    async close() {
      if (closed) return;
      closed = true;
      browser.cancelAll();
      signIns.cancelAll();
      await summaries.close();
      await engine.close();
      await replicator?.close();
      history?.close();
      await browseProviders.closeAll();
    },
  };
}

function invalidArgument(method: string, error: ZodError): ApiError {
  const issues = error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || 'argument'}: ${issue.message}`)
    .join('; ');
  return { code: 'InvalidInput', message: `The request for ${method} is not valid: ${issues}` };
}

/** A failure as the transports send it: FerryErrors as they are; anything else logged and summarised. */
export function toApiError(error: unknown, log: Logger, method: string): ApiError {
  if (error instanceof ApiCallError) return error.error;
  if (isFerryError(error)) {
    const json = error.toJSON();
    return { code: json.code, message: json.message, ...(json.details ? { details: json.details } : {}) };
  }
  log.error('An API method failed unexpectedly', { method, error, stack: (error as Error)?.stack });
  return {
    code: 'Internal',
    message: `FileFerry could not complete ${method} because of an internal error; the log has the details.`,
  };
}
