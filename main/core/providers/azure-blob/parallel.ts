// A bounded set of concurrent tasks: run() waits for a free slot, so a producer never gets more than
// `limit` tasks (and their buffers) ahead of the network. The first failure stops new tasks.
export class BoundedParallel {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly limit: number) {}

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Starts `task` once a slot is free; throws the first failure of an earlier task instead. */
  async run(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    if (this.failure) throw this.failure.error;
    const promise: Promise<void> = task()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.running.delete(promise));
    this.running.add(promise);
  }

  /** Waits for every started task; throws the first failure. */
  async drain(): Promise<void> {
    await this.settle();
    if (this.failure) throw this.failure.error;
  }

  /** Waits for every started task, ignoring failures (used before rethrowing another error). */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }
}

/** Runs `task` for each item with at most `limit` in flight. */
export async function forEachParallel<T>(
  items: AsyncIterable<T> | Iterable<T>,
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  const pool = new BoundedParallel(limit);
  try {
    for await (const item of items) await pool.run(() => task(item));
  } catch (error) {
    await pool.settle();
    throw error;
  }
  await pool.drain();
}
