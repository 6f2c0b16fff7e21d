// Gathers a TLS data connection's chunks into a few reused buffers. A TLS socket hands on one record at a
// time (16 KiB at most) and cannot read into our buffers as a plain one does (RecyclingReader), so an FTPS
// download reached its target in 65,536 chunks per GiB: one disk write, one progress step and one promise
// each, one at a time. FTPS 1 GiB from loopback vsftpd to the local disk took 5.6–6.6 s and 5.0–5.6 s of
// CPU, where curl took 1.7 s.
//
// Chunks are copied into the buffer being filled; the consumer gets whatever has gathered when it asks:
// a full buffer if it fell behind, the part filled so far if it is waiting — so batching never delays a
// slow transfer's bytes. A chunk lent to the consumer is a view of its buffer, which goes back to the pool
// when the consumer asks for the next (ReadOptions.reuseChunks). Backpressure: once every buffer is full or
// lent, the write callback is held, so the data socket stops being read until the consumer catches up.
import { Writable } from 'node:stream';
import type { BufferPool } from '../../util/buffer-pool';
import { LentChunks } from './lent-chunks';

export class CoalescingSink extends LentChunks {
  readonly sink: Writable;
  /** Full buffers not yet handed on. */
  private readonly ready: Buffer[] = [];
  private filling: Buffer | undefined;
  private filled = 0;
  /** Buffers taken from the pool and not given back: bounded by `buffers`. */
  private inUse = 0;
  /** The write waiting for a free buffer (backpressure). */
  private heldWrite: (() => void) | undefined;

  constructor(
    private readonly pool: BufferPool,
    /** Buffers in use at most: filled, lent, or being filled. */
    private readonly buffers: number,
  ) {
    super();
    this.sink = new Writable({
      write: (chunk: Buffer, _encoding, callback) => this.gather(chunk, callback),
      final: (callback) => {
        this.ended = true;
        this.notify();
        callback();
      },
      destroy: (error, callback) => {
        if (error) this.fail(error);
        callback(error);
      },
    });
  }

  protected abandoned(): void {
    // A held write is let go, so the pipe from the data socket can end.
    this.ready.length = 0;
    this.filling = undefined;
    this.release();
  }

  private gather(chunk: Buffer, callback: () => void): void {
    let offset = 0;
    while (offset < chunk.length && !this.ended) {
      if (!this.filling) {
        if (this.inUse >= this.buffers) {
          // Every buffer is full or lent: wait for the consumer, then gather the rest of this chunk.
          this.heldWrite = () => this.gather(chunk.subarray(offset), callback);
          return;
        }
        this.filling = this.pool.take();
        this.inUse += 1;
        this.filled = 0;
      }
      const copied = chunk.copy(this.filling, this.filled, offset);
      this.filled += copied;
      offset += copied;
      if (this.filled === this.filling.length) {
        this.ready.push(this.filling);
        this.filling = undefined;
      }
    }
    this.notify();
    callback();
  }

  /** The oldest full buffer, else what the buffer being filled holds so far. */
  protected takeChunk(): Buffer | undefined {
    const full = this.ready.shift();
    if (full) return full;
    if (!this.filling || this.filled === 0) return undefined;
    const part = this.filling.subarray(0, this.filled);
    this.filling = undefined;
    return part;
  }

  protected giveBack(chunk: Buffer): void {
    this.pool.give(Buffer.from(chunk.buffer, chunk.byteOffset, this.pool.size));
    this.inUse -= 1;
    this.release();
  }

  private release(): void {
    const held = this.heldWrite;
    this.heldWrite = undefined;
    held?.();
  }
}
