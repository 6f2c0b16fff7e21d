// The provider registry: maps a connection kind to the function that opens a provider for it.
// Each provider folder registers itself with one line in providers/index.ts.
import type { ConnectionKind, ConnectionSpec, SecretField, SecretResolver } from '../../../shared/connection';
import { FerryError } from '../../../shared/errors';
import type { CancelSignal, Provider } from '../../../shared/provider';
import { createLogger, type Logger } from '../log/logger';

export interface ProviderContext {
  /** Secrets for this connection (keychain, environment or prompt). */
  secrets: SecretResolver;
  /** Persists a secret the provider obtained itself (e.g. an MSAL token cache); absent when nowhere to keep it. */
  saveSecret?: (field: SecretField, value: string | undefined) => Promise<void>;
  log: Logger;
  /** Fires when nobody waits for the connection any more (the engine closed): opening gives up at once. */
  signal?: CancelSignal;
}

export type ProviderOpener<S extends ConnectionSpec = ConnectionSpec> = (
  spec: S,
  context: ProviderContext,
) => Promise<Provider>;

const openers = new Map<ConnectionKind, ProviderOpener>();

export function registerProvider<K extends ConnectionKind>(
  kinds: K | readonly K[],
  opener: ProviderOpener<Extract<ConnectionSpec, { kind: K }>>,
): void {
  for (const kind of typeof kinds === 'string' ? [kinds] : kinds) openers.set(kind, opener as ProviderOpener);
}

export const noSecrets: SecretResolver = async () => undefined;

export async function openProvider(spec: ConnectionSpec, context: Partial<ProviderContext> = {}): Promise<Provider> {
  const opener = openers.get(spec.kind);
  if (!opener) throw new FerryError('Unsupported', `FileFerry has no provider for "${spec.kind}" connections.`);
  return opener(spec, {
    ...context,
    secrets: context.secrets ?? noSecrets,
    log: context.log ?? createLogger({ provider: spec.kind }),
  });
}
