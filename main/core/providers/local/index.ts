// The local disk provider. Remote-style paths ("/a/b") map onto a root folder (the file system root by
// default, or spec.root), so the same engine code serves local and remote sides alike.
import { constants, copyFileSync, lstatSync, lutimesSync, renameSync, statSync, unlinkSync, type Stats } from 'node:fs';
import {
  copyFile,
  lstat,
  lutimes,
  mkdir,
  open,
  rename,
  rm,
  rmdir,
  stat,
  unlink,
  utimes,
  type FileHandle,
} from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { LocalSpec } from '../../../../shared/connection';
import { cancelledError, FerryError } from '../../../../shared/errors';
import { joinPath, normalizePath } from '../../../../shared/paths';
import type {
  CallOptions,
  CopyOptions,
  CancelSignal,
  Capabilities,
  Entry,
  HashAlgorithm,
  ListOptions,
  Provider,
  ReadOptions,
  RemoveOptions,
  WriteOptions,
  WriteResult,
} from '../../../../shared/provider';
import { onAbort, throwIfAborted } from '../../util/abort';
import { hashStream } from '../../util/hash';
import type { ProviderContext } from '../registry';
import { reportSkipped } from '../skipped-names';
import { Confinement } from './confinement';
import { onLocalDisk, SMALL_FILE_BYTES } from './disk-kind';
import { fsError } from './errors';
import { assertLocalSegments, entryName, LOCAL_NAME_RULES, openFolderAsBytes } from './names';
import { readRecycled } from './recycled-read';
import { smallCopier } from './small-copies';

const CAPABILITIES: Capabilities = {
  hashes: ['sha256', 'sha1', 'md5'],
  reportedHashes: [],
  modTimePrecisionMs: 1,
  setModTime: true,
  resumableRead: true,
  resumableWrite: 'append',
  atomicWrite: false,
  maxConnections: 8,
  emptyFolders: true,
  cheapRename: true,
  commitsCopies: true,
  writeReleasesChunks: true,
  ...(LOCAL_NAME_RULES ? { nameRules: LOCAL_NAME_RULES } : {}),
};

const PAGE_SIZE = 500;
// Chunks of 1 MiB: a quarter of the reads, stream callbacks and allocations of 256 KiB, which measurably
// lowered CPU per GiB on loopback FTP (user time about halved); memory stays a few MiB per stream.
const STREAM_CHUNK = 1024 * 1024;
/** Buffers of a read with reuseChunks: the consumer's chunk and three read ahead. */
const RECYCLED_BUFFERS = 4;

export class LocalProvider implements Provider {
  readonly capabilities = CAPABILITIES;
  readonly siteKey: string;
  private readonly root: string;

  constructor(
    root: string,
    private readonly context: ProviderContext,
    /** Set on the view confine() returns: writes stay inside the folder a transfer was asked to fill. */
    private readonly confinement?: Confinement,
    /** The confined folder is on a local disk: metadata calls and small copies are made synchronously. */
    private readonly localDisk = false,
  ) {
    this.root = path.resolve(root);
    this.siteKey = `file://${this.root}`;
  }

  async confine(named: string): Promise<Provider> {
    const osPath = this.toOsPath(named);
    const folder = (await stat(osPath).catch(() => undefined))?.isDirectory() ? osPath : path.dirname(osPath);
    const confinement = await Confinement.of(folder, (at) => this.shownPath(at));
    return new LocalProvider(this.root, this.context, confinement, await onLocalDisk(confinement.real));
  }

  /** The provider path of an OS path under root (for messages); other paths as they are. */
  private shownPath(osPath: string): string {
    const relative = path.relative(this.root, osPath);
    if (relative.startsWith('..') || path.isAbsolute(relative)) return osPath;
    return '/' + relative.split(path.sep).filter(Boolean).join('/');
  }

  /** The OS path for a provider path. normalizePath() has already resolved "..", so the result stays under root. */
  toOsPath(remotePath: string): string {
    const segments = normalizePath(remotePath).split('/').filter(Boolean);
    assertLocalSegments(segments, remotePath);
    return path.join(this.root, ...segments);
  }

  async *list(dirPath: string, options: ListOptions = {}): AsyncIterable<Entry[]> {
    const base = normalizePath(dirPath);
    const osPath = this.toOsPath(base);
    let dir;
    try {
      const info = await stat(osPath);
      if (!info.isDirectory()) throw new FerryError('NotFound', `${base} is not a folder.`);
      dir = await openFolderAsBytes(osPath);
    } catch (error) {
      throw fsError(error, base);
    }
    const pageSize = options.pageSize ?? PAGE_SIZE;
    // Names are read a page at a time and described together: the stats run side by side in the thread pool,
    // where one at a time made a folder of 100,000 files wait for 100,000 round trips in turn.
    let names: string[] = [];
    const quick = await onLocalDisk(osPath);
    // A listed name is one segment that entryName() accepted: its paths are built by joining, not parsed
    // again (a folder of 100,000 names paid for parsing each path twice).
    const osPrefix = osPath.endsWith(path.sep) ? osPath : osPath + path.sep;
    const prefix = base === '/' ? '/' : `${base}/`;
    const describePage = async (): Promise<Entry[]> => {
      const described = quick
        ? names.map((name) => describeAt(osPrefix + name, prefix + name, name))
        : await Promise.all(
            names.map((name) => this.describe(joinPath(base, name)).catch(() => undefined)), // vanished meanwhile
          );
      names = [];
      // Special files (FIFOs, sockets, devices) are listed like files; read() refuses them with a clear error,
      // so a copy reports them as failed instead of hiding them.
      return described.filter((entry): entry is Entry => entry !== undefined);
    };
    for await (const dirent of dir) {
      throwIfAborted(options.signal);
      const read = entryName(dirent);
      if ('skipped' in read) {
        reportSkipped(this.context.log, options, base, read.skipped);
        continue;
      }
      names.push(read.name);
      if (names.length >= pageSize) yield await describePage();
    }
    if (names.length > 0) yield await describePage();
  }

  async stat(filePath: string): Promise<Entry> {
    const normal = normalizePath(filePath);
    if (!this.localDisk) return this.describe(normal);
    const entry = this.describeNow(normal);
    if (!entry) return this.describe(normal); // for the error
    return entry;
  }

  private async describe(normal: string): Promise<Entry> {
    const osPath = this.toOsPath(normal);
    try {
      const link = await lstat(osPath);
      // Follow links for size and type, but say it is one; a dangling link is a zero-size file.
      return entryOf(normal, link, link.isSymbolicLink() ? await stat(osPath).catch(() => link) : link);
    } catch (error) {
      throw fsError(error, normal);
    }
  }

  /** describe() made synchronously, for a local disk (disk-kind.ts); undefined when the entry is not there. */
  private describeNow(normal: string): Entry | undefined {
    return describeAt(this.toOsPath(normal), normal, normal === '/' ? '' : path.posix.basename(normal));
  }

  async read(filePath: string, options: ReadOptions = {}): Promise<AsyncIterable<Uint8Array>> {
    const normal = normalizePath(filePath);
    throwIfAborted(options.signal);
    const start = options.offset ?? 0;
    const end = options.length === undefined ? undefined : start + options.length - 1;
    if (options.length === 0) return Readable.from([]);
    // Open first so a missing file fails here with NotFound, not later inside the consumer's loop.
    const handle = await open(this.toOsPath(normal), constants.O_RDONLY | constants.O_NONBLOCK).catch((error) => {
      throw fsError(error, normal);
    });
    const info = await handle.stat();
    if (!info.isFile()) {
      await handle.close();
      throw new FerryError(
        'InvalidInput',
        info.isDirectory()
          ? `${normal} is a folder, not a file.`
          : `${normal} is a special file (FIFO, socket or device) and cannot be copied.`,
      );
    }
    if (options.reuseChunks) {
      const last = end === undefined ? undefined : end + 1;
      return readRecycled(handle, {
        start,
        end: last,
        sizeHint: info.size,
        chunkSize: STREAM_CHUNK,
        buffers: RECYCLED_BUFFERS,
        signal: options.signal,
      });
    }
    const stream = handle.createReadStream({ start, end, highWaterMark: STREAM_CHUNK, autoClose: true });
    const detach = onAbort(options.signal, () => stream.destroy(cancelledError('Reading')));
    stream.once('close', detach);
    return stream;
  }

  async write(filePath: string, source: AsyncIterable<Uint8Array>, options: WriteOptions = {}): Promise<WriteResult> {
    const normal = normalizePath(filePath);
    const osPath = this.toOsPath(normal);
    throwIfAborted(options.signal);
    const offset = options.offset ?? 0;
    if (offset > 0) {
      const existing = await stat(osPath).catch((error) => {
        throw fsError(error, normal);
      });
      if (existing.size !== offset) {
        throw new FerryError(
          'InvalidInput',
          `Cannot resume ${normal}: it holds ${existing.size} bytes, not ${offset}.`,
        );
      }
    }
    try {
      const handle = await this.openForWrite(osPath, normal, offset);
      try {
        await writeChunks(handle, offset, source, options.signal);
        if (options.modified !== undefined) {
          const when = new Date(options.modified);
          await handle.utimes(when, when);
        }
        const { size } = await handle.stat();
        return { size };
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw fsError(error, normal);
    }
  }

  /**
   * Opens the file a write goes to: from byte `offset` of an existing file, or created or emptied for offset 0.
   * Confined, the file's folder is held (see confinement.ts) and the name itself is never followed: a link
   * under it is replaced by the new file, and one under a file being continued refuses the write.
   */
  private async openForWrite(osPath: string, shown: string, offset: number): Promise<FileHandle> {
    const confinement = this.confinement;
    if (!confinement) return open(osPath, offset > 0 ? 'r+' : 'w');
    return confinement.inFolderOf(osPath, async (folder, name) => {
      const entry = folder.entry(name);
      const { O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_NOFOLLOW } = constants;
      if (offset > 0) {
        return open(entry, O_RDWR | O_NOFOLLOW).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ELOOP') throw error;
          throw new FerryError(
            'PermissionDenied',
            `${shown} is a symbolic link: FileFerry does not continue a file through a link. Remove it and copy again.`,
          );
        });
      }
      for (let attempt = 0; ; attempt++) {
        try {
          return await open(entry, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o666);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
        }
        const existing = await lstat(entry);
        if (existing.isSymbolicLink()) {
          await unlink(entry);
          continue;
        }
        const handle = await open(entry, O_WRONLY | O_NOFOLLOW);
        await handle.truncate(0).catch(async (error: unknown) => {
          await handle.close();
          throw error;
        });
        return handle;
      }
    });
  }

  async mkdir(dirPath: string, options: CallOptions = {}): Promise<boolean> {
    const normal = normalizePath(dirPath);
    throwIfAborted(options.signal);
    try {
      if (this.confinement) return await this.mkdirConfined(this.confinement, this.toOsPath(normal));
      // The first folder it had to create, or undefined when the whole path was there already.
      return (await mkdir(this.toOsPath(normal), { recursive: true })) !== undefined;
    } catch (error) {
      throw fsError(error, normal);
    }
  }

  /**
   * Creates the chosen folder as the user named it, then each folder below it one at a time through the folder
   * above it, held open: a link met on the way is followed only while it stays inside the chosen folder.
   */
  private async mkdirConfined(confinement: Confinement, osPath: string): Promise<boolean> {
    confinement.assertCovers(osPath);
    let created = (await mkdir(confinement.chosen, { recursive: true })) !== undefined;
    let folder = await confinement.hold(confinement.chosen);
    let at = confinement.chosen;
    try {
      for (const segment of path.relative(confinement.chosen, osPath).split(path.sep).filter(Boolean)) {
        const entry = folder.entry(segment);
        created = await mkdir(entry).then(
          () => true,
          (error: NodeJS.ErrnoException) => {
            if (error.code !== 'EEXIST') throw error;
            return false;
          },
        );
        at = path.join(at, segment);
        const next = await confinement.hold(at, entry);
        await folder.close();
        folder = next;
      }
    } finally {
      await folder.close();
    }
    return created;
  }

  async remove(targetPath: string, options: RemoveOptions = {}): Promise<void> {
    const normal = normalizePath(targetPath);
    if (normal === '/') throw new FerryError('InvalidInput', 'FileFerry will not delete the root folder.');
    const osPath = this.toOsPath(normal);
    const removeAt = async (entry: string) => {
      const info = await lstat(entry);
      if (!info.isDirectory()) await unlink(entry);
      else if (options.recursive) await rm(entry, { recursive: true });
      else await rmdir(entry);
    };
    try {
      if (this.confinement) await this.confinement.inFolderOf(osPath, (folder, name) => removeAt(folder.entry(name)));
      else await removeAt(osPath);
    } catch (error) {
      throw fsError(error, normal);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    const source = normalizePath(from);
    const [fromOs, toOs] = [this.toOsPath(source), this.toOsPath(to)];
    const confinement = this.confinement;
    try {
      if (!confinement) await rename(fromOs, toOs);
      else {
        // rename() never follows the last component: a link under the new name is replaced, as rsync does.
        const renameIn = async (from: string, to: string) => {
          if (this.localDisk) renameSync(from, to);
          else await rename(from, to);
        };
        await confinement.inFolderOf(fromOs, (fromFolder, fromName) =>
          path.dirname(fromOs) === path.dirname(toOs)
            ? renameIn(fromFolder.entry(fromName), fromFolder.entry(path.basename(toOs)))
            : confinement.inFolderOf(toOs, (toFolder, toName) =>
                renameIn(fromFolder.entry(fromName), toFolder.entry(toName)),
              ),
        );
      }
    } catch (error) {
      // A name too long is the new one's: the old one exists.
      const tooLong = (error as NodeJS.ErrnoException).code === 'ENAMETOOLONG';
      throw fsError(error, tooLong ? normalizePath(to) : source);
    }
  }

  async copy(from: string, to: string, options: CopyOptions = {}): Promise<void> {
    const source = normalizePath(from);
    const [fromOs, toOs] = [this.toOsPath(source), this.toOsPath(to)];
    const commit = options.commitAs === undefined ? undefined : this.commitOf(options.commitAs, options.size);
    // The engine's temporary sits beside the final name; a commit elsewhere is a rename after the copy.
    const sameFolder = commit !== undefined && path.dirname(commit.osPath) === path.dirname(toOs);
    const confinement = this.confinement;
    try {
      // Keep the source's time on the copy, as a streamed copy does (WriteOptions.modified).
      const when = options.modified !== undefined ? new Date(options.modified) : (await stat(fromOs)).mtime;
      if (!confinement) {
        await copyFile(fromOs, toOs);
        await utimes(toOs, when, when);
        if (commit) {
          checkCopied(toOs, (await lstat(toOs)).size, commit);
          await rename(toOs, commit.osPath);
        }
        return;
      }
      // copyFile follows a link under the target name: confined, it creates the file (COPYFILE_EXCL) in the held
      // folder, after removing whatever sat under the name — a link is replaced, never followed. A commit in
      // the same folder renames within the held folder, so the folder is checked once for the three steps.
      const small = this.localDisk && options.size !== undefined && options.size <= SMALL_FILE_BYTES;
      const final = sameFolder ? commit : undefined;
      if (small && (!commit || final) && (await copiedInWorker(confinement, fromOs, toOs, when, final))) return;
      await confinement.inFolderOf(toOs, async (folder, name) => {
        const entry = folder.entry(name);
        if (small) {
          try {
            copyFileSync(fromOs, entry, constants.COPYFILE_EXCL);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
            await unlink(entry);
            copyFileSync(fromOs, entry, constants.COPYFILE_EXCL);
          }
          lutimesSync(entry, when, when);
          if (final) {
            checkCopied(entry, lstatSync(entry).size, final);
            renameSync(entry, folder.entry(path.basename(final.osPath)));
          }
          return;
        }
        await copyFile(fromOs, entry, constants.COPYFILE_EXCL).catch(async (error: NodeJS.ErrnoException) => {
          if (error.code !== 'EEXIST') throw error;
          await unlink(entry);
          await copyFile(fromOs, entry, constants.COPYFILE_EXCL);
        });
        await lutimes(entry, when, when);
        if (final) {
          checkCopied(entry, (await lstat(entry)).size, final);
          await rename(entry, folder.entry(path.basename(final.osPath)));
        }
      });
      if (commit && !sameFolder) {
        checkCopied(toOs, (await this.stat(to)).size ?? -1, commit);
        await this.rename(to, commit.shown);
      }
    } catch (error) {
      // A name too long for the folder is the final one's when committing (the temporary's is shorter).
      const tooLong = commit && (error as NodeJS.ErrnoException).code === 'ENAMETOOLONG';
      throw fsError(error, tooLong ? commit.shown : source);
    }
  }

  /** What copy() needs to commit to `commitAs` (see CopyOptions.commitAs). */
  private commitOf(commitAs: string, size: number | undefined): CopyCommit {
    if (size === undefined) throw new FerryError('InvalidInput', `A copy committed to ${commitAs} needs its size.`);
    return { shown: normalizePath(commitAs), osPath: this.toOsPath(commitAs), size };
  }

  async hash(filePath: string, algorithm: HashAlgorithm, options: CallOptions = {}): Promise<string> {
    return hashStream(await this.read(filePath, options), algorithm);
  }

  async close(): Promise<void> {}
}

export async function openLocalProvider(spec: LocalSpec, context: ProviderContext): Promise<Provider> {
  const root = spec.root ?? path.parse(process.cwd()).root;
  const info = await stat(root).catch((error) => {
    throw fsError(error, root);
  });
  if (!info.isDirectory()) throw new FerryError('InvalidInput', `${root} is not a folder.`);
  return new LocalProvider(root, context);
}

/**
 * Writes each chunk completely before asking the source for the next, so the source may reuse a chunk's
 * memory once it is asked again (writeReleasesChunks). The source keeps reading into its own buffers
 * meanwhile, so network and disk still overlap.
 */
async function writeChunks(
  handle: FileHandle,
  offset: number,
  source: AsyncIterable<Uint8Array>,
  signal: CancelSignal | undefined,
): Promise<void> {
  let position = offset;
  for await (const chunk of source) {
    throwIfAborted(signal);
    for (let done = 0; done < chunk.byteLength;) {
      const { bytesWritten } = await handle.write(chunk, done, chunk.byteLength - done, position + done);
      done += bytesWritten;
    }
    position += chunk.byteLength;
  }
}

/** A copy to be renamed to its final name once it holds the source's size (CopyOptions.commitAs). */
interface CopyCommit {
  /** The final name as the caller named it (for messages). */
  shown: string;
  osPath: string;
  size: number;
}

/**
 * Removes a copy that does not hold the source's size (the source changed since it was listed) and says so:
 * nothing takes the final name. Integrity, as the engine's own size check, which then streams the file.
 */
function checkCopied(osPath: string, stored: number, commit: CopyCommit): void {
  if (stored === commit.size) return;
  try {
    unlinkSync(osPath);
  } catch {
    // Gone already, or the caller's cleanup of the temporary removes it.
  }
  throw sizeChanged(stored, commit);
}

function sizeChanged(stored: number, commit: CopyCommit): FerryError {
  return new FerryError(
    'Integrity',
    `The copy of ${commit.shown} holds ${stored} bytes but ${commit.size} were expected: the source changed while it was copied.`,
    { details: { stored, expected: commit.size } },
  );
}

/**
 * Copies a small file in the copier thread (small-copies.ts), committing it when asked (same folder only).
 * False when the thread cannot (no /proc, the thread is gone, the folder moved since it was held): the
 * caller then copies on the main thread, holding the folder afresh.
 */
async function copiedInWorker(
  confinement: Confinement,
  fromOs: string,
  toOs: string,
  when: Date,
  commit: CopyCommit | undefined,
): Promise<boolean> {
  const outcome = await confinement.inFolderOf(
    toOs,
    async (folder, name) =>
      folder.fd === undefined
        ? undefined
        : smallCopier.run({
            folderFd: folder.fd,
            folderReal: folder.real,
            from: fromOs,
            name,
            mtimeMs: when.getTime(),
            ...(commit ? { commit: { name: path.basename(commit.osPath), size: commit.size } } : {}),
          }),
    true,
  );
  if (outcome === undefined || outcome.kind === 'moved') return false;
  if (outcome.kind === 'size') throw sizeChanged(outcome.stored, commit!);
  if (outcome.kind === 'failed') throw Object.assign(new Error(outcome.error.message), outcome.error);
  return true;
}

/** An entry described synchronously from its OS path (see describeNow); undefined when it is not there. */
function describeAt(osPath: string, normal: string, name: string): Entry | undefined {
  const link = lstatSync(osPath, { throwIfNoEntry: false });
  if (!link) return undefined;
  const info = link.isSymbolicLink() ? (statSync(osPath, { throwIfNoEntry: false }) ?? link) : link;
  return entryOf(normal, link, info, name);
}

/** An entry from its lstat (`link`) and, for a link, what it points to (`info`; the link itself when dangling). */
function entryOf(
  normal: string,
  link: Stats,
  info: Stats,
  name = normal === '/' ? '' : path.posix.basename(normal),
): Entry {
  const folder = info.isDirectory();
  return {
    name,
    path: normal,
    type: folder ? 'folder' : 'file',
    size: folder ? undefined : info.size,
    modified: Math.floor(info.mtimeMs),
    ...(link.isSymbolicLink() ? { symlink: true } : {}),
  };
}
