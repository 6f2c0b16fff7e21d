// The safeStorage backend: secrets encrypted by the Electron shell (Electron's safeStorage, whose key lives
// in the OS keychain or kwallet) and kept as base64 blobs in ${dataDir}/secrets.enc.json. The core never
// imports electron: the shell passes its safeStorage object as an adapter. An adapter whose backend is
// 'basic_text' (Linux with no keyring: a hard-coded key, i.e. plain text in disguise) is refused.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { SecretField } from '../../../shared/connection';
import { FerryError } from '../../../shared/errors';
import { registerSecret } from '../../../shared/redact';
import { writeFileAtomic } from '../connections/atomic-file';
import { assertConnectionId, secretAccount, type CredentialStore, type SaveResult } from './store';

/** The subset of Electron's safeStorage the store uses (Electron's own object satisfies it). */
export interface SafeStorageAdapter {
  isEncryptionAvailable(): boolean;
  /** Linux only in Electron: 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown'. */
  getSelectedStorageBackend?(): string;
  encryptString(plainText: string): Uint8Array;
  decryptString(encrypted: Uint8Array): string;
}

export const SECRETS_FILE_NAME = 'secrets.enc.json';

const secretsFileSchema = z.object({
  version: z.literal(1),
  /** account (`${id}:${field}`) → base64 of the encrypted blob */
  entries: z.record(z.string(), z.string()),
});

/**
 * Why an adapter cannot protect secrets, or undefined when it can. 'unknown' is refused too: Electron reports
 * it before the app is ready, when it has not yet decided which backend (possibly basic_text) it will use.
 */
export function safeStorageRefusal(adapter: SafeStorageAdapter): string | undefined {
  if (!adapter.isEncryptionAvailable()) return 'Electron safeStorage reports encryption unavailable';
  const backend = adapter.getSelectedStorageBackend?.();
  if (backend === 'basic_text')
    return "Electron safeStorage would use its 'basic_text' backend, which does not encrypt";
  if (backend === 'unknown')
    return 'Electron safeStorage has not chosen a backend yet (call it after the app is ready)';
  return undefined;
}

export class SafeStorageCredentialStore implements CredentialStore {
  readonly backend = 'safe-storage' as const;
  readonly persistent = true;
  readonly notice = undefined;
  readonly file: string;
  /** Serialises read-modify-write cycles of the file within this process. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly adapter: SafeStorageAdapter,
    dataDir: string,
  ) {
    const refusal = safeStorageRefusal(adapter);
    if (refusal) throw new FerryError('Unsupported', `${refusal}; FileFerry will not store secrets with it.`);
    this.file = join(dataDir, SECRETS_FILE_NAME);
  }

  async get(connectionId: string, field: SecretField): Promise<string | undefined> {
    const account = secretAccount(connectionId, field);
    const blob = (await this.read())[account];
    if (blob === undefined) return undefined;
    let value: string;
    try {
      value = this.adapter.decryptString(Buffer.from(blob, 'base64'));
    } catch (cause) {
      throw new FerryError(
        'Integrity',
        `The saved ${field} of this connection could not be decrypted (the keychain key may have changed). Enter it again.`,
        { cause },
      );
    }
    registerSecret(value);
    return value;
  }

  async set(connectionId: string, field: SecretField, value: string): Promise<SaveResult> {
    registerSecret(value);
    const account = secretAccount(connectionId, field);
    const blob = Buffer.from(this.adapter.encryptString(value)).toString('base64');
    await this.update((entries) => {
      entries[account] = blob;
    });
    return { persisted: true };
  }

  async delete(connectionId: string, field?: SecretField): Promise<void> {
    assertConnectionId(connectionId);
    await this.update((entries) => {
      for (const account of Object.keys(entries)) {
        if (field ? account === secretAccount(connectionId, field) : account.startsWith(`${connectionId}:`)) {
          delete entries[account];
        }
      }
    });
  }

  private async read(): Promise<Record<string, string>> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const result = secretsFileSchema.safeParse(parsed);
    if (!result.success) {
      throw new FerryError(
        'InvalidInput',
        `The encrypted secrets file ${this.file} is damaged. Move it away and enter the passwords again.`,
      );
    }
    return result.data.entries;
  }

  private update(change: (entries: Record<string, string>) => void): Promise<void> {
    const run = this.queue.then(async () => {
      const entries = await this.read();
      change(entries);
      await writeFileAtomic(this.file, JSON.stringify({ version: 1, entries }, null, 2) + '\n');
    });
    this.queue = run.catch(() => {});
    return run;
  }
}
