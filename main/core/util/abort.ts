// Cancellation helpers shared by providers and the engine.
import { cancelledError } from '../../../shared/errors';
import type { CancelSignal } from '../../../shared/provider';

export function throwIfAborted(signal: CancelSignal | undefined, what?: string): void {
  if (signal?.aborted) throw cancelledError(what);
}

/** Runs `onAbort` when the signal fires; returns a function that detaches the listener. */
export function onAbort(signal: CancelSignal | undefined, onAbortFn: () => void): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    onAbortFn();
    return () => {};
  }
  signal.addEventListener('abort', onAbortFn, { once: true });
  return () => signal.removeEventListener('abort', onAbortFn);
}

/** Resolves after `ms`, or rejects with Cancelled when the signal fires first. */
export function sleep(ms: number, signal?: CancelSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelledError());
    const timer = setTimeout(() => {
      detach();
      resolve();
    }, ms);
    const detach = onAbort(signal, () => {
      clearTimeout(timer);
      reject(cancelledError());
    });
  });
}
