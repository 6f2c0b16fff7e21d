// The credential store: where a saved connection's secrets live. One small interface with three backends,
// chosen once at start-up by openCredentialStore() (see index.ts):
//   keychain     — the OS keychain through keytar (macOS Keychain, Windows Credential Manager, Secret Service);
//   safe-storage — blobs encrypted by the Electron shell's safeStorage, kept in ${dataDir}/secrets.enc.json;
//   session      — memory only, when neither can protect a secret: nothing is written, and every set()
//                  says so, so a user is never led to believe a password was saved.
// Secrets are never written to disk in plain text, and every value read or written is registered with
// shared/redact so it is masked in any log line, error message or persisted queue entry.
import type { SecretField } from '../../../shared/connection';
import { FerryError } from '../../../shared/errors';

export type CredentialBackend = 'keychain' | 'safe-storage' | 'session';

export interface SaveResult {
  /** Whether the value survives a restart. */
  persisted: boolean;
  /** Set when !persisted: a sentence to show the user as is. */
  notice?: string;
}

export interface CredentialStore {
  /** Which backend holds the secrets. */
  readonly backend: CredentialBackend;
  /** Whether set() survives a restart ('session' is not). */
  readonly persistent: boolean;
  /** When !persistent: why, and what to install, for the UI/CLI to show before asking for a password. */
  readonly notice?: string;
  /** When !persistent: why no keychain can keep secrets, in words for a sentence (secretNotKeptError). */
  readonly reason?: string;

  /** The stored value, or undefined when there is none. Rejects with a FerryError when the backend fails. */
  get(connectionId: string, field: SecretField): Promise<string | undefined>;

  /**
   * Stores (or replaces) one secret. Resolves with persisted:false and a notice when the value is kept for
   * this session only. Rejects with a FerryError when the backend fails; nothing is then stored.
   */
  set(connectionId: string, field: SecretField, value: string): Promise<SaveResult>;

  /** Deletes one secret, or every secret of the connection when field is omitted. No error when absent. */
  delete(connectionId: string, field?: SecretField): Promise<void>;
}

/** Words for a field in sentences shown to people. */
export const SECRET_FIELD_LABELS: Readonly<Record<SecretField, string>> = {
  password: 'password',
  secretAccessKey: 'secret access key',
  sessionToken: 'session token',
  accountKey: 'account key',
  connectionString: 'connection string',
  sasToken: 'SAS token',
  tokenCache: 'sign-in token cache',
  apiKey: 'API key',
};

/**
 * The keychain account for one secret: `${connectionId}:${field}`. Ids are restricted to [A-Za-z0-9_-]
 * so "a:b" + "c" can never collide with "a" + "b:c".
 */
export function secretAccount(connectionId: string, field: SecretField): string {
  assertConnectionId(connectionId);
  return `${connectionId}:${field}`;
}

export function assertConnectionId(connectionId: string): void {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(connectionId)) {
    throw new FerryError(
      'InvalidInput',
      `"${connectionId}" is not a connection id (letters, digits, "-" and "_" only).`,
    );
  }
}

/** The sentence a session-only store returns from set() and shows up front. */
export function sessionOnlyNotice(reason: string, field: SecretField = 'password'): string {
  const fix =
    process.platform === 'linux'
      ? 'install and unlock a Secret Service such as gnome-keyring to save it'
      : 'reinstall FileFerry (its keychain module did not load) to save it';
  return `No OS keychain is available (${reason}). The ${SECRET_FIELD_LABELS[field]} is kept for this session only; ${fix}.`;
}

/** What a person does so the OS keychain can keep secrets: the middle of a sentence. */
export function keychainRemedy(): string {
  return process.platform === 'linux'
    ? 'start a Secret Service such as gnome-keyring in this login session (install it if it is missing) and unlock it'
    : 'unlock the OS keychain';
}

/**
 * The error for a secret that cannot be kept across runs: no keychain answers (the session store's reason), or
 * the keychain refused the write (locked). One wording for both, so a person sees the same cause and the same
 * fix whichever way the keychain failed; details.secretNotKept lets a caller add what it alone can offer (the
 * CLI's --session-only).
 */
export function secretNotKeptError(reason: string, field: SecretField = 'password', cause?: unknown): FerryError {
  // "locked?" is the probe's guess at a timeout, not a fact; "locked collection" is what the keychain says.
  const problem = /\blocked\b(?!\?)/i.test(reason)
    ? 'the keychain is locked'
    : /keytar/i.test(reason)
      ? "FileFerry's keychain module did not load"
      : process.platform === 'linux'
        ? 'no Secret Service such as gnome-keyring answers in this session'
        : 'no OS keychain is available';
  const reinstall = /keytar/i.test(reason) ? ' (or reinstall FileFerry)' : '';
  return new FerryError(
    'Unsupported',
    `The ${SECRET_FIELD_LABELS[field]} could not be kept in an OS keychain: ${problem} (${reason}). ` +
      `To save it, ${keychainRemedy()}${reinstall}, then try again.`,
    { cause, details: { secretNotKept: true } },
  );
}
