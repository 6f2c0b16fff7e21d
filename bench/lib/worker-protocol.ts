// What the harness sends to bench/transfer-worker.ts and what the worker prints back.
import type { TransferRequest } from '../../shared/transfers';

export interface WorkerInput {
  request: TransferRequest;
  /** Transfers at once per site; default: each provider's maxConnections (as in the app). */
  perSiteConcurrency?: number;
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
  error?: string;
}

/** The worker's result line starts with this; anything else on its stdout is ignored. */
export const RESULT_PREFIX = '@@BENCH ';
