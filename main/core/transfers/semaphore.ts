// Per-site concurrency limits. One FIFO semaphore per provider siteKey: every transfer takes a slot on its
// source's site and its target's site, so an FTP server with maxConnections 2 never sees a third transfer
// however many jobs run. Slots are taken in a global (sorted) order, so two transfers that need the same
// two sites cannot deadlock by each holding one.
import type { CancelSignal, Provider } from '../../../shared/provider';
import { FerryError, cancelledError } from '../../../shared/errors';
import { onAbort } from '../util/abort';

export type Release = () => void;

/** What a site's limit is computed from. */
export type SiteFacts = Pick<Provider, 'siteKey' | 'capabilities'>;

/** The two slots one file's transfer holds: the source's can go back first, once its bytes are all read. */
export interface TransferSlots {
  /** Gives back the source's slot (nothing when both sides share one site). Idempotent. */
  releaseSource: Release;
  /** Gives back whatever is still held. Idempotent. */
  release: Release;
}

export class Semaphore {
  private active = 0;
  private readonly waiters: Array<{ units: number; grant: (units: number) => void }> = [];
  private current: number;

  constructor(limit: number) {
    if (!(limit >= 1)) throw new RangeError(`A semaphore needs a limit of at least 1, not ${limit}`);
    this.current = limit;
  }

  get limit(): number {
    return this.current;
  }

  get inUse(): number {
    return this.active;
  }

  /**
   * Changes the limit while slots are held (the user's concurrency setting takes effect at once). Raising it
   * grants waiters now; lowering it lets running holders finish and grants nothing until they are under it.
   */
  setLimit(limit: number): void {
    if (!(limit >= 1)) throw new RangeError(`A semaphore needs a limit of at least 1, not ${limit}`);
    this.current = limit;
    this.grantWaiting();
  }

  /**
   * Waits for `units` slots at once (FIFO; all or none, so two holders of one slot each cannot wait on each
   * other for a second); rejects with Cancelled if the signal fires first.
   */
  acquire(signal?: CancelSignal, units = 1): Promise<Release> {
    if (!(units >= 1 && units <= this.limit)) throw new RangeError(`Cannot take ${units} of ${this.limit} slots`);
    if (signal?.aborted) return Promise.reject(cancelledError());
    if (this.waiters.length === 0 && this.active + units <= this.limit) {
      this.active += units;
      return Promise.resolve(this.releaser(units));
    }
    return new Promise<Release>((resolve, reject) => {
      const waiter = {
        units,
        grant: (granted: number) => {
          detach();
          resolve(this.releaser(granted));
        },
      };
      const detach = onAbort(signal, () => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        reject(cancelledError());
        this.grantWaiting();
      });
      this.waiters.push(waiter);
    });
  }

  private releaser(units: number): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active -= units;
      this.grantWaiting();
    };
  }

  /** Hands free slots to waiters in order; a newcomer cannot overtake the queue (acquire checks it). */
  private grantWaiting(): void {
    // A waiter asked for its units under an older, higher limit gets what the new one allows: it would
    // otherwise wait for ever.
    const unitsOf = (waiter: { units: number }) => Math.min(waiter.units, this.current);
    while (this.waiters.length > 0 && this.active + unitsOf(this.waiters[0]!) <= this.current) {
      const next = this.waiters.shift()!;
      const units = unitsOf(next);
      this.active += units;
      next.grant(units);
    }
  }
}

export class SiteSlots {
  // Each site keeps only its provider's capabilities (what limitOf reads), not the provider: a closed
  // provider would otherwise stay in memory for as long as the engine runs.
  private readonly sites = new Map<string, { semaphore: Semaphore; site: SiteFacts }>();

  constructor(private readonly limitOf: (site: SiteFacts) => number) {}

  /** Applies limitOf again to every site seen so far: call after what it reads has changed. */
  refreshLimits(): void {
    for (const { semaphore, site } of this.sites.values()) semaphore.setLimit(this.limitFor(site, true));
  }

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
      // Within one site a streamed copy reads and writes at once: two of its connections (an FTP pool of
      // two would otherwise give one to each of two files' reads, and both writes would wait for ever).
      const semaphore = this.semaphore(source.siteKey, source);
      if (semaphore.limit < 2 && typeof target.copy !== 'function') {
        throw new FerryError(
          'InvalidInput',
          'Copying within one site needs two of its connections at once, one to read and one to write, but ' +
            'this connection allows only one. Raise its connection limit to 2 or more.',
        );
      }
      const release = await semaphore.acquire(signal, Math.min(2, semaphore.limit));
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

  /** The limit in force for a provider's site (`fresh`: what limitOf says now). */
  limitFor(site: SiteFacts, fresh = false): number {
    if (fresh) return Math.max(1, Math.floor(this.limitOf(site)));
    return this.semaphore(site.siteKey, site).limit;
  }

  private semaphore(key: string, provider: SiteFacts): Semaphore {
    let known = this.sites.get(key);
    if (!known) {
      const site = { siteKey: provider.siteKey, capabilities: provider.capabilities };
      known = { semaphore: new Semaphore(this.limitFor(site, true)), site };
      this.sites.set(key, known);
    }
    return known.semaphore;
  }
}
