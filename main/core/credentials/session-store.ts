// The last-resort backend: secrets in memory for this process only. Used when neither the OS keychain nor an
// encrypting safeStorage is available. It refuses to persist rather than write a secret in plain text, and
// says so on every set() (and up front through `notice`).
import type { SecretField } from '../../../shared/connection';
import { registerSecret } from '../../../shared/redact';
import { secretAccount, assertConnectionId, sessionOnlyNotice, type CredentialStore, type SaveResult } from './store';

export class SessionCredentialStore implements CredentialStore {
  readonly backend = 'session' as const;
  readonly persistent = false;
  readonly notice: string;
  private readonly values = new Map<string, string>();

  /** @param reason why no persistent store is available, e.g. "the Secret Service did not answer: …" */
  constructor(readonly reason: string) {
    this.notice = sessionOnlyNotice(reason);
  }

  async get(connectionId: string, field: SecretField): Promise<string | undefined> {
    return this.values.get(secretAccount(connectionId, field));
  }

  async set(connectionId: string, field: SecretField, value: string): Promise<SaveResult> {
    registerSecret(value);
    this.values.set(secretAccount(connectionId, field), value);
    return { persisted: false, notice: sessionOnlyNotice(this.reason, field) };
  }

  async delete(connectionId: string, field?: SecretField): Promise<void> {
    assertConnectionId(connectionId);
    if (field) this.values.delete(secretAccount(connectionId, field));
    else for (const key of [...this.values.keys()]) if (key.startsWith(`${connectionId}:`)) this.values.delete(key);
  }
}
