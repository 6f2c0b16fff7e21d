// One large object read as several ranged requests at once, its bytes handed on strictly in order. A single
// HTTP stream is limited by one connection's window and one server worker; rclone reads four ranges at once
// and was up to twice as fast on the same server (issue 19). Consumers (a local file, another cloud) need the
// bytes in order, so parts read ahead wait in memory: at most `streams` parts at a time, each at most a part
// long, and no part starts until the consumer has reached the part `streams` before it (backpressure).
import { cancelledError, FerryError } from '../../../shared/errors';
import type { CancelSignal } from '../../../shared/provider';
import { onAbort } from './abort';
import { BufferPool } from './buffer-pool';

/**
 * Opens the bytes [offset, offset + length) of the object. The iterable may go on past `length` (an already
 * open response to the end of the object): the reader takes `length` bytes and closes it. Fewer bytes is a
 * failure. When `signal` aborts, the request and its body must end promptly (reject, throw or end),
 * releasing the socket.
 */
export type RangeOpener = (offset: number, length: number, signal: AbortSignal) => Promise<AsyncIterable<Uint8Array>>;

export interface ParallelRead {
  /** First byte to read. */
  offset: number;
  /** One past the last byte to read. */
  end: number;
  partSize: number;
  /** Ranged requests in flight at most; also the number of parts held at most. */
  streams: number;
  signal?: CancelSignal;
  /** Names the object in a short-read error, e.g. "s3://bucket/key". */
  what: string;
}

/**
 * When the providers read in parallel, and how. rclone's defaults (--multi-thread-cutoff 250Mi,
 * --multi-thread-streams 4): below the cutoff one stream is fast enough and costs one request. Parts of 8 MiB
 * keep the window at 4 × 8 = 32 MiB per object (a 1 GiB S3→local copy peaked at 180 MiB RSS against 145 MiB
 * with one stream; the goal is under 200 MiB), while each request still moves enough bytes for its round trip
 * to be small on S3 and Azure (128 requests for 1 GiB). Larger parts cost more memory than they gained: on
 * s3rver every GET costs its single process about 30 ms of CPU, so fewer requests help there, but 4 × 16 MiB
 * and 4 × 32 MiB went past 200 MiB and were no faster on a 2-core machine. Tests lower these to keep their
 * objects small; set them back afterwards.
 */
export const parallelReadSettings = {
  cutoff: 250 * 1024 * 1024,
  partSize: 8 * 1024 * 1024,
  streams: 4,
};

/**
 * What the reads held, for tests: the most bytes any one read buffered at once (received, not yet handed to
 * its consumer), and how many reads went parallel. Reset it by assigning zeros.
 */
export const parallelReadProbe = { peakBuffered: 0, reads: 0 };

interface Part {
  /** The part's bytes as they arrive: copied out of the socket's chunks so that those die young. */
  buffer: Buffer;
  filled: number;
  /** Bytes of `buffer` handed to the consumer. */
  handed: number;
  done: boolean;
  task: Promise<void>;
}

/**
 * The most handed on in one chunk: read-ahead parts fill up faster than they are consumed, and a chunk of a
 * whole part would make progress jumpy and keep the consumer's writes from overlapping the reads.
 */
const MAX_CHUNK = 1024 * 1024;

/**
 * Yields the bytes [offset, end) in order, reading up to `streams` parts of `partSize` at once. With
 * `reuseChunks` (ReadOptions.reuseChunks: the consumer is done with a chunk when it asks for the next), the
 * part buffers are recycled; otherwise every part has a buffer of its own that the consumer may keep.
 */
export async function* parallelRangedRead(
  open: RangeOpener,
  read: ParallelRead & { reuseChunks?: boolean },
): AsyncGenerator<Uint8Array> {
  const { offset, end, partSize, streams, signal, what } = read;
  if (!(partSize > 0) || !(streams >= 1) || end < offset)
    throw new FerryError('InvalidInput', `A parallel read of ${what} needs a positive part size and stream count.`);
  parallelReadProbe.reads += 1;
  // Socket chunks held for long (a part read ahead) outlive the young generation and cost full garbage
  // collections; one buffer per part, reused when the consumer allows, kept the collector's time at a tenth.
  const pool = new BufferPool(partSize, read.reuseChunks ? streams + 1 : 0);
  const controller = new AbortController();
  const detach = onAbort(signal, () => controller.abort());
  const count = Math.ceil((end - offset) / partSize);
  const parts = new Map<number, Part>();
  let failure: { error: unknown } | undefined;
  let buffered = 0;
  let wake: (() => void) | undefined;
  const notify = () => {
    const waiting = wake;
    wake = undefined;
    waiting?.();
  };

  const start = (index: number) => {
    const from = offset + index * partSize;
    const length = Math.min(partSize, end - from);
    const part: Part = { buffer: pool.take(), filled: 0, handed: 0, done: false, task: Promise.resolve() };
    part.task = (async () => {
      const body = await open(from, length, controller.signal);
      for await (const raw of body) {
        if (controller.signal.aborted) return;
        // More than asked: the rest of a response open to the end, closed by leaving the loop. A part that is
        // exactly its length ends on its own instead, so that its socket goes back to the pool.
        if (part.filled === length) break;
        const take = Math.min(raw.length, length - part.filled);
        part.buffer.set(take === raw.length ? raw : raw.subarray(0, take), part.filled);
        part.filled += take;
        buffered += take;
        parallelReadProbe.peakBuffered = Math.max(parallelReadProbe.peakBuffered, buffered);
        notify();
      }
      if (part.filled < length && !controller.signal.aborted)
        throw new FerryError(
          'Network',
          `The download of ${what} ended after ${from + part.filled - offset} of ${end - offset} bytes. Retry to continue.`,
        );
      part.done = true;
    })()
      .catch((error: unknown) => {
        // After a cancel, every part fails or ends somehow; only the first failure of its own counts.
        if (!controller.signal.aborted) failure = { error };
        controller.abort();
      })
      .finally(notify);
    parts.set(index, part);
  };

  let started = 0;
  try {
    for (let index = 0; index < count; index++) {
      while (started < count && started < index + streams) start(started++);
      const part = parts.get(index)!;
      for (;;) {
        if (signal?.aborted) throw cancelledError(`The download of ${what}`);
        if (failure) throw failure.error;
        if (part.handed < part.filled) {
          const until = Math.min(part.filled, part.handed + MAX_CHUNK);
          const chunk = part.buffer.subarray(part.handed, until);
          buffered -= chunk.length;
          part.handed = until;
          yield chunk;
          continue;
        }
        if (part.done) break;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      parts.delete(index);
      // Asked for the next chunk, a consumer with reuseChunks is done with this part's memory.
      pool.give(part.buffer);
    }
  } finally {
    // Ended early (return(), a failure, a cancel): stop every request still running and wait for each to let
    // go of its socket, so nothing reads on behind the caller's back.
    controller.abort();
    detach();
    await Promise.allSettled([...parts.values()].map((p) => p.task));
  }
}

/**
 * Yields `bytes` (read from the HTTP response `body`) and destroys `body` as soon as `signal` aborts, so a
 * part waiting on a silent socket ends at once instead of when the idle timeout fires.
 */
export async function* destroyedOnAbort(
  bytes: AsyncIterable<Uint8Array>,
  body: unknown,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  const detach = onAbort(signal, () => (body as { destroy?: () => void }).destroy?.());
  try {
    yield* bytes;
  } finally {
    detach();
  }
}
