// What every importer produces. An import is two steps: preview (parse a file into items the user can
// inspect and select; no secret value leaves the main process) and commit (save the selected items as
// connections, their secrets to the credential store).
import type { SecretField } from '../../../shared/connection';
import type { ConnectionDraft, ConnectionDraftInput } from '../../../shared/connections';

export type ImportFormat = 'filezilla' | 'rclone' | 'aws' | 'fileferry';

/**
 * ready: can be saved as is (with its secrets, if any);
 * needs-secret: can be saved, but a secret could not be read (FileZilla master password, "ask" logon
 *   type) and must be entered before the connection works;
 * unsupported: cannot be saved (SFTP, an rclone backend FileFerry has no provider for); warnings say why.
 */
export type ImportStatus = 'ready' | 'needs-secret' | 'unsupported';

/** One importable site, JSON-safe and free of secret values (it may be shown in a UI or printed). */
export interface ImportItem {
  /** Unique within the preview; what commit() selects by. */
  key: string;
  /** Where it came from, for people: "FileZilla: Clients/Acme/www", "rclone: [backup]". */
  source: string;
  /** The connection it becomes; absent when unsupported. */
  connection?: ConnectionDraft;
  /** Secret fields the file holds a value for (the values themselves stay in the main process). */
  secretFields: SecretField[];
  /** Secret fields the connection needs but the file could not supply. */
  missingSecrets: SecretField[];
  status: ImportStatus;
  warnings: string[];
}

export interface ImportPreview {
  format: ImportFormat;
  /** The file read, for messages. */
  file: string;
  items: ImportItem[];
  /** Problems with the file as a whole (e.g. an encrypted rclone config). */
  warnings: string[];
}

/** What a format parser returns for one site, secrets included; turned into an ImportItem by preview. */
export interface ParsedSite {
  key: string;
  source: string;
  draft?: ConnectionDraftInput;
  secrets: Partial<Record<SecretField, string>>;
  missingSecrets?: SecretField[];
  unsupported?: boolean;
  warnings: string[];
}

export interface ParsedFile {
  sites: ParsedSite[];
  warnings: string[];
}
