// One engine per data folder. Two processes (the desktop app and a `fileferry` command, say) writing one
// queue.json would silently overwrite each other's jobs, so the engine holds a pid lock file
// (util/pid-lock.ts) for its whole life; a second engine is refused with a message saying what to do.
import { join } from 'node:path';
import { FerryError } from '../../../shared/errors';
import { tryLock, type Unlock } from '../util/pid-lock';

export type { Unlock };

export async function lockQueue(dir: string): Promise<Unlock> {
  const attempt = await tryLock(join(dir, 'queue.lock'));
  if ('unlock' in attempt) return attempt.unlock;
  throw busy(dir, attempt.heldBy);
}

function busy(dir: string, pid: number | undefined): FerryError {
  const who = pid === undefined ? 'another FileFerry process' : `another FileFerry process (pid ${pid})`;
  return new FerryError(
    'AlreadyExists',
    `The transfer queue in ${dir} is in use by ${who}. Close it, or give this one its own data folder with FILEFERRY_HOME.`,
  );
}
