// What the harness sends to bench/transfer-worker.ts and what the worker prints back.
import type { TransferRequest } from '../../shared/transfers';

export interface WorkerInput {
  request: TransferRequest;
  /** Transfers at once per site; default: each provider's maxConnections (as in the app). */
  perSiteConcurrency?: number;
  /**
   * Copy this many files from a synthetic source to a null target (bench/lib/synthetic.ts) instead of the
   * request's: the engine's own cost, at any scale. The request's refs are then { savedId: 'synthetic' } and
   * { savedId: 'null' }.
   */
  synthetic?: number;
  /** Plan the job, pause it, then time closing the engine, opening it again and closing it again. */
  queueTimes?: boolean;
}

export interface WorkerResult {
  state: string;
  /** From engine.add() to the job's end, verification included; process start-up excluded. */
  elapsedMs: number;
  /** CPU time (user + system) the worker used over the same span. */
  cpuMs: number;
  /** The worker's own VmHWM. */
  peakRssKiB: number;
  filesDone: number;
  filesFailed: number;
  bytesDone: number;
  /** The longest the event loop was held over the run (perf_hooks.monitorEventLoopDelay). */
  maxLoopDelayMs: number;
  /** With queueTimes: closing the engine with the planned job, opening it again, closing it again. */
  queue?: { closeMs: number; openMs: number; reopenCloseMs: number };
  error?: string;
}

/** The worker's result line starts with this; anything else on its stdout is ignored. */
export const RESULT_PREFIX = '@@BENCH ';
