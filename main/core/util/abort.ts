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

/** Resolves after `ms`, or rejects with Cancelled (naming `what`) when the signal fires first. */
export function sleep(ms: number, signal?: CancelSignal, what?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelledError(what));
    const timer = setTimeout(() => {
      detach();
      resolve();
    }, ms);
    const detach = onAbort(signal, () => {
      clearTimeout(timer);
      reject(cancelledError(what));
    });
  });
}

/**
 * Settles as `promise` does, or rejects with Cancelled as soon as `signal` fires (the promise goes on; its
 * outcome is then ignored here).
 */
export function raceAbort<T>(promise: Promise<T>, signal: CancelSignal | undefined, what?: string): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(cancelledError(what));
  return new Promise<T>((resolve, reject) => {
    const detach = onAbort(signal, () => reject(cancelledError(what)));
    promise.then(
      (value) => {
        detach();
        resolve(value);
      },
      (error: unknown) => {
        detach();
        reject(error);
      },
    );
  });
}

/**
 * Lets the event loop turn once `everyMs` has passed since it last did. Work that finishes without real I/O
 * (a folder of small files on a fast disk, a listing already in memory) runs from one resolved promise to the
 * next, and microtasks never give way to timers or I/O: the queue's saves, progress events and the UI would
 * wait for the whole job. Everyone who calls the same taker waits for the same turn, so that many workers
 * share one budget: each yielding on its own would hold the loop for a budget apiece.
 */
export function turnTaker(everyMs = 10): () => Promise<void> {
  let last = Date.now();
  let turn: Promise<void> | undefined;
  return () => {
    if (turn) return turn;
    if (Date.now() - last < everyMs) return Promise.resolve();
    turn = new Promise<void>((resolve) =>
      setImmediate(() => {
        turn = undefined;
        last = Date.now();
        resolve();
      }),
    );
    return turn;
  };
}
