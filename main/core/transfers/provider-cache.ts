// One open provider per connection, shared by every job that uses it (so per-site limits and an FTP
// connection pool are shared too). Opening retries with backoff while the failure is transient; a failed
// open is not cached, so the next job (or a resume) tries again. A job that is paused or cancelled while a
// connection is being opened stops waiting at once; the open itself goes on for whoever else waits for it,
// and close() abandons it (the engine's lifetime signal), so neither waits for a server that never answers.
import type { ConnectionRef } from '../../../shared/connection';
import { FerryError } from '../../../shared/errors';
import type { CancelSignal, Provider } from '../../../shared/provider';
import { raceAbort, sleep } from '../util/abort';
import { backoffDelay } from './backoff';
import { connectionKey } from './connection-key';
import { asFerryError } from './file-transfer';

/** Opens a provider; `signal` (the engine's lifetime) fires when nobody will want it any more. */
export type OpenConnection = (ref: ConnectionRef, signal?: CancelSignal) => Promise<Provider>;

interface Opening {
  provider: Promise<Provider>;
  settled: boolean;
}

export class ProviderCache {
  private readonly providers = new Map<string, Opening>();

  constructor(
    private readonly open: OpenConnection,
    private readonly retries: number,
    private readonly retryBaseDelayMs: number,
    private readonly lifetime: CancelSignal,
  ) {}

  /**
   * The cached provider for a connection, opened with retries (with backoff) while the failure is transient.
   * Rejects with Cancelled as soon as `signal` fires.
   */
  async get(ref: ConnectionRef, signal?: CancelSignal): Promise<Provider> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await raceAbort(this.cached(ref), signal);
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

  /**
   * Closes every provider opened so far (errors ignored: the engine is shutting down). One still being opened
   * is closed when it arrives, without waiting for it.
   */
  async closeAll(): Promise<void> {
    const openings = [...this.providers.values()];
    this.providers.clear();
    const close = (opening: Opening) => opening.provider.then((provider) => provider.close()).catch(() => undefined);
    for (const opening of openings) if (!opening.settled) void close(opening);
    await Promise.all(openings.filter((opening) => opening.settled).map(close));
  }

  private cached(ref: ConnectionRef): Promise<Provider> {
    const key = connectionKey(ref);
    let opening = this.providers.get(key);
    if (!opening) {
      const provider = this.open(ref, this.lifetime);
      const entry: Opening = { provider, settled: false };
      opening = entry;
      this.providers.set(key, entry);
      provider.then(
        () => (entry.settled = true),
        () => {
          entry.settled = true;
          if (this.providers.get(key) === entry) this.providers.delete(key);
        },
      );
    }
    return opening.provider;
  }
}
