// A file read into a few reused buffers, for a caller that has finished with each chunk when it asks for
// the next (ReadOptions.reuseChunks). Reads run ahead into the free buffers, so the disk keeps pace with
// the consumer; each chunk's buffer is read into again once the consumer asks for the next one. Without
// reuse, every 1 MiB chunk is a fresh allocation, and a 1 GiB upload's garbage collections measured
// 0.1–0.5 s of the main thread.
// Reads run ahead only as far as the file reaches (its size when opened, plus the one byte whose read tells
// its end): a 16 KiB file is one read into one 16 KiB buffer, where reading ahead blindly cost three 1 MiB
// buffers and three trips to the thread pool per file (a folder of small files spent a quarter of its main
// thread collecting the garbage).
import type { FileHandle } from 'node:fs/promises';
import type { CancelSignal } from '../../../../shared/provider';
import { throwIfAborted } from '../../util/abort';
import { releaseOnReturn } from '../../util/release-on-return';

export interface RecycledReadOptions {
  start: number;
  /** One past the last byte to read; undefined: to the end of the file. */
  end: number | undefined;
  /** The file's size when opened, if known. Without `end`, reads run ahead no further until it proves longer. */
  sizeHint?: number;
  chunkSize: number;
  /** Buffers in use at once: the one the consumer holds plus those being read ahead. */
  buffers: number;
  signal: CancelSignal | undefined;
}

interface PendingRead {
  buffer: Buffer;
  bytesRead: number;
  want: number;
}

/** Yields the file's bytes; closes `handle` when done, failed or abandoned, even before the first byte. */
export function readRecycled(handle: FileHandle, options: RecycledReadOptions): AsyncGenerator<Uint8Array> {
  return releaseOnReturn(recycledChunks(handle, options), () => handle.close());
}

async function* recycledChunks(handle: FileHandle, options: RecycledReadOptions): AsyncGenerator<Uint8Array> {
  const { chunkSize, end, signal } = options;
  const free: Buffer[] = [];
  const ahead: Array<Promise<PendingRead>> = [];
  let position = options.start;
  // How far reads may run ahead: the requested end, else one byte past the size the file had when opened.
  // A read that finds bytes there means the file grew: from then on, read until a short read.
  let horizon = end ?? (options.sizeHint === undefined ? Infinity : options.sizeHint + 1);
  let stopped = false;

  const takeBuffer = (want: number): Buffer => {
    const fits = free.findIndex((buffer) => buffer.length >= want);
    return fits >= 0 ? free.splice(fits, 1)[0]! : Buffer.allocUnsafeSlow(Math.min(chunkSize, want));
  };

  const readAhead = () => {
    while (!stopped && ahead.length < Math.max(1, options.buffers - 1) && position < horizon) {
      const want = Math.min(chunkSize, horizon - position);
      const buffer = takeBuffer(want);
      const at = position;
      position += want;
      ahead.push(handle.read(buffer, 0, want, at).then(({ bytesRead }) => ({ buffer, bytesRead, want })));
    }
  };

  try {
    readAhead();
    while (ahead.length > 0) {
      const { buffer, bytesRead, want } = await ahead.shift()!;
      throwIfAborted(signal);
      // The end of the file. Reads already issued past it are ignored: should the file grow meanwhile,
      // they would leave a gap; the engine notices the size differs instead.
      if (bytesRead < want) stopped = true;
      else if (end === undefined && position >= horizon && ahead.length === 0) horizon = Infinity;
      if (bytesRead > 0) yield buffer.subarray(0, bytesRead);
      if (stopped) break;
      free.push(buffer);
      readAhead();
    }
  } finally {
    stopped = true;
    // Never close the file under a read still running in the thread pool.
    await Promise.allSettled(ahead);
    await handle.close();
  }
}
