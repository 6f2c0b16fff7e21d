// Saved connections: ${dataDir}/connections.json holds every non-secret field (validated by
// shared/connections.ts); the secrets go to the CredentialStore under the connection's id.
//
// The file is re-read before every operation and replaced atomically (atomic-file.ts), so a CLI run and the
// app see each other's changes and a crash never leaves half a file; a change holds a lock file
// (util/pid-lock.ts) from its read to its write, so two processes changing it at once both keep their
// change. A file that is not valid JSON or fails the schema is never overwritten: it is moved aside byte for
// byte to connections.corrupt-<time>.json and the operation fails with an InvalidInput error saying where it
// went and what to do.
import { randomUUID } from 'node:crypto';
import { readFile, rename, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { SecretField, SecretResolver, ConnectionKind, ConnectionSpec } from '../../../shared/connection';
import {
  connectionDraftSchema,
  connectionNameKey,
  connectionsFileSchema,
  describeIssues,
  type ConnectionDraft,
  type ConnectionDraftInput,
  type SavedConnection,
  type SecretValues,
} from '../../../shared/connections';
import { FerryError, isFerryError } from '../../../shared/errors';
import { normalizePath } from '../../../shared/paths';
import type { CancelSignal, Provider } from '../../../shared/provider';
import { copySecrets, type CredentialStore, type SaveResult } from '../credentials';
import { createLogger, type Logger } from '../log/logger';
import { openProvider } from '../providers';
// Types only: the Azure SDK and MSAL load when an Azure connection is opened, not with the store.
import type { AzureProviderContext, EntraInteraction } from '../providers/azure-blob';
import { writeFileAtomic } from './atomic-file';
import { withLock } from '../util/pid-lock';
import { SECRET_FIELDS_BY_KIND } from './secret-fields';

export const CONNECTIONS_FILE_NAME = 'connections.json';

export interface ChangeResult {
  connection: SavedConnection;
  /** Sentences to show the user, e.g. that a password is kept for this session only. */
  notices: string[];
}

export type TestConnectionResult =
  { ok: true; path: string; elapsedMs: number } | { ok: false; path: string; elapsedMs: number; error: FerryError };

/**
 * Persists a secret a provider obtained itself (an Entra ID token cache after a sign-in or a refresh) in the
 * connection's credential-store entry; undefined deletes it. Resolves with the store's SaveResult (persisted
 * false and a notice when no keychain keeps it), or undefined when nothing was written.
 */
export type SecretSaver = (field: SecretField, value: string | undefined) => Promise<SaveResult | undefined>;

export interface ResolvedConnection {
  connection: SavedConnection;
  id: string;
  spec: ConnectionSpec;
  secrets: SecretResolver;
  saveSecret: SecretSaver;
}

export interface OpenConnectionOptions {
  /** How a person signs in to an Entra ID connection; default: the store's (ConnectionStoreOptions.entra). */
  entra?: EntraInteraction;
  /** Wraps the saver the provider gets (the CLI holds Ctrl-C back until a keychain write is done). */
  wrapSaver?: (save: SecretSaver) => SecretSaver;
  /** Changes the saved settings for this opening only (the command line's --timeout). */
  adjustSpec?: (spec: ConnectionSpec) => ConnectionSpec;
}

export interface ConnectionStoreOptions {
  /** Folder holding connections.json (the app's data folder). */
  dataDir: string;
  credentials: CredentialStore;
  /**
   * How a person signs in to Entra ID connections that open() and test() open without an interaction of their
   * own (the desktop shell: the system browser). Without any, a connection whose cached sign-in is gone fails
   * with AuthFailed saying where to sign in.
   */
  entra?: EntraInteraction;
  log?: Logger;
  now?: () => number;
}

export class ConnectionStore {
  readonly file: string;
  readonly credentials: CredentialStore;
  private readonly entra: EntraInteraction | undefined;
  private readonly log: Logger;
  private readonly now: () => number;
  /** Serialises read-modify-write cycles within this process. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: ConnectionStoreOptions) {
    this.file = join(options.dataDir, CONNECTIONS_FILE_NAME);
    this.credentials = options.credentials;
    this.entra = options.entra;
    this.log = options.log ?? createLogger({ module: 'connections' });
    this.now = options.now ?? Date.now;
  }

  /** Every saved connection, sorted by group then name. */
  async list(): Promise<SavedConnection[]> {
    const connections = await this.load();
    return connections.sort((a, b) => (a.group ?? '').localeCompare(b.group ?? '') || a.name.localeCompare(b.name));
  }

  /** The connection with this id, or else this name (case-insensitive); undefined when neither exists. */
  async find(nameOrId: string): Promise<SavedConnection | undefined> {
    const connections = await this.load();
    return (
      connections.find((c) => c.id === nameOrId) ??
      connections.find((c) => connectionNameKey(c.name) === connectionNameKey(nameOrId))
    );
  }

  /** Like find(), but a missing connection is a NotFound error naming it. */
  async get(nameOrId: string): Promise<SavedConnection> {
    const found = await this.find(nameOrId);
    if (!found) {
      throw new FerryError(
        'NotFound',
        `There is no saved connection named "${nameOrId}". List them with "fileferry connections list".`,
      );
    }
    return found;
  }

  /** Saves a new connection and its secrets. Names are unique ignoring case (AlreadyExists otherwise). */
  async create(input: ConnectionDraftInput, secrets: SecretValues = {}): Promise<ChangeResult> {
    const draft = parseDraft(input);
    checkSecretFields(draft.spec.kind, secrets);
    const time = this.now();
    const connection: SavedConnection = {
      ...draft,
      id: randomUUID(),
      kind: draft.spec.kind,
      createdAt: time,
      updatedAt: time,
    };
    await this.mutate((connections) => {
      assertUniqueName(connections, connection.name);
      connections.push(connection);
    });
    try {
      const notices = await this.applySecrets(connection.id, secrets);
      this.log.info('connection created', { id: connection.id, kind: connection.kind });
      return { connection, notices };
    } catch (error) {
      // Do not leave a connection behind whose password silently failed to save.
      await this.mutate((connections) => connections.filter((c) => c.id !== connection.id));
      throw error;
    }
  }

  /**
   * Changes a connection. `changes` replaces the given draft fields (spec replaces the whole spec); a field
   * set to undefined in `changes` is cleared. Secrets: a value replaces, null deletes, absent keeps.
   */
  async update(id: string, changes: Partial<ConnectionDraftInput>, secrets: SecretValues = {}): Promise<ChangeResult> {
    let updated: SavedConnection | undefined;
    await this.mutate((connections) => {
      const index = connections.findIndex((c) => c.id === id);
      const current = connections[index];
      if (!current) throw new FerryError('NotFound', `There is no saved connection with id "${id}".`);
      const { id: _id, kind: _kind, createdAt, updatedAt: _updatedAt, ...currentDraft } = current;
      const draft = parseDraft({ ...currentDraft, ...changes });
      checkSecretFields(draft.spec.kind, secrets);
      assertUniqueName(
        connections.filter((c) => c.id !== id),
        draft.name,
      );
      updated = { ...draft, id, kind: draft.spec.kind, createdAt, updatedAt: this.now() };
      connections[index] = updated;
    });
    const notices = await this.applySecrets(id, secrets);
    this.log.info('connection updated', { id });
    return { connection: updated!, notices };
  }

  /** Deletes a connection and every secret stored for it. NotFound when absent. */
  async remove(id: string): Promise<void> {
    await this.mutate((connections) => {
      if (!connections.some((c) => c.id === id))
        throw new FerryError('NotFound', `There is no saved connection with id "${id}".`);
      return connections.filter((c) => c.id !== id);
    });
    await this.credentials.delete(id);
    this.log.info('connection deleted', { id });
  }

  /** Copies a connection and its secrets under a new name ("NAME (copy)", "NAME (copy 2)", … by default). */
  async duplicate(id: string, name?: string): Promise<ChangeResult> {
    const source = await this.get(id);
    const taken = new Set((await this.load()).map((c) => connectionNameKey(c.name)));
    let copyName = name;
    for (let n = 1; copyName === undefined; n++) {
      const candidate = n === 1 ? `${source.name} (copy)` : `${source.name} (copy ${n})`;
      if (!taken.has(connectionNameKey(candidate))) copyName = candidate;
    }
    const { id: _id, kind: _kind, createdAt: _c, updatedAt: _u, ...draft } = source;
    const { connection } = await this.create({ ...draft, name: copyName });
    const notices = await copySecrets(this.credentials, source.id, connection.id, SECRET_FIELDS_BY_KIND[source.kind]);
    return { connection, notices };
  }

  /** Which secret fields have a stored value (for lists: "password saved"). */
  async storedSecretFields(connection: SavedConnection): Promise<SecretField[]> {
    const present: SecretField[] = [];
    for (const field of SECRET_FIELDS_BY_KIND[connection.kind]) {
      if ((await this.credentials.get(connection.id, field)) !== undefined) present.push(field);
    }
    return present;
  }

  /** A SecretResolver reading this connection's secrets from the credential store. */
  secretsFor(id: string): SecretResolver {
    return (field) => this.credentials.get(id, field);
  }

  /** Spec and secrets of a saved connection, by id or name (the CLI's NAME:path, the engine's {savedId}). */
  async resolve(nameOrId: string): Promise<ResolvedConnection> {
    const connection = await this.get(nameOrId);
    return {
      connection,
      id: connection.id,
      spec: connection.spec,
      secrets: this.secretsFor(connection.id),
      saveSecret: this.saverFor(connection),
    };
  }

  /**
   * A SecretSaver writing to this connection's entry in the credential store, so a token cache is kept where
   * its passwords are — never in connections.json or a log. Only the kind's own secret fields; and nothing for
   * a connection deleted while its sign-in was waiting, which would leave an orphan keychain entry.
   */
  saverFor(connection: SavedConnection): SecretSaver {
    return async (field, value) => {
      if (!SECRET_FIELDS_BY_KIND[connection.kind].includes(field)) {
        throw new FerryError('InvalidInput', `A ${connection.kind} connection has no "${field}" secret.`);
      }
      if (value === undefined) {
        await this.credentials.delete(connection.id, field);
        return undefined;
      }
      if (!(await this.find(connection.id))) {
        this.log.info('secret not saved: the connection was deleted meanwhile', { id: connection.id, field });
        return undefined;
      }
      const result = await this.credentials.set(connection.id, field, value);
      if (result.notice) this.log.warn('secret kept for this session only', { id: connection.id, field });
      return result;
    };
  }

  /** Opens a provider for a saved connection (the engine's openConnection for { savedId } refs). */
  async open(nameOrId: string, options: OpenConnectionOptions = {}): Promise<Provider> {
    const connection = await this.get(nameOrId);
    return openProvider(
      options.adjustSpec?.(connection.spec) ?? connection.spec,
      this.providerContext(connection, options),
    );
  }

  /** What a provider for this connection gets: its secrets, where to save ones it obtains, how to sign in. */
  private providerContext(connection: SavedConnection, options: OpenConnectionOptions): AzureProviderContext {
    const entra = options.entra ?? this.entra;
    const save = options.wrapSaver ? options.wrapSaver(this.saverFor(connection)) : this.saverFor(connection);
    return {
      secrets: this.secretsFor(connection.id),
      saveSecret: async (field, value) => void (await save(field, value)),
      log: this.log.child({ connection: connection.id, kind: connection.kind }),
      ...(entra ? { entra } : {}),
    };
  }

  /**
   * Opens the connection's provider, stats its default remote folder (or "/") and reads the first page of
   * its listing. Never throws for a
   * connection problem: the FerryError (AuthFailed, Network, NotFound, …) comes back in the result.
   */
  async test(
    nameOrId: string,
    options: OpenConnectionOptions & { signal?: CancelSignal } = {},
  ): Promise<TestConnectionResult> {
    const connection = await this.get(nameOrId);
    const path = normalizePath(connection.defaultRemoteFolder ?? '/');
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const context = this.providerContext(connection, options);
    const log = context.log;
    let provider: Provider | undefined;
    try {
      provider = await openProvider(options.adjustSpec?.(connection.spec) ?? connection.spec, context);
      const entry = await provider.stat(path, { signal: options.signal });
      if (entry.type !== 'folder') {
        throw new FerryError(
          'InvalidInput',
          `The default remote folder ${path} is a file. Edit the connection and choose a folder.`,
        );
      }
      // stat('/') may be answered without a request (a bucket store's root always exists), so read one
      // page of the listing too: that proves the server answers and accepts the credentials.
      for await (const _page of provider.list(path, { signal: options.signal, pageSize: 1 })) break;
      log.info('connection test passed', { elapsedMs: elapsed() });
      return { ok: true, path, elapsedMs: elapsed() };
    } catch (cause) {
      const error = isFerryError(cause)
        ? cause
        : new FerryError(
            'Protocol',
            `Testing the connection failed: ${cause instanceof Error ? cause.message : String(cause)}`,
            { cause },
          );
      log.warn('connection test failed', { code: error.code, error });
      return { ok: false, path, elapsedMs: elapsed(), error };
    } finally {
      await provider?.close().catch(() => {});
    }
  }

  private async applySecrets(id: string, secrets: SecretValues): Promise<string[]> {
    const notices: string[] = [];
    for (const [field, value] of Object.entries(secrets) as Array<[SecretField, string | null | undefined]>) {
      if (value === undefined) continue;
      if (value === null || value === '') {
        await this.credentials.delete(id, field);
        continue;
      }
      const result = await this.credentials.set(id, field, value);
      if (result.notice && !notices.includes(result.notice)) notices.push(result.notice);
    }
    return notices;
  }

  /**
   * Runs one read-modify-write of the file; `change` edits the list in place or returns a new one. Changes
   * queue up within this store, and a lock file makes another process (the app and a CLI run, say) wait
   * for this one's write instead of overwriting it with a list read before it.
   */
  private mutate(change: (connections: SavedConnection[]) => SavedConnection[] | void): Promise<void> {
    const run = this.queue.then(() =>
      withLock(
        `${this.file}.lock`,
        async () => {
          const connections = await this.load();
          const next = change(connections) ?? connections;
          await writeFileAtomic(this.file, JSON.stringify({ version: 1, connections: next }, null, 2) + '\n');
        },
        (heldBy) =>
          new FerryError(
            'Timeout',
            `The saved connections are being changed by another FileFerry process${heldBy ? ` (pid ${heldBy})` : ''}. Try again in a moment.`,
          ),
      ),
    );
    this.queue = run.catch(() => {});
    return run;
  }

  private async load(): Promise<SavedConnection[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new FerryError(
        'PermissionDenied',
        `The saved connections file ${this.file} could not be read: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw await this.setAside(`it is not valid JSON: ${(error as Error).message}`);
    }
    const parsed = connectionsFileSchema.safeParse(json);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error.issues, '(top level)').join('; ');
      throw await this.setAside(`it does not match the expected format (${issues})`);
    }
    return parsed.data.connections;
  }

  /** Moves a damaged file aside unchanged and returns the error that says so. */
  private async setAside(reason: string): Promise<FerryError> {
    const stamp = new Date(this.now()).toISOString().replace(/[:.]/g, '-');
    let aside = join(dirname(this.file), `connections.corrupt-${stamp}.json`);
    for (let n = 2; await exists(aside); n++)
      aside = join(dirname(this.file), `connections.corrupt-${stamp}-${n}.json`);
    await rename(this.file, aside);
    this.log.error('connections file damaged, moved aside', { reason, movedTo: aside });
    return new FerryError(
      'InvalidInput',
      `The saved connections file ${this.file} is damaged: ${reason}. It was moved unchanged to ${aside}, and FileFerry starts with an empty list. ` +
        `Repair that file and bring the connections back with "fileferry connections import ${aside}", or add them again.`,
      { details: { movedTo: aside } },
    );
  }
}

function parseDraft(input: unknown): ConnectionDraft {
  const result = connectionDraftSchema.safeParse(input);
  if (!result.success) {
    const issues = describeIssues(result.error.issues).join('; ');
    throw new FerryError('InvalidInput', `The connection settings are not valid: ${issues}.`);
  }
  const draft = result.data;
  if (draft.defaultRemoteFolder !== undefined) draft.defaultRemoteFolder = normalizePath(draft.defaultRemoteFolder);
  return draft;
}

function checkSecretFields(kind: ConnectionKind, secrets: SecretValues): void {
  for (const field of Object.keys(secrets) as SecretField[]) {
    if (!SECRET_FIELDS_BY_KIND[kind].includes(field)) {
      throw new FerryError('InvalidInput', `A ${kind} connection has no "${field}" secret.`);
    }
  }
}

function assertUniqueName(others: readonly SavedConnection[], name: string): void {
  const key = connectionNameKey(name);
  const clash = others.find((c) => connectionNameKey(c.name) === key);
  if (clash) {
    throw new FerryError('AlreadyExists', `A connection named "${clash.name}" already exists. Choose another name.`);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
