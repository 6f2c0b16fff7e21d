// The OS keychain backend, through keytar: one entry per connection and secret field, service "FileFerry",
// account `${connectionId}:${field}`. keytar is an optional native dependency: it is loaded lazily with
// createRequire so a missing or broken build only means "no keychain", never a crash at import time.
import { createRequire } from 'node:module';
import { SECRET_FIELDS, type SecretField } from '../../../shared/connection';
import { FerryError } from '../../../shared/errors';
import { registerSecret } from '../../../shared/redact';
import { secretAccount, assertConnectionId, secretNotKeptError, type CredentialStore, type SaveResult } from './store';

/** The part of keytar's API FileFerry uses. */
export interface KeytarModule {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

export const DEFAULT_SERVICE = 'FileFerry';

/** Loads keytar, or throws with the loader's reason (not installed, built for another ABI, libsecret missing). */
export function loadKeytar(): KeytarModule {
  const require = createRequire(import.meta.url);
  const loaded = require('keytar') as KeytarModule & { default?: KeytarModule };
  return typeof loaded.getPassword === 'function' ? loaded : (loaded.default as KeytarModule);
}

export class KeychainCredentialStore implements CredentialStore {
  readonly backend = 'keychain' as const;
  readonly persistent = true;
  readonly notice = undefined;

  constructor(
    private readonly keytar: KeytarModule,
    private readonly service = DEFAULT_SERVICE,
  ) {}

  async get(connectionId: string, field: SecretField): Promise<string | undefined> {
    const value = await this.call('read', () =>
      this.keytar.getPassword(this.service, secretAccount(connectionId, field)),
    );
    registerSecret(value);
    return value ?? undefined;
  }

  async set(connectionId: string, field: SecretField, value: string): Promise<SaveResult> {
    registerSecret(value);
    const account = secretAccount(connectionId, field);
    try {
      await this.keytar.setPassword(this.service, account, value);
    } catch (cause) {
      // A locked keychain answers the start-up probe (a read) but refuses this: worded as when none answers.
      throw secretNotKeptError(cause instanceof Error ? cause.message : String(cause), field, cause);
    }
    return { persisted: true };
  }

  async delete(connectionId: string, field?: SecretField): Promise<void> {
    assertConnectionId(connectionId);
    // One delete per known field, not a findCredentials() sweep: that reads every FileFerry secret and
    // takes ~0.5 s with 200 entries in gnome-keyring, against ~1 ms per delete.
    for (const f of field ? [field] : SECRET_FIELDS) {
      await this.call('delete', () => this.keytar.deletePassword(this.service, secretAccount(connectionId, f)));
    }
  }

  private async call<T>(what: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new FerryError(
        'Unsupported',
        `The OS keychain could not ${what} a FileFerry secret (${reason}). Unlock the keychain (on Linux: a Secret Service such as gnome-keyring) and try again.`,
        { cause },
      );
    }
  }
}
