// Target paths held by the files in flight, across every job of the engine. Two jobs that write the same file
// would otherwise share its temporary (derived from the final name, so that a restart finds it): one would
// "complete" with the other's bytes. The second writer waits until the first one's file is finished, and then
// meets the file as any existing target, under its own overwrite policy.
import type { CancelSignal } from '../../../shared/provider';
import { cancelledError } from '../../../shared/errors';
import { onAbort } from '../util/abort';

export type Release = () => void;

interface Holder {
  jobId: string;
  waiters: Array<() => void>;
}

export class TargetReservations {
  private readonly held = new Map<string, Holder>();

  /** The key of a target path: the site and the path on it. */
  static key(siteKey: string, path: string): string {
    return `${siteKey}\n${path}`;
  }

  /** Holds `key` for `jobId` when no other job holds it (the rename policy's free name); else undefined. */
  tryReserve(key: string, jobId: string): Release | undefined {
    const holder = this.held.get(key);
    if (holder) return holder.jobId === jobId ? () => {} : undefined;
    this.held.set(key, { jobId, waiters: [] });
    return this.releaser(key);
  }

  /** Holds `key` for `jobId`, waiting while another holds it; rejects with Cancelled when `signal` fires. */
  async reserve(key: string, jobId: string, signal: CancelSignal): Promise<Release> {
    for (;;) {
      if (signal.aborted) throw cancelledError();
      const holder = this.held.get(key);
      if (!holder) {
        this.held.set(key, { jobId, waiters: [] });
        return this.releaser(key);
      }
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          detach();
          resolve();
        };
        const detach = onAbort(signal, () => {
          holder.waiters.splice(holder.waiters.indexOf(wake), 1);
          reject(cancelledError());
        });
        holder.waiters.push(wake);
      });
    }
  }

  private releaser(key: string): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const holder = this.held.get(key);
      this.held.delete(key);
      // Every waiter looks again; the first to run takes it, the others wait behind it.
      for (const wake of holder?.waiters ?? []) wake();
    };
  }
}
