// One engine per data folder. Two processes (the desktop app and a `fileferry` command, say) writing one
// queue.json would silently overwrite each other's jobs, so the engine holds a lock file with its pid.
// A lock whose process is gone (a crash) is stale and taken over.
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError } from '../../../shared/errors';

const heldHere = new Set<string>();

export type Unlock = () => Promise<void>;

export async function lockQueue(dir: string): Promise<Unlock> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'queue.lock');
  if (heldHere.has(file)) throw busy(dir, process.pid);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      heldHere.add(file);
      return async () => {
        heldHere.delete(file);
        await unlink(file).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      // Our own pid without our own record is a leftover of an earlier process that had this pid.
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) throw busy(dir, owner);
      await unlink(file).catch(() => undefined);
    }
  }
  throw busy(dir, undefined);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function busy(dir: string, pid: number | undefined): FerryError {
  const who = pid === undefined ? 'another FileFerry process' : `another FileFerry process (pid ${pid})`;
  return new FerryError(
    'AlreadyExists',
    `The transfer queue in ${dir} is in use by ${who}. Close it, or give this one its own data folder with FILEFERRY_HOME.`,
  );
}
