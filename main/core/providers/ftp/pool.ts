// A per-site pool of FTP control connections. FTP runs one command at a time per connection, so every
// operation borrows a connection for its duration (a read() until its stream is consumed or abandoned).
// At most `max` exist at once (FileZilla's default is 2: many servers limit connections per user);
// callers beyond that wait in FIFO order. A connection the server dropped — noticed while idle, or by
// the operation that hit it — is discarded and replaced by a fresh one.
import { cancelledError, FerryError } from '../../../../shared/errors';
import type { CancelSignal } from '../../../../shared/provider';
import { onAbort, throwIfAborted } from '../../util/abort';

export interface PooledConnection {
  readonly alive: boolean;
  /**
   * Still finishing earlier work on the server's side, so a command sent now would queue behind it
   * (vsftpd keeps a session busy for a few hundred ms after a large upload's 226). The pool then prefers
   * another idle connection, or opens one while under its limit.
   */
  readonly settling?: boolean;
  /** Still open but not to be trusted with another command (see FtpSession.retire): closed when released. */
  readonly retired?: boolean;
  close(): void;
}

export interface Lease<T> {
  connection: T;
  /** Opened for this lease (so a failure on it is not explained by staleness). */
  fresh: boolean;
}

interface Waiter<T> {
  resolve(lease: Lease<T>): void;
  reject(error: unknown): void;
  signal: CancelSignal | undefined;
}

export class ConnectionPool<T extends PooledConnection> {
  private readonly idle: T[] = [];
  private readonly waiters: Waiter<T>[] = [];
  /** Connections open or being opened, leased or idle. */
  private count = 0;
  private closed = false;
  /** Connections opened over the pool's life (for logs and tests). */
  opened = 0;
  private readonly waitingListeners = new Set<() => void>();

  constructor(
    private readonly max: number,
    private readonly open: (signal?: CancelSignal) => Promise<T>,
  ) {}

  async acquire(signal?: CancelSignal): Promise<Lease<T>> {
    throwIfAborted(signal);
    if (this.closed) throw closedError();
    this.dropDeadIdle();
    // Most recently used first (its server session is warm), but not one that is still settling.
    const ready = this.idle.findLastIndex((connection) => !connection.settling);
    if (ready >= 0) return { connection: this.idle.splice(ready, 1)[0]!, fresh: false };
    if (this.count < this.max) return { connection: await this.openCounted(signal), fresh: true };
    const settling = this.idle.pop();
    if (settling) return { connection: settling, fresh: false };
    return new Promise<Lease<T>>((resolve, reject) => {
      const waiter: Waiter<T> = {
        signal,
        resolve: (lease) => {
          detach();
          resolve(lease);
        },
        reject: (error) => {
          detach();
          reject(error);
        },
      };
      const detach = onAbort(signal, () => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        reject(cancelledError());
      });
      this.waiters.push(waiter);
      for (const listener of [...this.waitingListeners]) listener();
    });
  }

  /** Callers waiting for a connection now. */
  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * Calls `listener` whenever a caller starts waiting for a connection. An operation that holds its connection
   * at its own caller's pace (a listing read page by page) then hurries to free it, rather than keep waiting
   * someone who may be that very caller (a walk that lists subfolders inside the listing of their parent).
   * Returns the function that stops the calls.
   */
  onWaiting(listener: () => void): () => void {
    this.waitingListeners.add(listener);
    return () => void this.waitingListeners.delete(listener);
  }

  /** Returns a connection; a dead or retired one (or `reusable` false) is closed and its slot freed. */
  release(connection: T, reusable = true): void {
    if (this.closed || !reusable || !connection.alive || connection.retired) {
      this.discard(connection);
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve({ connection, fresh: false });
    else this.idle.push(connection);
  }

  /**
   * Runs `task` on a borrowed connection. When it fails because a reused connection turned out dead
   * (the server dropped it while idle), it runs once more on a fresh connection — but only while
   * `canRetry()` says nothing irreversible happened yet (e.g. no source bytes consumed).
   */
  async use<R>(
    task: (connection: T) => Promise<R>,
    signal?: CancelSignal,
    canRetry: () => boolean = () => true,
  ): Promise<R> {
    for (let attempt = 0; ; attempt++) {
      const { connection, fresh } = await this.acquire(signal);
      try {
        return await task(connection);
      } catch (error) {
        const stale = !fresh && !connection.alive && attempt === 0 && !signal?.aborted && canRetry();
        if (!stale) throw error;
      } finally {
        this.release(connection);
      }
    }
  }

  /** Closes idle connections and refuses new leases; leased ones close when released. */
  close(): void {
    this.closed = true;
    for (const connection of this.idle.splice(0)) this.discard(connection);
    for (const waiter of this.waiters.splice(0)) waiter.reject(closedError());
  }

  private dropDeadIdle(): void {
    for (const connection of this.idle.filter((candidate) => !candidate.alive)) {
      this.idle.splice(this.idle.indexOf(connection), 1);
      this.discard(connection);
    }
  }

  private async openCounted(signal?: CancelSignal): Promise<T> {
    this.count += 1;
    try {
      const connection = await this.open(signal);
      this.opened += 1;
      return connection;
    } catch (error) {
      this.count -= 1;
      this.wakeWaiter();
      throw error;
    }
  }

  private discard(connection: T): void {
    connection.close();
    this.count -= 1;
    this.wakeWaiter();
  }

  /** A slot freed up: let the longest waiter open a connection of its own. */
  private wakeWaiter(): void {
    if (this.closed || this.count >= this.max) return;
    const waiter = this.waiters.shift();
    if (!waiter) return;
    this.openCounted(waiter.signal).then(
      (connection) => waiter.resolve({ connection, fresh: true }),
      (error: unknown) => waiter.reject(error),
    );
  }
}

function closedError(): FerryError {
  return new FerryError('Cancelled', 'This connection has been closed; open it again to continue.');
}
