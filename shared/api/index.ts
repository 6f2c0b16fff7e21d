// The API between the renderer and the main process, defined once. Every method is a name ("service.method")
// with one JSON argument and one JSON result; every event a kind with one JSON payload. The desktop app carries
// them over Electron IPC (one channel per method, API_CHANNELS), web mode over one WebSocket (shared/api/wire.ts);
// the renderer's client (renderer/src/api) presents them as `api.transfers.add(request)` and never knows which.
// The main process validates every argument (main/core/api/schemas.ts) before anything happens.
import type { ConnectionDraftInput, ConnectionTestResult, SecretValues } from '../connections';
import type {
  HistoryExported,
  HistoryExportFormat,
  HistoryFilter,
  HistoryPage,
  HistoryQuery,
  HistoryStatus,
} from '../history';
import type { Entry } from '../provider';
import type { SummaryDelta, SummaryOutcome, SummaryStatus } from '../summaries';
import type { FileChange, JobSnapshot, OverwriteAnswer, TransferEvent, TransferRequest } from '../transfers';
import type {
  ApiLocation,
  AppInfo,
  ConnectionSaved,
  ConnectionStatus,
  ConnectionSummary,
  ImportApplied,
  ImportPreview,
  ImportSource,
  ListingPage,
  ResolvedAddress,
  Settings,
  SettingsPatch,
  SignInEvent,
  UploadFile,
} from './dto';

export * from './dto';

/** Bumped whenever a method's or an event's shape changes; the client refuses a main process of another. */
export const API_VERSION = 4;

/** One method: what it takes and what it resolves to. */
interface Method<A, R> {
  arg: A;
  result: R;
}

/** A file of a job, as a job's view lists it. */
export interface JobFile extends FileChange {
  seq: number;
  target: string;
  size?: number;
  bytesDone: number;
}

export interface ApiMethods {
  'app.info': Method<void, AppInfo>;

  'connections.list': Method<void, ConnectionSummary[]>;
  'connections.get': Method<{ id: string }, ConnectionSummary>;
  'connections.add': Method<{ draft: ConnectionDraftInput; secrets?: SecretValues }, ConnectionSaved>;
  'connections.update': Method<
    { id: string; changes: Partial<ConnectionDraftInput>; secrets?: SecretValues },
    ConnectionSaved
  >;
  'connections.duplicate': Method<{ id: string; name?: string }, ConnectionSaved>;
  'connections.remove': Method<{ id: string }, void>;
  'connections.test': Method<{ id: string }, ConnectionTestResult>;
  /** Import files found on this machine (FileZilla's site manager, rclone.conf, ~/.aws/config). */
  'connections.importSources': Method<void, ImportSource[]>;
  'connections.importPreview': Method<{ path: string }, ImportPreview>;
  'connections.importApply': Method<{ path: string; keys: string[] }, ImportApplied>;
  /** Every connection without secrets, as a FileFerry export (JSON text). */
  'connections.export': Method<void, { json: string }>;
  /**
   * The FTPS certificate question: trust `fingerprint` for connection `id`, always (pinned in the connection)
   * or for this session only.
   */
  'connections.trust': Method<{ id: string; fingerprint: string; always: boolean }, ConnectionSummary>;

  /**
   * What an address typed into a pane's address bar names: a local path, NAME:path (a saved connection),
   * ftp://, ftps://, s3:// or az://. A user name that needs a password answers needsPassword; asked again with
   * the password, it is kept for this session only (never in the address, never on disk).
   */
  'connections.resolveAddress': Method<{ address: string; password?: string }, ResolvedAddress>;
  /**
   * Abandons an Entra ID sign-in that waits for the person (its 'signin' prompt event named it): what waited
   * for it fails with Cancelled, its last event says so, and nothing is saved. One that has ended already is
   * left as it is (its end and a click on Cancel may cross).
   */
  'connections.cancelSignIn': Method<{ signInId: string }, void>;

  /** Lists a folder; its pages arrive as 'listing' events with `listingId`; resolves with the count at the end. */
  'browse.list': Method<{ listingId: string; location: ApiLocation }, { count: number }>;
  /** Stops a listing (navigating away): its last event says 'cancelled'. */
  'browse.cancel': Method<{ listingId: string }, void>;
  'browse.stat': Method<{ location: ApiLocation }, Entry>;
  'browse.mkdir': Method<{ location: ApiLocation }, void>;
  'browse.rename': Method<{ location: ApiLocation; to: string }, void>;
  'browse.remove': Method<{ location: ApiLocation; recursive?: boolean }, void>;
  /** Changes a file's S3 storage class or Azure access tier in place (from Archive: starts rehydration). */
  'browse.setStorageClass': Method<{ location: ApiLocation; storageClass: string }, Entry>;

  'transfers.add': Method<TransferRequest, JobSnapshot>;
  'transfers.list': Method<void, JobSnapshot[]>;
  /**
   * Files dropped into a pane from outside the page in web mode, where the browser holds their bytes: queues
   * one job for them and returns where to PUT each file's bytes (uploads/<uploadId>/<index>, same origin).
   */
  'transfers.upload': Method<{ target: ApiLocation; files: UploadFile[] }, { uploadId: string; job: JobSnapshot }>;
  'transfers.files': Method<{ jobId: string; after?: number; limit?: number }, JobFile[]>;
  'transfers.pause': Method<{ jobId?: string }, void>;
  'transfers.resume': Method<{ jobId?: string }, void>;
  'transfers.cancel': Method<{ jobId?: string }, void>;
  /** A failed job tries its failed files again (resume does the same for a failed job). */
  'transfers.retry': Method<{ jobId: string }, void>;
  'transfers.clearFinished': Method<void, void>;
  'transfers.answer': Method<{ askId: string; answer: OverwriteAnswer; applyToAll?: boolean }, boolean>;

  'settings.get': Method<void, Settings>;
  'settings.set': Method<SettingsPatch, Settings>;

  /** A page of the transfer history, newest first. */
  'history.query': Method<HistoryQuery, HistoryPage>;
  /** How many records match (the view asks it beside the first page, which comes sooner). */
  'history.count': Method<HistoryFilter, number>;
  'history.status': Method<void, HistoryStatus>;
  /** Writes the records matching `filter` to a new file in the Downloads folder. */
  'history.export': Method<{ filter: HistoryFilter; format: HistoryExportFormat }, HistoryExported>;

  /**
   * A summary of one file. Before the first one for a connection it resolves to 'needs-consent' with what would
   * be sent and nothing is sent; asked again with consent: true, it is remembered and the text streams as
   * 'summary' events with `requestId` until it resolves with the whole result.
   */
  'summaries.summarize': Method<{ requestId: string; location: ApiLocation; consent?: boolean }, SummaryOutcome>;
  /** Stops a summary under way: it rejects with Cancelled. */
  'summaries.cancel': Method<{ requestId: string }, void>;
  'summaries.status': Method<void, SummaryStatus>;
  /** Stores the Azure OpenAI key in the keychain (null removes it). */
  'summaries.setAzureOpenAIKey': Method<{ key: string | null }, SummaryStatus>;
  /** Forgets every connection's consent: the next summary asks again. */
  'summaries.forgetConsents': Method<void, SummaryStatus>;
}

export type ApiMethodName = keyof ApiMethods;
export type ApiArg<M extends ApiMethodName> = ApiMethods[M]['arg'];
export type ApiResult<M extends ApiMethodName> = ApiMethods[M]['result'];

/** What the main process tells the renderer without being asked. */
export interface ApiEvents {
  /** The transfer queue: job states at once; progress and file changes at most ten times a second per job. */
  transfer: TransferEvent;
  /** The pages of listings started with browse.list. */
  listing: ListingPage;
  connection: ConnectionStatus;
  settings: Settings;
  /** An Entra ID sign-in that waits for the person: the code to show, then how it ended. */
  signin: SignInEvent;
  /** Text of a summary under way, to the window that asked for it. */
  summary: SummaryDelta;
}

export type ApiEventKind = keyof ApiEvents;

/** Every method, once: the transports and the validation are built from this list. */
export const API_METHODS = [
  'app.info',
  'connections.list',
  'connections.get',
  'connections.add',
  'connections.update',
  'connections.duplicate',
  'connections.remove',
  'connections.test',
  'connections.importSources',
  'connections.importPreview',
  'connections.importApply',
  'connections.export',
  'connections.trust',
  'connections.resolveAddress',
  'connections.cancelSignIn',
  'browse.list',
  'browse.cancel',
  'browse.stat',
  'browse.mkdir',
  'browse.rename',
  'browse.remove',
  'browse.setStorageClass',
  'transfers.add',
  'transfers.list',
  'transfers.upload',
  'transfers.files',
  'transfers.pause',
  'transfers.resume',
  'transfers.cancel',
  'transfers.retry',
  'transfers.clearFinished',
  'transfers.answer',
  'settings.get',
  'settings.set',
  'history.query',
  'history.count',
  'history.status',
  'history.export',
  'summaries.summarize',
  'summaries.cancel',
  'summaries.status',
  'summaries.setAzureOpenAIKey',
  'summaries.forgetConsents',
] as const satisfies readonly ApiMethodName[];

export const API_EVENTS = [
  'transfer',
  'listing',
  'connection',
  'settings',
  'signin',
  'summary',
] as const satisfies readonly ApiEventKind[];

// The compiler rejects a method or an event missing from the lists above.
type Unlisted<All, Listed> = Exclude<All, Listed>;
const everyMethodListed: Unlisted<ApiMethodName, (typeof API_METHODS)[number]> extends never ? true : never = true;
const everyEventListed: Unlisted<ApiEventKind, (typeof API_EVENTS)[number]> extends never ? true : never = true;
void everyMethodListed;
void everyEventListed;

/** The IPC channel of each method; the compiler rejects a method without one. */
export const API_CHANNELS = Object.fromEntries(API_METHODS.map((method) => [method, `ferry:${method}`])) as {
  readonly [M in ApiMethodName]: `ferry:${M}`;
};

/** The IPC channel of each event kind. */
export const EVENT_CHANNELS = Object.fromEntries(API_EVENTS.map((kind) => [kind, `ferry-event:${kind}`])) as {
  readonly [K in ApiEventKind]: `ferry-event:${K}`;
};

/** Whether a string names a method (a transport checks this before anything else). */
export function isApiMethod(name: unknown): name is ApiMethodName {
  return typeof name === 'string' && (API_METHODS as readonly string[]).includes(name);
}

/** The services as the renderer calls them: api.transfers.add(request). */
type ServiceOf<S extends string> = {
  [M in ApiMethodName as M extends `${S}.${infer Name}` ? Name : never]: ApiArg<M> extends void
    ? () => Promise<ApiResult<M>>
    : (arg: ApiArg<M>) => Promise<ApiResult<M>>;
};

export interface FileFerryApi {
  app: ServiceOf<'app'>;
  connections: ServiceOf<'connections'>;
  browse: ServiceOf<'browse'>;
  transfers: ServiceOf<'transfers'>;
  settings: ServiceOf<'settings'>;
  history: ServiceOf<'history'>;
  summaries: ServiceOf<'summaries'>;
  /** Subscribes to one kind of event; returns the unsubscribe. */
  on<K extends ApiEventKind>(kind: K, listener: (payload: ApiEvents[K]) => void): () => void;
}

/**
 * What the preload exposes on window[API_GLOBAL]: one function per method (by name) and one subscribe
 * function per event kind, nothing else. The renderer's client builds FileFerryApi on it.
 */
export type DesktopBridge = {
  readonly [M in ApiMethodName]: (arg: ApiArg<M>) => Promise<ApiResult<M>>;
} & {
  readonly events: { readonly [K in ApiEventKind]: (listener: (payload: ApiEvents[K]) => void) => () => void };
  /** The path of a file dropped from the desktop (webUtils.getPathForFile). */
  readonly pathForFile: (file: unknown) => string;
  /** Starts dragging rows out of a pane to the desktop (main downloads remote files first). */
  readonly startDrag: (locations: ApiLocation[]) => void;
};

/** Name under which the preload exposes the bridge on `window`. */
export const API_GLOBAL = 'fileferry';
