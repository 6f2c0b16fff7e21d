// Keeps the engine's local writes inside the folder the user chose. A link planted or forgotten in the target
// (target/top/d -> ~/.ssh) must never let a copy write, create folders, rename or remove outside it.
//
// The rule (documented in the README): links that lead somewhere inside the target folder are followed; a link
// that leads outside it is never written through — the file that would go through it fails with a message
// naming the link. A link under the very name being written is replaced, never followed, as rsync does (the
// engine writes to a temporary and renames it over the final name).
//
// Checking a name and then using it races with someone swapping a link in between. On Linux each operation
// therefore holds the folder it works in open and names the entry relative to that handle
// (/proc/self/fd/N/name resolves through the open folder, not by its path), after checking where the handle
// really is (readlink of /proc/self/fd/N). The final component is opened with O_NOFOLLOW. Elsewhere (no
// /proc) the check is made on the resolved path just before the operation: the same rule, with a small window.
import { constants, existsSync, readlinkSync } from 'node:fs';
import { lstat, open, readlink, realpath, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { FerryError } from '../../../../shared/errors';
import { fsError } from './errors';

const PROC_FD = '/proc/self/fd';
const HAS_PROC_FD = process.platform === 'linux' && existsSync(PROC_FD);
/** Folders kept open between operations: a folder job writes file after file into the same few folders. */
const KEEP_OPEN = 8;
/** Folders kept open are closed after this long without use. */
const KEEP_OPEN_MS = 2000;

interface OpenFolder {
  folder: HeldFolder;
  /** Operations using it now: it is not closed under them. */
  users: number;
  /** No longer where it was when held: closed once its last operation ends. */
  retired?: boolean;
}

/** A folder held open (Linux) or resolved (elsewhere), whose entries are named through it. */
export interface HeldFolder {
  /** Where the folder really is (all links resolved). */
  readonly real: string;
  /** A path naming `name` inside this very folder, for fs calls. */
  entry(name: string): string;
  /** The open folder's descriptor (Linux); undefined where the folder is named by path. */
  readonly fd?: number;
  close(): Promise<void>;
}

/** The folder the user chose, resolved, with the rule above. */
export class Confinement {
  /** Held folders by OS path, least recently used first (see lease()). */
  private readonly open = new Map<string, OpenFolder>();
  private idle: ReturnType<typeof setTimeout> | undefined;

  private constructor(
    /** The chosen folder as an OS path, as the user named it. */
    readonly chosen: string,
    /** The same folder with every link resolved (for a folder not created yet: its existing ancestor's). */
    readonly real: string,
    /** Maps an OS path back to the provider path shown in messages. */
    private readonly shown: (osPath: string) => string,
  ) {}

  /** Links in the chosen path itself are followed: the user named them. */
  static async of(chosen: string, shown: (osPath: string) => string): Promise<Confinement> {
    return new Confinement(chosen, await resolveExisting(chosen), shown);
  }

  isInside(real: string): boolean {
    return real === this.real || real.startsWith(this.real.endsWith(path.sep) ? this.real : this.real + path.sep);
  }

  /** Whether an OS path (as named, not resolved) lies under the chosen folder. */
  covers(osPath: string): boolean {
    const relative = path.relative(this.chosen, osPath);
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  }

  /**
   * Holds `osDir` (which must exist) for operations on its entries, after checking that it really lies inside
   * the chosen folder. Throws PermissionDenied naming the link that leads out. `via` opens it through an
   * entry of a folder already held, so that no name is resolved twice.
   */
  async hold(osDir: string, via = osDir): Promise<HeldFolder> {
    this.assertCovers(osDir);
    if (!HAS_PROC_FD) {
      const real = await realpath(via).catch((error) => {
        throw fsError(error, this.shown(osDir));
      });
      if (!this.isInside(real)) throw await this.outside(osDir);
      return { real, entry: (name) => path.join(osDir, name), close: async () => {} };
    }
    let handle: FileHandle;
    try {
      handle = await open(via, constants.O_RDONLY | constants.O_DIRECTORY);
    } catch (error) {
      throw fsError(error, this.shown(osDir));
    }
    try {
      const real = await readlink(`${PROC_FD}/${handle.fd}`);
      if (!this.isInside(real)) throw await this.outside(osDir);
      const base = `${PROC_FD}/${handle.fd}`;
      return { real, fd: handle.fd, entry: (name) => `${base}/${name}`, close: () => handle.close() };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /**
   * Holds an entry's own folder; `use` gets the held folder and the entry's name. `checksItself`: `use` checks
   * that a folder held already is still where it was (HeldFolder.real) right before it uses it, so the lease
   * does not check too (small-copies.ts, which makes its calls in another thread).
   */
  async inFolderOf<T>(
    osPath: string,
    use: (folder: HeldFolder, name: string) => Promise<T>,
    checksItself = false,
  ): Promise<T> {
    const dir = path.dirname(osPath);
    const lease = await this.lease(dir, checksItself);
    try {
      return await use(lease.folder, path.basename(osPath));
    } finally {
      lease.users--;
      if (lease.retired && lease.users === 0) void lease.folder.close().catch(() => undefined);
      this.tidy();
    }
  }

  /**
   * A held folder for `dir`, reusing one held already while it is where it was: the kernel's word on where the
   * open folder is now (/proc/self/fd, read synchronously: it never waits for a disk) must still be the path it
   * had when it was checked. A folder moved away, or replaced by a link, since then is held afresh and checked.
   */
  private async lease(dir: string, checkedInUse: boolean): Promise<OpenFolder> {
    const cached = this.open.get(dir);
    if (cached && (checkedInUse ? cached.folder.fd !== undefined : this.stillAt(cached.folder))) {
      this.open.delete(dir);
      this.open.set(dir, cached); // most recently used last
      cached.users++;
      return cached;
    }
    const entry: OpenFolder = { folder: await this.hold(dir), users: 1 };
    const replaced = this.open.get(dir);
    if (replaced) {
      // Moved away since: closed now, or by the last operation still using it.
      replaced.retired = true;
      if (replaced.users === 0) void replaced.folder.close().catch(() => undefined);
    }
    this.open.delete(dir);
    this.open.set(dir, entry);
    return entry;
  }

  private stillAt(folder: HeldFolder): boolean {
    if (!folder.fd) return false;
    try {
      return readlinkSync(`${PROC_FD}/${folder.fd}`) === folder.real;
    } catch {
      return false;
    }
  }

  /** Closes the least recently used folders beyond KEEP_OPEN, and all unused ones once idle. */
  private tidy(): void {
    for (const [dir, entry] of this.open) {
      if (this.open.size <= KEEP_OPEN) break;
      if (entry.users > 0) continue;
      this.open.delete(dir);
      void entry.folder.close().catch(() => undefined);
    }
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      for (const [dir, entry] of this.open) {
        if (entry.users > 0) continue;
        this.open.delete(dir);
        void entry.folder.close().catch(() => undefined);
      }
    }, KEEP_OPEN_MS);
    this.idle.unref();
  }

  /** Refuses a path the chosen folder does not cover (the engine never asks for one; a bug must not write). */
  assertCovers(osPath: string): void {
    if (!this.covers(osPath)) {
      throw new FerryError(
        'PermissionDenied',
        `${this.shown(osPath)} is outside the folder chosen for this transfer (${this.shown(this.chosen)}).`,
      );
    }
  }

  /** The error for a path that resolves outside: names the first link on the way that leads out. */
  async outside(osPath: string): Promise<FerryError> {
    const relative = path.relative(this.chosen, osPath);
    let at = this.chosen;
    for (const segment of relative === '' ? [] : relative.split(path.sep)) {
      at = path.join(at, segment);
      const info = await lstat(at).catch(() => undefined);
      if (!info?.isSymbolicLink()) continue;
      const leadsTo = await realpath(at).catch(async () => path.resolve(path.dirname(at), await readlink(at)));
      if (!this.isInside(leadsTo))
        return linkError(this.shown(osPath), this.shown(at), leadsTo, this.shown(this.chosen));
    }
    return linkError(this.shown(osPath), this.shown(osPath), '(a folder that moved)', this.shown(this.chosen));
  }
}

export function linkError(what: string, link: string, leadsTo: string, chosen: string): FerryError {
  return new FerryError(
    'PermissionDenied',
    `Refused to write ${what}: ${link} is a symbolic link to ${leadsTo}, outside the folder chosen for this ` +
      `transfer (${chosen}). FileFerry never writes through a link that leads out of the target folder; ` +
      'remove the link (or replace it with a real folder) and copy again.',
    { details: { link, leadsTo } },
  );
}

/** The real path of `osPath`, or, when it does not exist yet, of its deepest existing ancestor plus the rest. */
async function resolveExisting(osPath: string): Promise<string> {
  const rest: string[] = [];
  for (let at = path.resolve(osPath); ; at = path.dirname(at)) {
    try {
      return path.join(await realpath(at), ...rest.reverse());
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || path.dirname(at) === at) throw error;
      rest.push(path.basename(at));
    }
  }
}
