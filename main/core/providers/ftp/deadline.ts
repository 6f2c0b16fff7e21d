// The operation deadline (FtpSpec.operationTimeoutMs): how long one listing or command sequence may take in
// all. basic-ftp's idle timeout (FtpSpec.timeoutMs) restarts with every byte, so without a deadline a server
// that drips a listing one line every half second holds the operation — and the command line — forever.
import type { FtpSpec } from '../../../../shared/connection';

/** Long enough for a listing of some 100,000 entries over a slow link; users can raise it. */
export const DEFAULT_OPERATION_TIMEOUT_MS = 120_000;

export function operationTimeoutMs(spec: FtpSpec): number {
  return spec.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS;
}

/** A timer that calls `onExpire` (which closes the connection) unless stopped first; 0 ms: never. */
export class OperationDeadline {
  expired = false;
  private timer: NodeJS.Timeout | undefined;
  /** When the running timer fires (Date.now() time). */
  private dueAt = 0;
  /** The time left while paused; undefined when not paused. */
  private left: number | undefined;

  constructor(
    readonly ms: number,
    private readonly onExpire: () => void,
  ) {
    this.restart();
  }

  /** Starts the time again: a long operation made progress (one more entry of a recursive removal done). */
  restart(): void {
    this.stop();
    if (this.ms <= 0 || this.expired) return;
    this.schedule(this.ms);
  }

  /**
   * Stops the clock while FileFerry, not the server, holds the operation up (a listing waiting for its
   * consumer); resume() goes on with the time that was left.
   */
  pause(): void {
    if (!this.timer) return;
    this.left = Math.max(0, this.dueAt - Date.now());
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  resume(): void {
    const left = this.left;
    if (left === undefined || this.expired) return;
    this.left = undefined;
    this.schedule(left);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.left = undefined;
  }

  private schedule(ms: number): void {
    this.dueAt = Date.now() + ms;
    this.timer = setTimeout(() => {
      this.expired = true;
      this.onExpire();
    }, ms);
  }
}
