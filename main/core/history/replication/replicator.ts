// Moves history between this device and the Cosmos DB account: pushes the outbox (this device's records
// written since they last went up), pulls the other devices' records, and — started in the background —
// keeps doing so with backoff while the account cannot be reached.
//
// Nothing is lost on the way up: an outbox entry is removed only after its record's upsert succeeded, and only
// if the record did not change meanwhile (HistoryStore.acknowledge). A process killed between an upsert and
// that removal uploads the record again on its next run, which replaces the same document (deterministic ids).
// The outbox lives in history.db, so whatever was pending when the process ended is pending at its next start.
import { FerryError, isFerryError } from '../../../../shared/errors';
import type { ReplicationState, ReplicationStatus } from '../../../../shared/history';
import { createLogger, type Logger } from '../../log/logger';
import { backoffDelay } from '../../transfers/backoff';
import { sleep } from '../../util/abort';
import type { HistoryStore, OutboxEntry } from '../store';
import type { HistoryRemote } from './cosmos';
import { META, recordFailure, recordSuccess, replicationStatus } from './status';

export interface ReplicatorOptions {
  store: HistoryStore;
  /** This device: its records go up, every other device's come down. */
  deviceId: string;
  remote: HistoryRemote;
  log?: Logger;
  /** Outbox entries read per step (default 100). */
  batchSize?: number;
  /** Upserts in flight at once (default 8). */
  concurrency?: number;
  /** How often the background loop looks for new outbox entries (default 2 s). */
  pollMs?: number;
  /** How often the background loop pulls the other devices' records (default 60 s). */
  pullEveryMs?: number;
  /** Backoff after a failed cycle: the first wait, doubling (with jitter) up to a minute (default 1 s). */
  backoffMs?: number;
}

export interface CycleResult {
  /** Records of this device uploaded. */
  pushed: number;
  /** Records of other devices new or changed here. */
  pulled: number;
}

/**
 * How far back (in the account's seconds) each pull re-reads before the newest document it already merged. The
 * account's clock has one-second steps, and a query may not yet see a document another device stored a moment
 * before a later one it does see; records read twice are merged once.
 */
const PULL_OVERLAP_S = 60;
/** Upsert refusals that no retry will change (a malformed or oversized document): dropped from the outbox. */
const REJECTED_STATUSES = new Set([400, 413]);

export class Replicator {
  private readonly store: HistoryStore;
  private readonly remote: HistoryRemote;
  private readonly log: Logger;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private live: ReplicationState = 'idle';
  /** One cycle at a time in this process (the background loop, a sync the user asked for). */
  private turn: Promise<unknown> = Promise.resolve();
  private loop: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  private wake: (() => void) | undefined;

  constructor(private readonly options: ReplicatorOptions) {
    this.store = options.store;
    this.remote = options.remote;
    this.log = options.log ?? createLogger({ component: 'history-replication' });
    this.batchSize = options.batchSize ?? 100;
    this.concurrency = options.concurrency ?? 8;
  }

  status(): ReplicationStatus {
    return replicationStatus(this.store, this.remote.endpoint, this.live);
  }

  /** One cycle now: push everything pending, then pull. Throws (a FerryError) when the account fails. */
  sync(signal?: AbortSignal): Promise<CycleResult> {
    return this.cycle(async (counts) => {
      await this.pushAll(counts, signal);
      counts.pulled += await this.pull(signal);
    });
  }

  /**
   * Pushes what is pending for at most `ms` (a command line's run ends with this): whatever is left stays in
   * the outbox for the next run or the app. Never throws; the failure is in the status.
   */
  async pushFor(ms: number): Promise<{ pushed: number; pending: number; error?: Error }> {
    const counts = { pushed: 0, pulled: 0 };
    let error: Error | undefined;
    try {
      await this.cycle(async (shared) => {
        try {
          await this.pushAll(shared, AbortSignal.timeout(ms));
        } finally {
          counts.pushed = shared.pushed;
        }
      });
    } catch (failure) {
      error = failure as Error;
    }
    return { pushed: counts.pushed, pending: this.store.pendingCount(), ...(error ? { error } : {}) };
  }

  /** Starts the background loop (idempotent): pushes soon after records are written, pulls every minute. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Look at the outbox now rather than at the next poll (a job just ended). */
  nudge(): void {
    this.wake?.();
  }

  /** Stops the background loop, abandoning a request in flight (its entries stay in the outbox). */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake?.();
    await this.loop;
    await this.turn.catch(() => {});
  }

  /** Stops, and closes the account's connections. */
  async close(): Promise<void> {
    await this.stop();
    this.remote.close();
  }

  private async run(): Promise<void> {
    const { pollMs = 2000, pullEveryMs = 60_000, backoffMs = 1000 } = this.options;
    const signal = this.stopping.signal;
    let failures = 0;
    let lastPull = 0;
    while (!signal.aborted) {
      const pullDue = Date.now() - lastPull >= pullEveryMs || failures > 0;
      try {
        if (pullDue) {
          await this.sync(signal);
          lastPull = Date.now();
          failures = 0;
        } else if (this.store.outboxBatch(1).length > 0) {
          await this.cycle((counts) => this.pushAll(counts, signal));
          failures = 0;
        }
      } catch (error) {
        if (signal.aborted) break;
        failures++;
        this.log.warn('History replication failed; retrying later', { error, failures });
      }
      // With jitter, so devices that lost the account together do not come back in step.
      await this.pause(failures > 0 ? backoffDelay(failures, backoffMs) : pollMs);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopping.signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** Runs `work` as this process's only cycle, keeping the status (live state, success, failure) up to date. */
  private cycle(work: (counts: CycleResult) => Promise<void>): Promise<CycleResult> {
    const next = this.turn.then(async () => {
      const counts: CycleResult = { pushed: 0, pulled: 0 };
      this.live = 'pushing';
      try {
        await work(counts);
        recordSuccess(this.store);
        return counts;
      } catch (error) {
        const failure = asFailure(error);
        if (failure.code !== 'Cancelled') recordFailure(this.store, failure);
        throw failure;
      } finally {
        this.live = 'idle';
      }
    });
    this.turn = next.catch(() => {});
    return next;
  }

  private async pushAll(counts: CycleResult, signal?: AbortSignal): Promise<void> {
    await this.remote.prepare(signal);
    for (;;) {
      const batch = this.store.outboxBatch(this.batchSize);
      if (batch.length === 0) return;
      await this.pushBatch(batch, counts, signal);
    }
  }

  /** Uploads a batch, several at once; acknowledges every entry that went up, even when another one failed. */
  private async pushBatch(batch: OutboxEntry[], counts: CycleResult, signal?: AbortSignal): Promise<void> {
    const uploaded: OutboxEntry[] = [];
    let next = 0;
    let failure: unknown;
    const worker = async () => {
      while (failure === undefined && next < batch.length) {
        const entry = batch[next++]!;
        try {
          if (entry.record && (await this.upload(entry, signal))) counts.pushed++;
          uploaded.push(entry);
        } catch (error) {
          failure ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, batch.length) }, worker));
    this.store.acknowledge(uploaded);
    if (failure !== undefined) throw failure;
  }

  /** Upserts one record, waiting out throttling as the account asks. false: refused for good (dropped). */
  private async upload(entry: OutboxEntry, signal?: AbortSignal): Promise<boolean> {
    for (;;) {
      try {
        await this.remote.upsert(entry.record!, signal);
        return true;
      } catch (error) {
        const failure = asFailure(error);
        const { throttled, retryAfterMs, status } = failure.details;
        if (throttled === true) {
          this.log.info('History account throttling; waiting as it asked', { retryAfterMs });
          await sleep(typeof retryAfterMs === 'number' ? retryAfterMs : 1000, signal);
          continue;
        }
        if (typeof status === 'number' && REJECTED_STATUSES.has(status)) {
          // Retrying cannot help and would hold every later record back: say so and go on.
          this.log.error('The history account refused a record; it is not replicated', {
            id: entry.id,
            error: failure,
          });
          recordFailure(this.store, failure);
          return false;
        }
        throw failure;
      }
    }
  }

  private async pull(signal?: AbortSignal): Promise<number> {
    await this.remote.prepare(signal);
    const through = Number(this.store.meta(META.pulledThrough) ?? 0) || 0;
    let merged = 0;
    let newest = through;
    for await (const page of this.remote.pull(this.options.deviceId, Math.max(0, through - PULL_OVERLAP_S), signal)) {
      merged += this.store.merge(page.records);
      if (page.unreadable > 0) {
        this.log.warn('History documents this version cannot read were skipped', { count: page.unreadable });
      }
      // Saved page by page: a pull cut short resumes from the last page merged.
      if (page.maxTs > newest) {
        newest = page.maxTs;
        this.store.setMeta(META.pulledThrough, String(newest));
      }
    }
    return merged;
  }
}

function asFailure(error: unknown): FerryError {
  if (isFerryError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new FerryError('Protocol', `History replication failed: ${message}`, { cause: error });
}
