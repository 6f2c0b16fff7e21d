// One open provider per connection, shared by every job that uses it (so per-site limits and an FTP
// connection pool are shared too). Opening retries with backoff while the failure is transient; a failed
// open is not cached, so the next job (or a resume) tries again.
import type { ConnectionRef } from '../../../shared/connection';
import { FerryError } from '../../../shared/errors';
import type { CancelSignal, Provider } from '../../../shared/provider';
import { sleep } from '../util/abort';
import { backoffDelay } from './backoff';
import { connectionKey } from './connection-key';
import { asFerryError } from './file-transfer';

export type OpenConnection = (ref: ConnectionRef) => Promise<Provider>;

export class ProviderCache {
  private readonly providers = new Map<string, Promise<Provider>>();

  constructor(
    private readonly open: OpenConnection,
    private readonly retries: number,
    private readonly retryBaseDelayMs: number,
  ) {}

  /** The cached provider for a connection, opened with retries (with backoff) while the failure is transient. */
  async get(ref: ConnectionRef, signal?: CancelSignal): Promise<Provider> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.cached(ref);
      } catch (error) {
        const failure = asFerryError(error);
        if (!failure.transient || attempt > this.retries || signal?.aborted) {
          throw attempt === 1
            ? failure
            : new FerryError(failure.code, `${failure.message} (gave up after ${attempt} attempts)`, { cause: error });
        }
        await sleep(backoffDelay(attempt, this.retryBaseDelayMs), signal);
      }
    }
  }

  /** Closes every provider opened so far (errors ignored: the engine is shutting down). */
  async closeAll(): Promise<void> {
    const providers = [...this.providers.values()];
    this.providers.clear();
    await Promise.all(providers.map((p) => p.then((provider) => provider.close()).catch(() => undefined)));
  }

  private cached(ref: ConnectionRef): Promise<Provider> {
    const key = connectionKey(ref);
    let provider = this.providers.get(key);
    if (!provider) {
      provider = this.open(ref);
      this.providers.set(key, provider);
      provider.catch(() => {
        if (this.providers.get(key) === provider) this.providers.delete(key);
      });
    }
    return provider;
  }
}
