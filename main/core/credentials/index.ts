// Chooses the credential store once at start-up: the OS keychain when keytar loads and the keychain answers;
// else an encrypting safeStorage supplied by the Electron shell; else a session-only store that says why.
import type { SecretField } from '../../../shared/connection';
import { createLogger, type Logger } from '../log/logger';
import { DEFAULT_SERVICE, KeychainCredentialStore, loadKeytar, type KeytarModule } from './keychain-store';
import { SafeStorageCredentialStore, safeStorageRefusal, type SafeStorageAdapter } from './safe-storage-store';
import { SessionCredentialStore } from './session-store';
import type { CredentialStore } from './store';

export type { CredentialStore, CredentialBackend, SaveResult } from './store';
export { SECRET_FIELD_LABELS, keychainRemedy, secretNotKeptError, sessionOnlyNotice } from './store';
export type { SafeStorageAdapter } from './safe-storage-store';
export type { KeytarModule } from './keychain-store';
export { KeychainCredentialStore, SafeStorageCredentialStore, SessionCredentialStore, DEFAULT_SERVICE };

export interface OpenCredentialStoreOptions {
  /** Folder for secrets.enc.json (safeStorage backend only). */
  dataDir: string;
  /** Electron's safeStorage, passed in by the shell (the core never imports electron). */
  safeStorage?: SafeStorageAdapter;
  /** Keychain service name; tests use their own so they never touch a real FileFerry entry. */
  service?: string;
  /** How long the keychain may take to answer the probe (a locked keyring may wait for a prompt). */
  probeTimeoutMs?: number;
  /** Replaces the keytar loader (tests). */
  loadKeytar?: () => KeytarModule;
  log?: Logger;
}

/** An account no real connection uses (ids never contain "."), read once to see whether the keychain answers. */
const PROBE_ACCOUNT = 'fileferry.probe';

export async function openCredentialStore(options: OpenCredentialStoreOptions): Promise<CredentialStore> {
  const log = options.log ?? createLogger({ module: 'credentials' });
  const service = options.service ?? DEFAULT_SERVICE;
  const reasons: string[] = [];

  let keytar: KeytarModule | undefined;
  try {
    keytar = (options.loadKeytar ?? loadKeytar)();
  } catch (error) {
    reasons.push(`the keytar keychain module did not load: ${firstLine(error)}`);
  }
  if (keytar) {
    try {
      await withTimeout(keytar.getPassword(service, PROBE_ACCOUNT), options.probeTimeoutMs ?? 5000);
      log.debug('credential store: OS keychain');
      return new KeychainCredentialStore(keytar, service);
    } catch (error) {
      reasons.push(`the OS keychain did not answer: ${firstLine(error)}`);
    }
  }

  if (options.safeStorage) {
    const refusal = safeStorageRefusal(options.safeStorage);
    if (!refusal) {
      log.info('credential store: Electron safeStorage (OS keychain unavailable)', { reasons });
      return new SafeStorageCredentialStore(options.safeStorage, options.dataDir);
    }
    reasons.push(refusal);
  }

  const store = new SessionCredentialStore(reasons.join('; '));
  log.warn('credential store: session only, secrets will not be saved', { notice: store.notice });
  return store;
}

/** Copies every secret of one connection to another (duplicating a connection). */
export async function copySecrets(
  store: CredentialStore,
  fromId: string,
  toId: string,
  fields: readonly SecretField[],
): Promise<string[]> {
  const notices: string[] = [];
  for (const field of fields) {
    const value = await store.get(fromId, field);
    if (value === undefined) continue;
    const result = await store.set(toId, field, value);
    if (result.notice) notices.push(result.notice);
  }
  return notices;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.trim();
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms (is the keyring locked?)`)), ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
