// The pid lock files (util/pid-lock.ts) through the transfer queue's lock: one engine per data folder, a
// live holder in this or another process refuses a second, a crashed holder's lock is taken over.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { lockQueue } from '../../main/core/transfers/queue-lock';
import { expectCode } from '../helpers/expect-error';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-queue-lock-'));
  dirs.push(dir);
  return dir;
}

/** A process that stays alive until killed. */
function liveProcess(): { pid: number; stop(): Promise<void> } {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid!,
    stop: async () => {
      child.kill();
      await exited;
    },
  };
}

/** The pid of a process that has already ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('transfer queue lock', () => {
  it('refuses a second engine in the same process, and frees the folder on unlock', async () => {
    const dir = await dataDir();
    const unlock = await lockQueue(dir);
    const error = await expectCode(lockQueue(dir), 'AlreadyExists');
    assert.match(error.message, /in use by another FileFerry process/);
    assert.match(error.message, /FILEFERRY_HOME/);
    await unlock();
    await assert.rejects(access(join(dir, 'queue.lock')), { code: 'ENOENT' });
    await (
      await lockQueue(dir)
    )();
  });

  it('refuses while another live process holds it, naming its pid', async () => {
    const dir = await dataDir();
    const other = liveProcess();
    try {
      await writeFile(join(dir, 'queue.lock'), String(other.pid));
      const error = await expectCode(lockQueue(dir), 'AlreadyExists');
      assert.match(error.message, new RegExp(`pid ${other.pid}`));
    } finally {
      await other.stop();
    }
  });

  it('takes over the lock of a process that crashed', async () => {
    const dir = await dataDir();
    await writeFile(join(dir, 'queue.lock'), String(await deadPid()));
    const unlock = await lockQueue(dir);
    await unlock();
  });

  it('waits out a lock being written this instant, but not one a crash left empty long ago', async () => {
    const dir = await dataDir();
    const file = join(dir, 'queue.lock');
    await writeFile(file, '');
    await expectCode(lockQueue(dir), 'AlreadyExists');
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(file, longAgo, longAgo);
    await (
      await lockQueue(dir)
    )();
  });
});
