// Reads a plain (non-TLS) data connection into a few reused buffers instead of a fresh allocation per
// socket read. Node's default read path allocates a new 64 KiB buffer for every read; at 1 GiB that is
// 16,000 allocations whose fresh pages the kernel must fault in and zero, and it measured at about twice
// the system time of reusing buffers (loopback vsftpd: 1.8–2.5 s against 0.8–1.2 s CPU per GiB).
//
// The socket reads straight into a pooled buffer (net.Socket's `onread`); each chunk goes to the consumer
// as a view of its buffer, and that buffer returns to the pool when the consumer asks for the next chunk.
// That is only safe for a consumer that has finished with a chunk by then: ReadOptions.reuseChunks.
// Backpressure: when the pool runs dry the socket is paused (so basic-ftp's watchdog sees us, not the
// server, holding the transfer up) and resumed once the consumer gives buffers back.
// The buffers come from a pool shared by the provider's downloads, and go back to it when the download has
// ended and the consumer has asked past its last chunk: then neither the socket nor the consumer holds one.
import { Socket, type OnReadOpts, type SocketConstructorOpts } from 'node:net';
import type { BufferPool } from '../../util/buffer-pool';
import { LentChunks } from './lent-chunks';

export class RecyclingReader extends LentChunks {
  private readonly free: Buffer[] = [];
  /** Buffers taken from the shared pool so far: taken as needed, so a small file's download takes one or two. */
  private made = 0;
  private readonly queue: Buffer[] = [];
  private socket: Socket | undefined;
  /** The buffer Node will read into next (it asks for one after each read, so one waits unfilled at the end). */
  private installed: Buffer | undefined;

  constructor(
    private readonly pool: BufferPool,
    /** Buffers in use at most (queued, lent, or being read into), give or take one. */
    private readonly buffers: number,
  ) {
    super();
  }

  /** A new, unconnected data socket that reads into this reader's buffers (for the passive-mode connect). */
  createSocket(): Socket {
    // Node's Socket constructor takes `onread` as connect() does; @types/node lists it for connect() only.
    const options: SocketConstructorOpts & { onread: OnReadOpts } = {
      onread: {
        buffer: () => this.take(),
        callback: (bytes: number, buffer: Uint8Array) => this.received(bytes, buffer as Buffer),
      },
    };
    const socket = new Socket(options);
    socket.once('end', () => {
      if (socket !== this.socket) return;
      this.ended = true;
      this.notify();
    });
    this.socket = socket;
    return socket;
  }

  protected takeChunk(): Buffer | undefined {
    return this.queue.shift();
  }

  protected abandoned(): void {
    // The socket may still be reading into a buffer, so none goes back to the pool.
    this.installed = undefined;
    this.queue.length = 0;
    this.free.length = 0;
  }

  private take(): Buffer {
    let buffer = this.free.pop();
    if (!buffer) {
      this.made += 1;
      buffer = this.pool.take();
    }
    this.installed = buffer;
    return buffer;
  }

  private received(bytes: number, buffer: Buffer): boolean {
    if (buffer === this.installed) this.installed = undefined;
    this.queue.push(buffer.subarray(0, bytes));
    // After this callback Node takes the next read's buffer from take(): pause once that would be the last.
    if (this.free.length <= 1 && this.made >= this.buffers) this.socket?.pause();
    this.notify();
    return true;
  }

  /**
   * The download ended and the consumer asked past its last chunk: the socket reads no more after its end,
   * so the buffer it was given for the read that found the end goes back too.
   */
  protected override finished(): void {
    if (this.installed) this.free.push(this.installed);
    this.installed = undefined;
    for (const buffer of this.free) this.pool.give(buffer);
    this.free.length = 0;
  }

  protected giveBack(chunk: Buffer): void {
    this.free.push(Buffer.from(chunk.buffer, chunk.byteOffset, this.pool.size));
    if (this.free.length >= 2 && this.socket?.isPaused() && !this.ended) this.socket.resume();
  }
}
