// A few fixed-size buffers reused for upload parts and blocks. Without reuse, every 8 MiB part is a fresh
// allocation whose memory lingers until a garbage collection notices it, so a streaming upload's resident
// memory climbed well past its (in flight + filling) parts. Only buffers whose request has completed may
// come back: one still being written to a socket (or kept for an SDK retry) must never be refilled.
export class BufferPool {
  private readonly free: Buffer[] = [];

  constructor(
    readonly size: number,
    /** Buffers kept for reuse at most; more than that are left to the garbage collector. */
    private readonly keep: number,
  ) {}

  /** A buffer of `size` bytes with undefined contents. */
  take(): Buffer {
    // allocUnsafeSlow: a whole buffer of its own, never a slice of Node's shared small-buffer pool.
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  /** Gives back a buffer from take() (or a view of one) whose contents are no longer needed. */
  give(buffer: Buffer): void {
    if (this.free.length >= this.keep) return;
    const whole = buffer.byteOffset === 0 && buffer.buffer.byteLength === this.size;
    if (!whole) return;
    const full = buffer.length === this.size ? buffer : Buffer.from(buffer.buffer, 0, this.size);
    if (!this.free.some((kept) => kept.buffer === full.buffer)) this.free.push(full);
  }
}
