// Exponential backoff with jitter for retries: base·2^(n−1), scaled by a random factor in [0.5, 1.5) so
// many transfers cut by the same outage do not reconnect in lockstep, capped at a minute.
const MAX_DELAY_MS = 60_000;

export function backoffDelay(attempt: number, baseMs: number, random = Math.random): number {
  const exponential = baseMs * 2 ** Math.max(0, attempt - 1);
  return Math.min(MAX_DELAY_MS, Math.round(exponential * (0.5 + random())));
}
