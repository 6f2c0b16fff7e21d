// The FTP/FTPS provider. Every path is absolute from the server's "/" and checked for CR/LF/NUL (by
// normalizePath) before any command is built from it. Folder operations CWD into the folder and list it
// without an argument, so names starting with "-" or a space never reach LIST as options or get trimmed.
import { PassThrough, Writable } from 'node:stream';
import { FTPError, type FileInfo, type FTPResponse } from 'basic-ftp';
import { FerryError, isFerryError } from '../../../../shared/errors';
import { baseName, normalizePath, parentPath } from '../../../../shared/paths';
import type {
  CallOptions,
  Capabilities,
  Entry,
  ListOptions,
  Provider,
  ReadOptions,
  RemoveOptions,
  StatOptions,
  WriteOptions,
  WriteResult,
} from '../../../../shared/provider';
import type { FtpSpec } from '../../../../shared/connection';
import type { CancelSignal, SkippedName } from '../../../../shared/provider';
import type { Logger } from '../../log/logger';
import { onAbort, sleep, throwIfAborted } from '../../util/abort';
import { BufferPool } from '../../util/buffer-pool';
import { releaseOnReturn } from '../../util/release-on-return';
import { OperationDeadline, operationTimeoutMs } from './deadline';
import { deadlineError, isFtpReply, toFerryError } from './errors';
import { notEmptied, parseMlstReply, toEntries, toEntry } from './listing';
import type { ConnectionPool } from './pool';
import { CoalescingSink } from './coalescing-sink';
import { ListingStream } from './list-stream';
import { RecyclingReader } from './recycling-reader';
import { uploadBody } from './upload-body';
import type { FtpSession, ServerFeatures } from './session';
import { defaultPort } from './tls';

const DEFAULT_PAGE_SIZE = 1000;
/** Buffer between the data socket and the consumer; the socket pauses when it is full. */
const READ_BUFFER_BYTES = 1024 * 1024;
/** The same buffer on the readable side, counted in socket reads (64 KiB each at most). */
const READ_BUFFER_CHUNKS = 16;
const EMPTY_TLS_UPLOAD_GRACE_MS = 200;
/** Reused read buffers of a download (RecyclingReader, CoalescingSink): 8 × 256 KiB, ~2 MiB per download. */
const RECYCLED_BUFFER_BYTES = 256 * 1024;
const RECYCLED_BUFFERS = 8;

export class FtpProvider implements Provider {
  readonly siteKey: string;
  readonly capabilities: Capabilities;
  private readonly site: string;
  private readonly secure: boolean;
  /** See FtpSpec.operationTimeoutMs; 0 for none. */
  private readonly operationTimeoutMs: number;
  /**
   * Read buffers handed on from one finished download to the next. A fresh 256 KiB buffer per download made
   * a folder of small files allocate (and V8 collect, as external memory) far more than it transferred:
   * 2,000 × 16 KiB measured 0.8–1.1 ms of CPU per file against 0.45 ms without reused buffers. It keeps one
   * download's worth (2 MiB) while the provider is open; downloads side by side take more and drop them.
   */
  private readonly readBuffers: BufferPool;

  constructor(
    spec: FtpSpec,
    private readonly pool: ConnectionPool<FtpSession>,
    private readonly features: ServerFeatures,
    private readonly log: Logger,
  ) {
    const port = defaultPort(spec);
    this.site = `${spec.host}:${port}`;
    this.secure = spec.tls !== 'none';
    this.operationTimeoutMs = operationTimeoutMs(spec);
    this.siteKey = `${spec.kind}://${encodeURIComponent(spec.user)}@${spec.host}:${port}`;
    this.capabilities = {
      // HASH (draft-bryan-ftpext-hash) is rare and not implemented: no hashes rather than fake ones.
      hashes: [],
      reportedHashes: [],
      modTimePrecisionMs: features.mlsd || features.mdtm ? 1000 : null,
      setModTime: features.mfmt,
      resumableRead: true,
      resumableWrite: 'append',
      atomicWrite: false,
      writesInPlace: !spec.temporaryNames,
      maxConnections: spec.maxConnections,
      emptyFolders: true,
      cheapRename: true,
      writeReleasesChunks: true,
      ...(features.backslashSeparates ? { nameRules: 'no-backslash' as const } : {}),
    };
    this.readBuffers = new BufferPool(RECYCLED_BUFFER_BYTES, RECYCLED_BUFFERS);
  }

  /**
   * Pages go out as the data connection delivers them (list-stream.ts), paced by the caller. The connection is
   * held as run() holds one for a command (cancelling or the deadline closes it) until the server confirmed the
   * listing: then it goes back to the pool, with the last pages still to hand out from memory. A caller that
   * stops before that leaves the server mid-listing, so its connection is closed. While the listing holds its
   * connection, anyone who waits for one of this site's connections makes it read on without pacing, so that
   * a caller that works on the site between pages (a walk into subfolders) cannot wait for itself.
   */
  async *list(path: string, options: ListOptions = {}): AsyncGenerator<Entry[]> {
    const folder = normalizePath(path);
    const { signal } = options;
    const action = `list ${folder}`;
    const pageSize = Math.max(1, options.pageSize ?? DEFAULT_PAGE_SIZE);
    for (let attempt = 0; ; attempt++) {
      const { connection: session, fresh } = await this.pool.acquire(signal);
      const deadline = new OperationDeadline(this.operationTimeoutMs, () => session.close());
      const stopWatching = onAbort(signal, () => session.close());
      let listing: ListingStream | undefined;
      const stopDraining = this.pool.onWaiting(() => listing?.drain());
      let released = false;
      const release = (reusable: boolean) => {
        if (released) return;
        released = true;
        deadline.stop();
        stopWatching();
        stopDraining();
        this.pool.release(session, reusable);
      };
      let yielded = false;
      try {
        await this.enterFolder(session, folder);
        listing = ListingStream.start(session.client, {
          folder,
          site: this.site,
          pageSize,
          log: this.log,
          rules: this.capabilities.nameRules,
          deadline,
          onComplete: () => release(true),
          ...(options.onSkipped ? { onSkipped: options.onSkipped } : {}),
        });
        if (this.pool.waiting > 0) listing.drain();
        for (let page = await listing.next(); page; page = await listing.next()) {
          yielded = true;
          yield page;
        }
        return;
      } catch (error) {
        // As run() does on a stale pooled connection, but only before a page went out: listing again then
        // would hand the caller those entries twice.
        const stale = !yielded && !fresh && !session.alive && attempt === 0 && !signal?.aborted && !deadline.expired;
        if (stale) continue;
        if (deadline.expired && !signal?.aborted) throw deadlineError(action, this.site, deadline.ms, error);
        throw this.fail(error, action, signal, session);
      } finally {
        // Stopped or failed before the listing was complete, the server is still sending or about to reply:
        // closing the connection is the one state we can be sure of. (Failed before it began: reusable.)
        if (listing && !listing.complete) session.close();
        release(listing === undefined);
      }
    }
  }

  /** CWD into `folder`; when the server refuses, says why: NotFound, a file, or no permission. */
  private async enterFolder(session: FtpSession, folder: string): Promise<void> {
    const cwd = await session.client.sendIgnoringError(`CWD ${folder}`);
    if (cwd.code < 400) return;
    const entry = await this.statOn(session, folder);
    if (!entry) throw notFound(folder);
    if (entry.type === 'file') throw new FerryError('InvalidInput', `${folder} is a file, not a folder.`);
    throw new FerryError('PermissionDenied', `The FTP server refused to open the folder ${folder}.`);
  }

  async stat(path: string, options: StatOptions = {}): Promise<Entry> {
    const target = normalizePath(path);
    const entry = await this.run(`look up ${target}`, options.signal, (session) =>
      options.justWritten ? this.writtenFileOn(session, target) : this.statOn(session, target),
    );
    if (!entry) throw notFound(target);
    return entry;
  }

  async read(path: string, options: ReadOptions = {}): Promise<AsyncIterable<Uint8Array>> {
    const file = normalizePath(path);
    const { signal } = options;
    const offset = checkByteCount(options.offset ?? 0, 'offset');
    const length = options.length === undefined ? undefined : checkByteCount(options.length, 'length');
    const action = `read ${file}`;
    for (let attempt = 0; ; attempt++) {
      const { connection: session, fresh } = await this.pool.acquire(signal);
      const stopWatching = onAbort(signal, () => session.close());
      const { sink, chunks, reader } = this.downloadSink(session, options.reuseChunks === true);
      const detach = () => {
        stopWatching();
        session.makeDataSocket = undefined;
      };
      const transfer = session.client.downloadTo(sink, file, offset);
      // Settled below; this only keeps it from counting as unhandled (and wakes a waiting reader).
      transfer.catch((error: unknown) => reader?.fail(error));
      let first: IteratorResult<Buffer>;
      try {
        // Wait for the first bytes (or the end) so a missing file fails read() itself, not the iteration.
        first = await chunks.next();
        if (first.done) await transfer;
      } catch (error) {
        const settled = await settledError(transfer, error);
        const stale = !fresh && !session.alive && attempt === 0 && !signal?.aborted;
        detach();
        session.retire();
        this.pool.release(session);
        if (stale) continue;
        throw this.fail(await this.explainRefused(settled, file, 'read', signal), action, signal, session);
      }
      // Given up before its first byte was asked for (the target refused the file), the download still holds
      // this connection mid-RETR: close it, as readStream's own finally would.
      return releaseOnReturn(this.readStream(session, first, chunks, transfer, length, action, signal, detach), () => {
        detach();
        session.close();
        this.pool.release(session, false);
      });
    }
  }

  /**
   * Where a download's bytes go. For a caller that releases each chunk before the next (reuseChunks): over a
   * plain connection straight from the socket into reused buffers (RecyclingReader), with basic-ftp's
   * destination left empty; over TLS, whose socket cannot take `onread`, the records gathered into reused
   * buffers (CoalescingSink). Otherwise a PassThrough whose readable side hands on the socket's chunks one by
   * one (object mode): a byte-mode readable's iterator would join everything buffered into a fresh buffer,
   * copying every byte once more.
   */
  private downloadSink(
    session: FtpSession,
    reuseChunks: boolean,
  ): { sink: Writable; chunks: AsyncIterator<Buffer>; reader?: RecyclingReader | CoalescingSink } {
    if (reuseChunks && this.secure) {
      const coalescing = new CoalescingSink(this.readBuffers, RECYCLED_BUFFERS);
      return { sink: coalescing.sink, chunks: coalescing, reader: coalescing };
    }
    if (reuseChunks) {
      const recycling = new RecyclingReader(this.readBuffers, RECYCLED_BUFFERS);
      session.makeDataSocket = () => recycling.createSocket();
      const sink = new Writable({
        write: (_chunk, _encoding, callback) =>
          callback(new Error('The data connection delivered bytes outside the reused buffers.')),
      });
      return { sink, chunks: recycling, reader: recycling };
    }
    const sink = new PassThrough({
      writableHighWaterMark: READ_BUFFER_BYTES,
      readableObjectMode: true,
      readableHighWaterMark: READ_BUFFER_CHUNKS,
    });
    return { sink, chunks: sink[Symbol.asyncIterator]() as AsyncIterator<Buffer> };
  }

  private async *readStream(
    session: FtpSession,
    first: IteratorResult<Buffer>,
    chunks: AsyncIterator<Buffer>,
    transfer: Promise<FTPResponse>,
    length: number | undefined,
    action: string,
    signal: CancelSignal | undefined,
    detach: () => void,
  ): AsyncGenerator<Uint8Array> {
    let complete = false;
    let remaining = length ?? Infinity;
    try {
      for (let next = first; !next.done; next = await chunks.next()) {
        const chunk = next.value.byteLength > remaining ? next.value.subarray(0, remaining) : next.value;
        remaining -= chunk.byteLength;
        yield chunk;
        if (remaining === 0) break;
      }
      if (remaining > 0 || length === undefined) {
        await transfer;
        complete = true;
      }
    } catch (error) {
      throw this.fail(await settledError(transfer, error), action, signal, session);
    } finally {
      detach();
      // A transfer stopped early (break, abort, a length short of the end) leaves the server mid-RETR:
      // closing the connection is the one state we can be sure of. The pool opens a fresh one later.
      if (!complete) session.close();
      this.pool.release(session, complete);
    }
  }

  async write(path: string, source: AsyncIterable<Uint8Array>, options: WriteOptions = {}): Promise<WriteResult> {
    const file = normalizePath(path);
    const offset = checkByteCount(options.offset ?? 0, 'offset');
    let started = false;
    let sent = 0;
    let sourceError: unknown;
    /** The server's refusal of the STOR/APPE, explained once the operation is over. */
    let refused: unknown;
    const secure = this.secure;
    async function* counted(): AsyncGenerator<Uint8Array> {
      started = true;
      try {
        for await (const chunk of source) {
          sent += chunk.byteLength;
          yield chunk;
        }
      } catch (error) {
        sourceError = error;
        throw error;
      }
      // vsftpd 3.0.x answers a TLS data connection that closes right after its handshake with a
      // "decode error" alert and drops the session, so an empty file could never be stored over FTPS.
      // Giving it a moment before closing avoids that (50 ms was enough on loopback).
      if (sent === 0 && secure) await sleep(EMPTY_TLS_UPLOAD_GRACE_MS, options.signal);
    }
    try {
      await this.run(
        `write ${file}`,
        options.signal,
        async (session) => {
          refused = undefined;
          if (offset > 0) {
            const size = await this.remoteSize(session, file);
            if (size !== offset) {
              throw new FerryError(
                'InvalidInput',
                `Cannot resume ${file}: it holds ${size} bytes, not the expected ${offset}.`,
              );
            }
          }
          // Pulls from the source only as fast as the data socket drains (backpressure), and only once the
          // socket is done with the previous chunk (writeReleasesChunks).
          const body = uploadBody(counted(), () => session.client.ftp.dataSocket);
          try {
            if (offset > 0) await session.client.appendFrom(body, file);
            else await session.client.uploadFrom(body, file);
            session.uploaded(sent);
          } catch (error) {
            session.retire();
            if (sourceError !== undefined) throw sourceError;
            // A reply is explained below; a connection reset (ftp-srv's answer to a STOR into a missing
            // folder) is explainLostWrite's.
            if (isFtpReply(error)) refused = error;
            throw error;
          }
          if (options.modified !== undefined && this.features.mfmt) {
            await session.client.send(`MFMT ${mfmtTime(options.modified)} ${file}`);
          }
        },
        // A transfer has no deadline: it may take hours while bytes keep moving (the idle timeout applies).
        { canRetry: () => !started, deadline: false },
      );
    } catch (error) {
      if (refused !== undefined) throw await this.explainRefused(refused, file, 'write', options.signal, error);
      throw await this.explainLostWrite(error, file, options.signal);
    }
    return { size: offset + sent };
  }

  /**
   * Some servers (ftp-srv) answer a STOR into a missing folder by resetting the data connection, which
   * takes the control connection down with it; check the parent on a fresh connection to say why.
   */
  private async explainLostWrite(error: unknown, file: string, signal?: CancelSignal): Promise<unknown> {
    if (!isFerryError(error, 'Network') && !isFerryError(error, 'Protocol')) return error;
    const parent = parentPath(file);
    try {
      if ((await this.stat(parent, { signal })).type !== 'folder') return notFound(parent);
    } catch (statError) {
      if (isFerryError(statError, 'NotFound')) return notFound(parent);
    }
    return error;
  }

  async mkdir(path: string, options: CallOptions = {}): Promise<boolean> {
    const folder = normalizePath(path);
    if (folder === '/') return false;
    return this.run(`create the folder ${folder}`, options.signal, async (session) => {
      const { client } = session;
      if ((await client.sendIgnoringError(`CWD ${folder}`)).code < 400) return false;
      // One level at a time: many servers (ftp-srv among them) cannot create missing parents.
      let current = '';
      let created = false;
      for (const segment of folder.slice(1).split('/')) {
        current += `/${segment}`;
        const reply = await client.sendIgnoringError(`MKD ${current}`);
        created = reply.code < 400;
        if (created) continue;
        const existing = await this.statOn(session, current);
        if (existing?.type === 'folder') continue;
        if (existing)
          throw new FerryError('AlreadyExists', `${current} is a file, so the folder ${folder} cannot be created.`);
        throw new FTPError(reply);
      }
      return created;
    });
  }

  async remove(path: string, options: RemoveOptions = {}): Promise<void> {
    const target = normalizePath(path);
    if (target === '/') throw new FerryError('InvalidInput', 'FileFerry does not remove the root folder of a server.');
    await this.run(`remove ${target}`, options.signal, async (session, deadline) => {
      const entry = await this.statOn(session, target);
      if (!entry) throw notFound(target);
      // A large tree takes long however fast the server is: the deadline counts from the last entry removed.
      await this.removeOn(session, entry, options.recursive === true, options.signal, () => deadline.restart());
    });
  }

  async rename(from: string, to: string, options: CallOptions = {}): Promise<void> {
    const source = normalizePath(from);
    const target = normalizePath(to);
    if (source === target) {
      await this.stat(source, options);
      return;
    }
    await this.run(`rename ${source} to ${target}`, options.signal, async (session) => {
      const { client } = session;
      const attempt = async (): Promise<{ stage: 'from' | 'to'; reply: FTPResponse } | undefined> => {
        const from = await client.sendIgnoringError(`RNFR ${source}`);
        if (from.code >= 400) return { stage: 'from', reply: from };
        const to = await client.sendIgnoringError(`RNTO ${target}`);
        return to.code >= 400 ? { stage: 'to', reply: to } : undefined;
      };
      let failure = await attempt();
      if (failure?.stage === 'to' && (await this.statOn(session, target))?.type === 'file') {
        // Some servers refuse to rename onto an existing file; the contract says replace it.
        await client.send(`DELE ${target}`);
        failure = await attempt();
      }
      if (!failure) return;
      if (failure.stage === 'from' && !(await this.statOn(session, source))) throw notFound(source);
      if (failure.stage === 'to' && !(await this.statOn(session, parentPath(target))))
        throw notFound(parentPath(target));
      throw new FTPError(failure.reply);
    });
  }

  async close(): Promise<void> {
    this.pool.close();
  }

  /**
   * Runs `task` on a pooled connection; cancelling closes that connection (it is never reused), and so does
   * running past the operation deadline (unless `deadline` is false), which fails with Timeout.
   */
  private run<R>(
    action: string,
    signal: CancelSignal | undefined,
    task: (session: FtpSession, deadline: OperationDeadline) => Promise<R>,
    options: { canRetry?: () => boolean; deadline?: boolean } = {},
  ): Promise<R> {
    let expired = false;
    return this.pool.use(
      async (session) => {
        const detach = onAbort(signal, () => session.close());
        const deadline = new OperationDeadline(options.deadline === false ? 0 : this.operationTimeoutMs, () => {
          expired = true;
          session.close();
        });
        try {
          return await task(session, deadline);
        } catch (error) {
          if (deadline.expired && !signal?.aborted) throw deadlineError(action, this.site, deadline.ms, error);
          throw this.fail(error, action, signal, session);
        } finally {
          deadline.stop();
          detach();
        }
      },
      signal,
      // A connection closed by the deadline is no stale one to retry on: the server is the slow part.
      () => !expired && (options.canRetry?.() ?? true),
    );
  }

  private fail(error: unknown, action: string, signal: CancelSignal | undefined, session: FtpSession): FerryError {
    // A data connection refused for its certificate surfaces from basic-ftp as a closed socket.
    const refused = session.refusedCertificate;
    if (refused && !signal?.aborted) return refused;
    return toFerryError(error, { action, site: this.site, signal });
  }

  /**
   * A server's refusal of a transfer (`reply`) becomes NotFound/InvalidInput when the path explains it, else
   * `otherwise` (default: the reply). Asked on another connection: the refused one is retired (see retire()).
   */
  private async explainRefused(
    reply: unknown,
    path: string,
    op: 'read' | 'write',
    signal: CancelSignal | undefined,
    otherwise: unknown = reply,
  ): Promise<unknown> {
    if (!isFtpReply(reply)) return otherwise;
    const lookUp = (target: string) => this.run(`look up ${target}`, signal, (session) => this.statOn(session, target));
    try {
      if (op === 'read') {
        const entry = await lookUp(path);
        if (!entry) return notFound(path);
        if (entry.type === 'folder')
          return new FerryError('InvalidInput', `${path} is a folder, not a file.`, { cause: reply });
      } else {
        const parent = await lookUp(parentPath(path));
        if (parent?.type !== 'folder') return notFound(parentPath(path));
        if ((await lookUp(path))?.type === 'folder') {
          return new FerryError('InvalidInput', `${path} is a folder; a file cannot replace it.`, { cause: reply });
        }
      }
    } catch {
      // The diagnosis failed too; report the original reply.
    }
    return otherwise;
  }

  /** Lists a folder's raw entries, or undefined when the server will not enter it. */
  private async listOn(session: FtpSession, folder: string): Promise<FileInfo[] | undefined> {
    const cwd = await session.client.sendIgnoringError(`CWD ${folder}`);
    if (cwd.code >= 400) return undefined;
    return session.client.list();
  }

  /** Describes `path`, or undefined when it does not exist. */
  private async statOn(session: FtpSession, path: string): Promise<Entry | undefined> {
    if (path === '/') return { name: '', path: '/', type: 'folder' };
    const name = baseName(path);
    if (this.features.mlsd) {
      const reply = await session.client.sendIgnoringError(`MLST ${path}`);
      const info = reply.code < 400 ? parseMlstReply(reply.message) : undefined;
      return info ? toEntry(info, path, name) : undefined;
    }
    // Without MLST: a file answers SIZE (and is no folder CWD could enter); three short commands, however
    // many files share its folder. Anything else is described by the parent folder's listing.
    const file = await this.fileEntryOn(session, path, name);
    if (file) return file;
    const siblings = await this.listOn(session, parentPath(path));
    const info = siblings?.find((candidate) => candidate.name === name);
    if (!info) return undefined;
    const entry = toEntry(info, path, name);
    if (entry.type === 'file' && entry.modified === undefined && this.features.mdtm) {
      const mdtm = await session.client.lastMod(path).catch(() => undefined);
      if (mdtm && !Number.isNaN(mdtm.getTime())) entry.modified = mdtm.getTime();
    }
    return entry;
  }

  /** `path` as a file described by SIZE and MDTM, or undefined (no SIZE, not a file, or a folder). */
  private async fileEntryOn(session: FtpSession, path: string, name: string): Promise<Entry | undefined> {
    if (!this.features.size) return undefined;
    const size = await session.client.size(path).catch(() => undefined);
    // Some servers answer SIZE for a folder too: one the server lets us enter is not a file.
    if (size === undefined || (await session.client.sendIgnoringError(`CWD ${path}`)).code < 400) return undefined;
    const entry: Entry = { name, path, type: 'file', size };
    if (this.features.mdtm) {
      const mdtm = await session.client.lastMod(path).catch(() => undefined);
      if (mdtm && !Number.isNaN(mdtm.getTime())) entry.modified = mdtm.getTime();
    }
    return entry;
  }

  /**
   * A file just stored, for the engine's size check: SIZE alone. The folder test and MDTM of a full stat
   * would be two more round trips per file, nearly a third of the commands a small file's upload sends.
   */
  private async writtenFileOn(session: FtpSession, path: string): Promise<Entry | undefined> {
    // MLST says everything in one command anyway; without SIZE only the listing can tell.
    if (this.features.mlsd || !this.features.size) return this.statOn(session, path);
    const size = await session.client.size(path).catch(() => undefined);
    return size === undefined ? this.statOn(session, path) : { name: baseName(path), path, type: 'file', size };
  }

  private async remoteSize(session: FtpSession, file: string): Promise<number> {
    if (this.features.size) {
      const size = await session.client.size(file).catch(() => undefined);
      if (size !== undefined) return size;
    }
    const entry = await this.statOn(session, file);
    if (!entry) throw notFound(file);
    return entry.size ?? 0;
  }

  private async removeOn(
    session: FtpSession,
    entry: Entry,
    recursive: boolean,
    signal: CancelSignal | undefined,
    progressed: () => void,
  ): Promise<void> {
    throwIfAborted(signal);
    const { client } = session;
    if (entry.type === 'file') {
      await client.send(`DELE ${entry.path}`);
      progressed();
      return;
    }
    const left: SkippedName[] = [];
    if (recursive) {
      const listed = (await this.listOn(session, entry.path)) ?? [];
      const children = toEntries(listed, entry.path, this.log, this.capabilities.nameRules, {
        onSkipped: (skipped) => void left.push(skipped),
      });
      progressed();
      for (const child of children) await this.removeOn(session, child, true, signal, progressed);
    }
    const reply = await client.sendIgnoringError(`RMD ${entry.path}`);
    if (reply.code < 400) return;
    if (left.length > 0) throw notEmptied(entry.path, left);
    if (!recursive && ((await this.listOn(session, entry.path)) ?? []).length > 0) {
      throw new FerryError(
        'InvalidInput',
        `The folder ${entry.path} is not empty. Remove it recursively to delete its contents too.`,
      );
    }
    throw new FTPError(reply);
  }
}

function notFound(path: string): FerryError {
  return new FerryError('NotFound', `${path} does not exist.`);
}

function checkByteCount(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new FerryError('InvalidInput', `The ${what} must be a whole number of bytes, not ${value}.`);
  return value;
}

/** The transfer's own error explains a failure better than the stream's "premature close". */
async function settledError(transfer: Promise<unknown>, fallback: unknown): Promise<unknown> {
  const outcome = await Promise.race([
    transfer.then(
      () => fallback,
      (error: unknown) => error,
    ),
    new Promise((resolve) => setTimeout(resolve, 1000, fallback).unref()),
  ]);
  return outcome;
}

/** MFMT wants UTC "YYYYMMDDHHMMSS". */
function mfmtTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
