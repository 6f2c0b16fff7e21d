// One retry rule for every model service, so attempts are counted in one place (each client turns its SDK's own
// retries off). A throttled or unavailable answer is asked again with exponential backoff, but only while no
// text has reached the caller: a retry after partial output would repeat that text. It also holds the cancel
// contract for every service: once request.signal fires, the call rejects with Cancelled at once and onText is
// never called again, whatever the SDK underneath is still doing.
import { cancelledError, FerryError } from '../../../../shared/errors';
import { backoffDelay } from '../../transfers/backoff';
import { raceAbort, sleep } from '../../util/abort';
import { modelFailureOf, type ModelFailure, type ModelRequest, type ModelUsage } from './types';

export interface RetryPolicy {
  /** Calls in all, the first included. */
  maxAttempts: number;
  /** The first wait; doubled each time (with jitter, see backoffDelay). */
  baseMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseMs: 1000 };

/** Failures worth asking again: the service may answer a moment later. */
const RETRIED: ReadonlySet<ModelFailure> = new Set<ModelFailure>(['throttled', 'unavailable']);

/** What a cancelled summary request is called in its Cancelled error. */
const WHAT = 'The summary request';

/**
 * Runs `attempt` (one streamed call, which must reject with a modelError on failure) under the policy.
 * `attempt` gets the text callback to use; it forwards to onText only while the request is not cancelled.
 */
export async function streamWithRetries(
  request: ModelRequest,
  onText: (delta: string) => void,
  policy: RetryPolicy,
  attempt: (forward: (delta: string) => void) => Promise<ModelUsage>,
): Promise<ModelUsage> {
  const { signal } = request;
  let delivered = false;
  const forward = (delta: string) => {
    if (signal?.aborted || delta.length === 0) return;
    delivered = true;
    onText(delta);
  };
  for (let count = 1; ; count++) {
    if (signal?.aborted) throw cancelledError(WHAT);
    try {
      // An SDK that has closed its stream on abort may still wait for an event that never comes: the cancel
      // does not wait for it.
      return await raceAbort(attempt(forward), signal, WHAT);
    } catch (error) {
      if (signal?.aborted) throw isCancelled(error) ? error : cancelledError(WHAT);
      const failure = modelFailureOf(error);
      if (delivered || count >= policy.maxAttempts || !failure || !RETRIED.has(failure)) throw error;
      await sleep(backoffDelay(count, policy.baseMs), signal, WHAT);
    }
  }
}

function isCancelled(error: unknown): boolean {
  return error instanceof FerryError && error.code === 'Cancelled';
}
