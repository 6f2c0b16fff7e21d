// The one way extraction reads a file: ranged reads from the start, never past a bound the caller sets, pulled
// chunk by chunk so a caller that has seen enough (the first bytes say "PNG") stops before the rest arrives.
// Stopping breaks out of the provider's iterator, which releases its connection (FTP closes the data
// connection, S3 destroys the response stream).
import type { CancelSignal, Provider } from '../../../../shared/provider';
import { throwIfAborted } from '../../util/abort';

export class SliceReader {
  private readonly chunks: Uint8Array[] = [];
  private held = 0;
  private joined: Uint8Array | undefined;
  private iterator: AsyncIterator<Uint8Array> | undefined;
  /** Where the open read ends (offset + length asked for). */
  private readEnd = 0;
  /** Bytes of the open read still to drop before keeping any (a provider that cannot start at an offset). */
  private skip = 0;
  private ended = false;
  /** Bytes the provider delivered, over every read. */
  delivered = 0;

  /**
   * `plan` is the length of the first read: what the caller expects to need (the whole slice for a text file,
   * a few KiB for an image). Asking for less than the plan stops early; asking for more opens another read
   * from where this one ends.
   */
  constructor(
    private readonly provider: Provider,
    private readonly path: string,
    private readonly size: number | undefined,
    private readonly plan: number,
    private readonly signal?: CancelSignal,
  ) {}

  /** Bytes held so far, from byte 0. */
  get length(): number {
    return this.held;
  }

  /** Whether the whole file is held (the size says so, or a read ended short of what it asked for). */
  get complete(): boolean {
    return this.ended || (this.size !== undefined && this.held >= this.size);
  }

  bytes(): Uint8Array {
    if (!this.joined || this.joined.length !== this.held) {
      this.joined = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.held);
      this.chunks.splice(0, this.chunks.length, this.joined);
    }
    return this.joined;
  }

  /** Reads until `target` bytes are held or the file ends; never asks the provider for a byte past `target`. */
  async readTo(target: number): Promise<void> {
    const goal = this.size === undefined ? target : Math.min(target, this.size);
    while (this.held < goal && !this.ended) {
      throwIfAborted(this.signal, 'Reading the file');
      if (!this.iterator) await this.open(goal);
      const next = await this.iterator!.next();
      if (next.done) {
        this.iterator = undefined;
        // A read that ends before the length it asked for has reached the end of the file.
        if (this.held < this.readEnd) this.ended = true;
        continue;
      }
      this.keep(next.value);
      if (this.held >= this.readEnd) await this.close();
    }
  }

  /** Ends the open read, if any, so the provider lets its connection go. */
  async close(): Promise<void> {
    const iterator = this.iterator;
    this.iterator = undefined;
    // Giving up on bytes nobody needs: a failure to close that read changes nothing in the answer.
    await iterator?.return?.().catch(() => undefined);
  }

  private async open(goal: number): Promise<void> {
    const offset = this.held;
    const end = Math.max(goal, offset === 0 ? Math.min(this.plan, this.size ?? this.plan) : goal);
    // A provider that cannot start at an offset reads again from byte 0, and the bytes already held are dropped.
    const fromZero = offset > 0 && !this.provider.capabilities.resumableRead;
    this.skip = fromZero ? offset : 0;
    const source = await this.provider.read(this.path, {
      offset: fromZero ? 0 : offset,
      length: fromZero ? end : end - offset,
      ...(this.signal ? { signal: this.signal } : {}),
    });
    this.iterator = source[Symbol.asyncIterator]();
    this.readEnd = end;
  }

  private keep(chunk: Uint8Array): void {
    this.delivered += chunk.byteLength;
    let piece = chunk;
    if (this.skip > 0) {
      const dropped = Math.min(this.skip, piece.byteLength);
      this.skip -= dropped;
      piece = piece.subarray(dropped);
    }
    // A read stops at its length by contract; should one deliver more, the excess is not kept (and readTo
    // closes the read at once), so what goes on stays within the bound.
    const room = this.readEnd - this.held;
    if (piece.byteLength > room) piece = piece.subarray(0, room);
    if (piece.byteLength === 0) return;
    this.chunks.push(piece);
    this.held += piece.byteLength;
  }
}
