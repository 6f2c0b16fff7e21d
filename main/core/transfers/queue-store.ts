// The persisted queue: one JSON file written atomically (temporary + fsync + rename), so a crash leaves
// either the previous or the new queue, never half of one. Saves are throttled (progress marks the queue
// dirty many times a second; it is written at most once a second, and for a queue so large that a write
// takes long, at most a tenth of the time) and serialised (one write at a time).
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log/logger';
import type { StoredQueue } from './job-model';

const MIN_INTERVAL_MS = 1000;
/** Progress waits at least this many times as long as the last write took. */
const INTERVAL_PER_WRITE_TIME = 10;

export class QueueStore {
  readonly file: string;
  private dirty = false;
  /** A state change is waiting: written right after the current write, not after the interval. */
  private urgent = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> | undefined;
  private lastWrite = 0;
  private interval = MIN_INTERVAL_MS;

  constructor(
    readonly dir: string,
    private readonly snapshot: () => StoredQueue,
    private readonly log: Logger,
  ) {
    this.file = join(dir, 'queue.json');
  }

  /** Reads the queue; a missing file is an empty queue, an unreadable one is set aside (never lost) and reported. */
  async load(): Promise<StoredQueue> {
    await mkdir(this.dir, { recursive: true });
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, jobs: [] };
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as StoredQueue;
      if (parsed?.version !== 1 || !Array.isArray(parsed.jobs)) throw new Error('unknown queue format');
      return parsed;
    } catch (error) {
      const aside = `${this.file}.unreadable-${Date.now()}`;
      await rename(this.file, aside).catch(() => undefined);
      this.log.error('The transfer queue could not be read; it was set aside and the queue starts empty', {
        aside,
        error,
      });
      return { version: 1, jobs: [] };
    }
  }

  /** Something changed that should survive a restart, but need not be written this instant (progress). */
  markDirty(): void {
    this.dirty = true;
    this.schedule();
  }

  /** A state change: write as soon as the current write (if any) is done. */
  saveSoon(): void {
    this.dirty = true;
    this.urgent = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    void this.writeLoop();
  }

  /** Resolves when everything marked so far is on disk. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.dirty || this.writing) {
      if (this.writing) await this.writing;
      else await this.writeLoop();
    }
  }

  /** Writes after the interval since the last write; a write in progress reschedules when it ends. */
  private schedule(): void {
    if (this.timer || this.writing) return;
    const wait = Math.max(0, this.lastWrite + this.interval - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeLoop();
    }, wait);
    this.timer.unref?.();
  }

  private writeLoop(): Promise<void> {
    if (this.writing) return this.writing;
    this.writing = (async () => {
      try {
        // Progress marked during a write waits for the interval (a busy job marks it many times a
        // second, and each write serialises and fsyncs the whole queue); a state change does not.
        do {
          this.dirty = false;
          this.urgent = false;
          const started = Date.now();
          await this.writeNow(JSON.stringify(this.snapshot()));
          this.lastWrite = Date.now();
          this.interval = Math.max(MIN_INTERVAL_MS, (this.lastWrite - started) * INTERVAL_PER_WRITE_TIME);
        } while (this.urgent);
      } catch (error) {
        this.log.error('The transfer queue could not be saved', { file: this.file, error });
      } finally {
        this.writing = undefined;
        if (this.dirty) this.schedule();
      }
    })();
    return this.writing;
  }

  private async writeNow(text: string): Promise<void> {
    const temp = `${this.file}.${process.pid}.tmp`;
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, this.file);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }
}
