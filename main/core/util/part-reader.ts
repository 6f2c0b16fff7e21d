// Cuts a byte stream into parts of exactly `partSize` bytes (the last may be shorter): S3's multipart parts,
// Azure's blocks. It pulls from the source only when a part is asked for: the source is never read ahead of
// what the uploader can send. Each chunk is copied into its part as it arrives, before the next is pulled,
// so the source may reuse a chunk's memory once asked for the next (Capabilities.writeReleasesChunks).
// Full-size parts come from a small pool: the uploader gives a part back (recycle) once the service has
// accepted it. A file known to be smaller than a part gets a buffer of its own size instead.
import { BufferPool } from './buffer-pool';

export class PartReader {
  private readonly iterator: AsyncIterator<Uint8Array>;
  /** The part being filled, and how much of it is. */
  private current: Buffer | undefined;
  private filled = 0;
  /** Full parts not handed out yet (more than one only when a single chunk spans several parts). */
  private readonly ready: Buffer[] = [];
  private done = false;
  private started = false;
  private readonly pool: BufferPool;

  constructor(
    source: AsyncIterable<Uint8Array>,
    readonly partSize: number,
    /** Parts that may be in use at once (in flight + the one being filled): the pool keeps that many. */
    partsInUse = 1,
    /** The source's size when known: a smaller file is read into a buffer of just that size. */
    private readonly expectedSize?: number,
  ) {
    this.iterator = source[Symbol.asyncIterator]();
    this.pool = new BufferPool(partSize, partsInUse);
  }

  /** Returns a part from nextPart() whose bytes S3 has stored; its buffer fills a later part. */
  recycle(part: Buffer): void {
    this.pool.give(part);
  }

  /** The next part, or undefined at the end of the source. */
  async nextPart(): Promise<Buffer | undefined> {
    while (this.ready.length === 0 && !this.done) await this.pull();
    const part = this.ready.shift();
    if (part) return part;
    if (this.filled === 0) return undefined;
    const last = this.current!.subarray(0, this.filled);
    this.current = undefined;
    this.filled = 0;
    return last;
  }

  /** Whether the source has nothing more; may pull one chunk to find out. */
  async atEnd(): Promise<boolean> {
    while (this.ready.length === 0 && this.filled === 0 && !this.done) await this.pull();
    return this.ready.length === 0 && this.filled === 0;
  }

  /** Lets the source clean up when the upload stops early. */
  async close(): Promise<void> {
    if (!this.done) await this.iterator.return?.();
  }

  private async pull(): Promise<void> {
    const next = await this.iterator.next();
    if (next.done) {
      this.done = true;
      return;
    }
    const chunk = next.value;
    for (let position = 0; position < chunk.length;) {
      const part = (this.current ??= this.freshBuffer());
      if (this.filled === part.length) {
        // More than the announced size: continue in a full-size buffer.
        this.current = this.pool.take();
        this.current.set(part.subarray(0, this.filled));
        continue;
      }
      const take = Math.min(part.length - this.filled, chunk.length - position);
      part.set(chunk.subarray(position, position + take), this.filled);
      this.filled += take;
      position += take;
      if (this.filled === this.partSize) {
        this.ready.push(part);
        this.current = undefined;
        this.filled = 0;
      }
    }
  }

  private freshBuffer(): Buffer {
    const first = !this.started;
    this.started = true;
    const size = this.expectedSize;
    if (first && size !== undefined && size < this.partSize) return Buffer.allocUnsafe(size);
    return this.pool.take();
  }
}
