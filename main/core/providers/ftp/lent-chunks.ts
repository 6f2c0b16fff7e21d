// The consumer's side of a download into reused buffers (RecyclingReader, CoalescingSink): chunks go out
// one at a time as views of their buffers, each lent until the consumer asks for the next
// (ReadOptions.reuseChunks), and a failure of the transfer reaches the consumer's next or pending request.
// Subclasses say where chunks come from and what giving one back means.
export abstract class LentChunks implements AsyncIterator<Buffer> {
  /** No more chunks will arrive than those already gathered. */
  protected ended = false;
  private failure: unknown;
  private wake: (() => void) | undefined;
  /** The chunk the consumer holds until it asks for the next. */
  private lent: Buffer | undefined;

  /** The transfer failed: the consumer's next (or pending) chunk request rejects with this. */
  fail(error: unknown): void {
    this.failure ??= error;
    this.notify();
  }

  async next(): Promise<IteratorResult<Buffer>> {
    const lent = this.lent;
    this.lent = undefined;
    if (lent) this.giveBack(lent);
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      const chunk = this.takeChunk();
      if (chunk) {
        this.lent = chunk;
        return { done: false, value: chunk };
      }
      if (this.ended) {
        this.finished();
        return { done: true, value: undefined };
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Abandoned before the end (the consumer stopped early): nothing more is handed on. */
  async return(): Promise<IteratorResult<Buffer>> {
    this.ended = true;
    this.lent = undefined;
    this.abandoned();
    return { done: true, value: undefined };
  }

  /** Wakes a consumer waiting for a chunk, the end or a failure. */
  protected notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** The next chunk ready for the consumer, if any. */
  protected abstract takeChunk(): Buffer | undefined;
  /** The consumer is done with `chunk`: its buffer may be refilled. */
  protected abstract giveBack(chunk: Buffer): void;
  /** The consumer asked past the last chunk. */
  protected finished(): void {}
  /** See return(). */
  protected abstract abandoned(): void;
}
