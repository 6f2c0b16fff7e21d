// Cuts a byte stream into parts of exactly `partSize` bytes (the last may be shorter), pulling from the
// source only when a part is asked for: the source is never read ahead of what the uploader can send.
// Full-size parts come from a small pool: the uploader gives a part back (recycle) once S3 has accepted it.
import { BufferPool } from '../../util/buffer-pool';

export class PartReader {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private done = false;
  /** Bytes handed out as parts so far. */
  consumed = 0;

  private readonly pool: BufferPool;

  constructor(
    source: AsyncIterable<Uint8Array>,
    readonly partSize: number,
    /** Parts that may be in use at once (in flight + the one being filled): the pool keeps that many. */
    partsInUse = 1,
  ) {
    this.iterator = source[Symbol.asyncIterator]();
    this.pool = new BufferPool(partSize, partsInUse);
  }

  /** Returns a part from nextPart() whose bytes S3 has stored; its buffer fills a later part. */
  recycle(part: Buffer): void {
    this.pool.give(part);
  }

  private async pull(): Promise<void> {
    const next = await this.iterator.next();
    if (next.done) this.done = true;
    else if (next.value.length > 0) {
      this.pending.push(next.value);
      this.pendingBytes += next.value.length;
    }
  }

  /** The next part, or undefined at the end of the source. */
  async nextPart(): Promise<Buffer | undefined> {
    while (this.pendingBytes < this.partSize && !this.done) await this.pull();
    if (this.pendingBytes === 0) return undefined;
    const size = Math.min(this.partSize, this.pendingBytes);
    // A short part is the last one (or a small file's only one): no pooled buffer for it.
    const part = size === this.partSize ? this.pool.take() : Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const chunk = this.pending[0]!;
      const take = Math.min(chunk.length, size - filled);
      part.set(take === chunk.length ? chunk : chunk.subarray(0, take), filled);
      filled += take;
      if (take === chunk.length) this.pending.shift();
      else this.pending[0] = chunk.subarray(take);
    }
    this.pendingBytes -= size;
    this.consumed += size;
    return part;
  }

  /** Whether the source has nothing more; may pull one chunk to find out. */
  async atEnd(): Promise<boolean> {
    while (this.pendingBytes === 0 && !this.done) await this.pull();
    return this.pendingBytes === 0;
  }

  /** Lets the source clean up when the upload stops early. */
  async close(): Promise<void> {
    if (!this.done) await this.iterator.return?.();
  }
}
