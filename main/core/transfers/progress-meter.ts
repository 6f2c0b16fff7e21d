// Transfer rate over a sliding window and throttled progress reporting. The window (5 s) smooths the
// bursty arrival of network chunks without hiding a stall for long; ETA follows from the windowed rate.
import type { Progress } from '../../../shared/transfers';

const WINDOW_MS = 5000;

export class RateMeter {
  /** Cumulative byte counts at sample times, oldest first. */
  private samples: Array<{ at: number; total: number }> = [];
  private total = 0;

  constructor(private readonly windowMs = WINDOW_MS) {}

  add(bytes: number, now = Date.now()): void {
    this.total += bytes;
    const last = this.samples[this.samples.length - 1];
    // One sample per 50 ms is plenty, and keeps the array short at high chunk rates.
    if (last && now - last.at < 50) last.total = this.total;
    else this.samples.push({ at: now, total: this.total });
    this.prune(now);
  }

  /** Bytes per second over the window (0 until there are two samples apart in time). */
  rate(now = Date.now()): number {
    this.prune(now);
    const first = this.samples[0];
    if (!first) return 0;
    const elapsed = now - first.at;
    // The first sample's bytes arrived before it was taken; measure from the sample, not from zero.
    const moved = this.total - first.total;
    if (elapsed < 100) return 0;
    return (moved / elapsed) * 1000;
  }

  private prune(now: number): void {
    // Keep the newest sample older than the window as its left edge.
    while (this.samples.length > 1 && now - this.samples[1]!.at > this.windowMs) this.samples.shift();
    if (this.samples.length === 1 && now - this.samples[0]!.at > this.windowMs) {
      this.samples[0] = { at: now - this.windowMs, total: this.total };
    }
  }
}

export function progressOf(bytesDone: number, bytesTotal: number | undefined, rate: number, bytesFailed = 0): Progress {
  const progress: Progress = { bytesDone, rate: Math.round(rate) };
  if (bytesFailed > 0) progress.bytesFailed = bytesFailed;
  if (bytesTotal !== undefined) progress.bytesTotal = bytesTotal;
  if (bytesTotal !== undefined && rate > 0)
    progress.etaSeconds = Math.max(0, Math.ceil((bytesTotal - bytesDone) / rate));
  return progress;
}

/**
 * Calls `emit` at most once per interval: the first poke emits at once, pokes inside the interval are
 * folded into one trailing emit, so the last value always gets out.
 */
export class Throttle {
  private last = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly emit: () => void,
  ) {}

  poke(): void {
    if (this.timer) return;
    const wait = this.last + this.intervalMs - Date.now();
    if (wait <= 0) this.fire();
    else this.timer = setTimeout(() => this.fire(), wait);
  }

  /** Emits now if something is pending. */
  flush(): void {
    if (this.timer) this.fire();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fire(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.last = Date.now();
    this.emit();
  }
}
