// Copies small files on a local disk in a worker thread. A folder job of 100,000 small files is a string of
// system calls (copy, set the time, check the size, rename: ~65 µs a file here); made on the main thread they
// kept one core busy while the other idled, and a copy took longer than rsync, which spreads the same calls
// over three processes. The worker makes them back to back for one file at a time, while the main thread
// plans, records and reports the next ones (a round trip costs ~12 µs).
//
// Only for a confined target on Linux (confinement.ts): the worker names every entry through the folder the
// main thread holds open (/proc/self/fd/N/name) and, right before the calls, checks that the folder is still
// where it was held — the same check the main thread would make. When it is not, the worker does nothing
// and the caller takes the usual path, which holds the folder afresh (and refuses a link that leads out).
import { Worker } from 'node:worker_threads';
import { reapplyHeapFlags } from '../../util/heap-flags';

/** One small file to copy into a held folder. */
export interface SmallCopy {
  /** The held folder's descriptor and the real path it had when it was checked. */
  folderFd: number;
  folderReal: string;
  /** The source, as an OS path. */
  from: string;
  /** The name the copy is made under, in the held folder. */
  name: string;
  /** The copy's modification time (ms since the epoch). */
  mtimeMs: number;
  /** Rename the copy to this name in the same folder once it holds `size` bytes (CopyOptions.commitAs). */
  commit?: { name: string; size: number };
}

/** What the worker did: copied (and committed), found the folder moved, or a size or system error. */
export type SmallCopyOutcome =
  | { kind: 'copied' }
  | { kind: 'moved' }
  | { kind: 'size'; stored: number }
  | { kind: 'failed'; error: NodeJS.ErrnoException };

// Plain JavaScript, evaluated as the worker's source: a bundled build (the CLI, the app) has no file to point
// a Worker at. It imports nothing of FileFerry's.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
parentPort.on('message', (job) => {
  const base = '/proc/self/fd/' + job.folderFd + '/';
  let outcome;
  try {
    if (fs.readlinkSync('/proc/self/fd/' + job.folderFd) !== job.folderReal) outcome = { kind: 'moved' };
    else {
      const entry = base + job.name;
      try {
        fs.copyFileSync(job.from, entry, fs.constants.COPYFILE_EXCL);
      } catch (error) {
        if (error.code !== 'EEXIST') throw error;
        fs.unlinkSync(entry); // whatever sat under the name (a link included) is replaced, never followed
        fs.copyFileSync(job.from, entry, fs.constants.COPYFILE_EXCL);
      }
      const when = new Date(job.mtimeMs);
      fs.lutimesSync(entry, when, when);
      outcome = { kind: 'copied' };
      if (job.commit) {
        const stored = fs.lstatSync(entry).size;
        if (stored !== job.commit.size) {
          fs.unlinkSync(entry);
          outcome = { kind: 'size', stored };
        } else fs.renameSync(entry, base + job.commit.name);
      }
    }
  } catch (error) {
    outcome = { kind: 'failed', error: { code: error.code, message: error.message, syscall: error.syscall } };
  }
  parentPort.postMessage({ id: job.id, outcome });
});
`;

interface Pending {
  resolve: (outcome: SmallCopyOutcome | undefined) => void;
}

/** The process's one copier thread, started on first use; it keeps the process alive only while it works. */
class SmallCopier {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  /** Copies the file, or resolves undefined when the thread is unavailable (the caller copies it itself). */
  run(copy: SmallCopy): Promise<SmallCopyOutcome | undefined> {
    const worker = this.started();
    if (!worker) return Promise.resolve(undefined);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ id, ...copy });
    });
  }

  private started(): Worker | undefined {
    if (this.worker) return this.worker;
    try {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        name: 'fileferry-small-copies',
        // Not the process's options: --input-type=module (or a loader such as tsx's) would make the source
        // above an ES module, where require() does not exist.
        execArgv: [],
        // It holds a message at a time: the smallest heap V8 allows keeps the thread's memory to a few MiB.
        resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8, stackSizeMb: 1 },
      });
      worker.unref();
      // The thread's start put V8's flags back to the command line's (util/heap-flags.ts).
      worker.once('online', reapplyHeapFlags);
      worker.on('message', (message: { id: number; outcome: SmallCopyOutcome }) => {
        const waiting = this.pending.get(message.id);
        if (!waiting) return;
        this.pending.delete(message.id);
        if (this.pending.size === 0) worker.unref();
        waiting.resolve(message.outcome);
      });
      // A thread that dies hands its files back to the callers, who copy them on the main thread.
      const gone = () => {
        if (this.worker === worker) this.worker = undefined;
        for (const waiting of this.pending.values()) waiting.resolve(undefined);
        this.pending.clear();
      };
      worker.once('error', gone);
      worker.once('exit', gone);
      this.worker = worker;
      return worker;
    } catch {
      return undefined;
    }
  }
}

export const smallCopier = new SmallCopier();
