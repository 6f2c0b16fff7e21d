// Lock files that hold their owner's pid, created exclusively (O_EXCL). Two uses: the transfer queue, held
// for an engine's whole life (a second engine is refused at once), and the saved connections, held for one
// read-modify-write (a second writer waits its turn instead of overwriting the first one's change). A lock
// whose process is gone (a crash) is stale and taken over.
import { mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { sleep } from './abort';

const EMPTY_LOCK_STALE_MS = 5000;

/** Lock files this process holds (another holder in the same process must wait or be refused too). */
const heldHere = new Set<string>();

export type Unlock = () => Promise<void>;

/** The lock, or who holds it: a live pid, or undefined when it kept changing hands while we looked. */
export type LockAttempt = { unlock: Unlock } | { heldBy: number | undefined };

export async function tryLock(file: string): Promise<LockAttempt> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  if (heldHere.has(file)) return { heldBy: process.pid };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      heldHere.add(file);
      return {
        unlock: async () => {
          heldHere.delete(file);
          await unlink(file).catch(() => undefined);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const text = await readFile(file, 'utf8').catch(() => undefined);
      // Gone between our create and our read: simply try again.
      if (text === undefined) continue;
      const owner = Number(text.trim());
      // An empty file is a lock being written this instant (create, then write the pid), unless a crash
      // came in between long ago.
      if (text.trim() === '' && !(await olderThan(file, EMPTY_LOCK_STALE_MS))) return { heldBy: undefined };
      // Our own pid without our own record is a leftover of an earlier process that had this pid.
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) return { heldBy: owner };
      await unlink(file).catch(() => undefined);
    }
  }
  return { heldBy: undefined };
}

/**
 * Runs `task` holding the lock, waiting up to `waitMs` for another holder to finish. Meant for short
 * critical sections (a settings file's read-modify-write), not for locks held for a process's life.
 */
export async function withLock<T>(
  file: string,
  task: () => Promise<T>,
  onTimeout: (heldBy: number | undefined) => Error,
  waitMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    const attempt = await tryLock(file);
    if ('unlock' in attempt) {
      try {
        return await task();
      } finally {
        await attempt.unlock();
      }
    }
    if (Date.now() >= deadline) throw onTimeout(attempt.heldBy);
    await sleep(delay);
  }
}

async function olderThan(file: string, ms: number): Promise<boolean> {
  const info = await stat(file).catch(() => undefined);
  return info === undefined || Date.now() - info.mtimeMs > ms;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
