// connections.*: the connection manager's operations over the saved connections (connections/store.ts) and
// the importers. No secret value ever goes back to the renderer: a summary says which secrets are stored.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type {
  ConnectionSaved,
  ConnectionSummary,
  ImportApplied,
  ImportPreview,
  ImportSource,
} from '../../../shared/api';
import type {
  ConnectionDraftInput,
  ConnectionTestResult,
  SavedConnection,
  SecretValues,
} from '../../../shared/connections';
import type { ConnectionSpec } from '../../../shared/connection';
import { FerryError } from '../../../shared/errors';
import { addressOf } from '../../../shared/locations';
import type { ConnectionStore } from '../connections';
import type { OpenConnectionOptions } from '../connections/store';
import { commitImport, defaultAwsConfigFiles, describeFormat, previewImport, toExport } from '../imports';

export class ConnectionsApi {
  /** Certificates trusted for this session only, by connection id (see trust()). */
  private readonly sessionPins = new Map<string, Set<string>>();
  /** The last preview of each file: importApply saves from it (secrets never leave the main process). */
  private readonly previews = new Map<string, ImportPreview>();

  constructor(
    private readonly store: ConnectionStore,
    /** A connection changed or went: providers opened with its old settings are dropped. */
    private readonly changed: (id: string) => Promise<void>,
    /** How a test opens the connection (an Entra ID one signs in through the window). */
    private readonly openOptions: (connection: SavedConnection) => OpenConnectionOptions = () => ({}),
  ) {}

  async list(): Promise<ConnectionSummary[]> {
    return Promise.all((await this.store.list()).map((connection) => this.summary(connection)));
  }

  async get(id: string): Promise<ConnectionSummary> {
    return this.summary(await this.store.get(id));
  }

  async add(draft: ConnectionDraftInput, secrets: SecretValues): Promise<ConnectionSaved> {
    const { connection, notices } = await this.store.create(draft, secrets);
    return { connection: await this.summary(connection), notices };
  }

  async update(id: string, changes: Partial<ConnectionDraftInput>, secrets: SecretValues): Promise<ConnectionSaved> {
    const { connection, notices } = await this.store.update(id, changes, secrets);
    await this.changed(connection.id);
    return { connection: await this.summary(connection), notices };
  }

  async duplicate(id: string, name?: string): Promise<ConnectionSaved> {
    const { connection, notices } = await this.store.duplicate(id, name);
    return { connection: await this.summary(connection), notices };
  }

  async remove(id: string): Promise<void> {
    const connection = await this.store.get(id);
    await this.changed(connection.id);
    await this.store.remove(connection.id);
  }

  async test(id: string): Promise<ConnectionTestResult> {
    const connection = await this.store.get(id);
    const result = await this.store.test(connection.id, this.openOptions(connection));
    if (result.ok) return result;
    // The details travel too: a certificate's fingerprint is what lets the manager offer to trust it.
    return { ...result, error: result.error.toJSON() };
  }

  /** The import files that exist here, where FileZilla, rclone and the AWS CLI keep them. */
  async importSources(): Promise<ImportSource[]> {
    const home = homedir();
    const aws = defaultAwsConfigFiles();
    const candidates: Array<Omit<ImportSource, 'description'>> = [
      { path: join(home, '.config', 'filezilla', 'sitemanager.xml'), format: 'filezilla' },
      { path: join(home, '.filezilla', 'sitemanager.xml'), format: 'filezilla' },
      {
        path: join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'FileZilla', 'sitemanager.xml'),
        format: 'filezilla',
      },
      { path: join(home, '.config', 'rclone', 'rclone.conf'), format: 'rclone' },
      { path: aws.configFile, format: 'aws' },
      { path: aws.credentialsFile, format: 'aws' },
    ];
    return candidates
      .filter((candidate) => existsSync(candidate.path))
      .map((candidate) => ({ ...candidate, description: describeFormat(candidate.format) }));
  }

  async importPreview(path: string): Promise<ImportPreview> {
    const preview = await previewImport(path);
    this.previews.set(path, preview);
    return preview;
  }

  async importApply(path: string, keys: string[]): Promise<ImportApplied> {
    const preview = this.previews.get(path);
    if (!preview) throw new FerryError('InvalidInput', `Preview ${path} first, then choose what to import.`);
    const result = await commitImport(preview, this.store, { keys });
    this.previews.delete(path);
    return {
      saved: await Promise.all(result.created.map(({ connection }) => this.summary(connection))),
      skipped: result.skipped.map(({ key, reason }) => ({ key, reason })),
      notices: result.notices,
    };
  }

  async export(): Promise<{ json: string }> {
    return { json: JSON.stringify(toExport(await this.store.list()), null, 2) + '\n' };
  }

  /** Pins a certificate: always (saved with the connection) or for this session (a session-only copy). */
  async trust(id: string, fingerprint: string, always: boolean): Promise<ConnectionSummary> {
    const connection = await this.store.get(id);
    if (connection.spec.kind !== 'ftp' && connection.spec.kind !== 'ftps')
      throw new FerryError(
        'InvalidInput',
        `${connection.name} is not an FTPS connection: it has no certificate to trust.`,
      );
    const hex = fingerprint.replace(/:/g, '').toLowerCase();
    if (!always) {
      // Trusted once: for as long as FileFerry runs, never written down.
      this.sessionPins.set(id, new Set([...(this.sessionPins.get(id) ?? []), hex]));
      await this.changed(connection.id);
      return this.summary(connection);
    }
    const pinned = [...new Set([...connection.spec.pinnedFingerprints, hex])];
    const { connection: saved } = await this.store.update(id, {
      spec: { ...connection.spec, pinnedFingerprints: pinned },
    });
    await this.changed(saved.id);
    return this.summary(saved);
  }

  /** A saved connection's spec as this session opens it: with the certificates trusted once added. */
  withSessionPins(id: string, spec: ConnectionSpec): ConnectionSpec {
    const pins = this.sessionPins.get(id);
    if (!pins || (spec.kind !== 'ftp' && spec.kind !== 'ftps')) return spec;
    return { ...spec, pinnedFingerprints: [...new Set([...spec.pinnedFingerprints, ...pins])] };
  }

  private async summary(connection: SavedConnection): Promise<ConnectionSummary> {
    const summary: ConnectionSummary = {
      id: connection.id,
      name: connection.name,
      kind: connection.kind,
      spec: connection.spec,
      storedSecrets: await this.store.storedSecretFields(connection),
      address: addressOf(connection.spec, connection.defaultRemoteFolder ?? '/'),
      createdAt: connection.createdAt,
      updatedAt: connection.updatedAt,
    };
    if (connection.group) summary.group = connection.group;
    if (connection.notes) summary.notes = connection.notes;
    if (connection.defaultRemoteFolder) summary.defaultRemoteFolder = connection.defaultRemoteFolder;
    if (connection.defaultLocalFolder) summary.defaultLocalFolder = connection.defaultLocalFolder;
    if (connection.concurrency) summary.concurrency = connection.concurrency;
    return summary;
  }
}
