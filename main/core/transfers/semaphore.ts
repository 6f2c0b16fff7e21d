// Per-site concurrency limits. One FIFO semaphore per provider siteKey: every transfer takes a slot on its
// source's site and its target's site, so an FTP server with maxConnections 2 never sees a third transfer
// however many jobs run. Slots are taken in a global (sorted) order, so two transfers that need the same
// two sites cannot deadlock by each holding one.
import type { CancelSignal, Provider } from '../../../shared/provider';
import { cancelledError } from '../../../shared/errors';
import { onAbort } from '../util/abort';

export type Release = () => void;

/** The two slots one file's transfer holds: the source's can go back first, once its bytes are all read. */
export interface TransferSlots {
  /** Gives back the source's slot (nothing when both sides share one site). Idempotent. */
  releaseSource: Release;
  /** Gives back whatever is still held. Idempotent. */
  release: Release;
}

export class Semaphore {
  private active = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`A semaphore needs a limit of at least 1, not ${limit}`);
  }

  get inUse(): number {
    return this.active;
  }

  /** Waits for a slot (FIFO); rejects with Cancelled if the signal fires first. */
  acquire(signal?: CancelSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(cancelledError());
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise<Release>((resolve, reject) => {
      const grant = () => {
        detach();
        resolve(this.releaser());
      };
      const detach = onAbort(signal, () => {
        const at = this.waiters.indexOf(grant);
        if (at >= 0) this.waiters.splice(at, 1);
        reject(cancelledError());
      });
      this.waiters.push(grant);
    });
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      // The slot passes straight to the next waiter, so a newcomer cannot overtake the queue.
      if (next) next();
      else this.active--;
    };
  }
}

export class SiteSlots {
  private readonly sites = new Map<string, Semaphore>();

  constructor(private readonly limitOf: (provider: Provider) => number) {}

  /** Takes one slot on each distinct site of `providers`; the returned function releases them all. */
  async acquire(providers: readonly Provider[], signal?: CancelSignal): Promise<Release> {
    const bySite = new Map<string, Provider>();
    for (const p of providers) if (!bySite.has(p.siteKey)) bySite.set(p.siteKey, p);
    const releases: Release[] = [];
    try {
      for (const key of [...bySite.keys()].sort()) {
        releases.push(await this.semaphore(key, bySite.get(key)!).acquire(signal));
      }
    } catch (error) {
      for (const release of releases.reverse()) release();
      throw error;
    }
    return () => {
      for (const release of releases.reverse()) release();
    };
  }

  /**
   * Takes a slot on the source's and the target's sites for one file (in the same global order as acquire),
   * so the source's can be given back as soon as its bytes are read: the next file's read then overlaps
   * this one's end of write (an S3 PUT of a small file, a rename).
   */
  async acquireTransfer(source: Provider, target: Provider, signal?: CancelSignal): Promise<TransferSlots> {
    if (source.siteKey === target.siteKey) {
      const release = await this.acquire([source], signal);
      return { releaseSource: () => {}, release };
    }
    const ordered = source.siteKey < target.siteKey ? [source, target] : [target, source];
    const held = new Map<Provider, Release>();
    try {
      for (const provider of ordered)
        held.set(provider, await this.semaphore(provider.siteKey, provider).acquire(signal));
    } catch (error) {
      for (const release of held.values()) release();
      throw error;
    }
    return {
      releaseSource: held.get(source)!,
      release: () => {
        for (const release of held.values()) release();
      },
    };
  }

  /** The limit in force for a provider's site. */
  limitFor(provider: Provider): number {
    return this.semaphore(provider.siteKey, provider).limit;
  }

  private semaphore(key: string, provider: Provider): Semaphore {
    let semaphore = this.sites.get(key);
    if (!semaphore) {
      semaphore = new Semaphore(Math.max(1, Math.floor(this.limitOf(provider))));
      this.sites.set(key, semaphore);
    }
    return semaphore;
  }
}
