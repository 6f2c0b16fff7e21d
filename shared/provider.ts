// The provider contract: one interface every backend (local, FTP/FTPS, S3, Azure Blob) implements.
// Types only, so the renderer can use the DTOs too. Bytes move as AsyncIterable<Uint8Array>: pull-based,
// so a slow writer naturally slows the reader (backpressure) and nothing is buffered whole.
// Each method states its contract; the conformance suite (test/conformance) checks it against every provider.
import type { NameRules } from './paths';

export type HashAlgorithm = 'md5' | 'sha1' | 'sha256' | 'crc32c';

/** Strongest first; verification picks the first both sides offer. */
export const HASH_STRENGTH: readonly HashAlgorithm[] = ['sha256', 'sha1', 'md5', 'crc32c'];

export type EntryType = 'file' | 'folder';

export interface Entry {
  /** The entry's own name (one segment). */
  name: string;
  /** Full normalised path ("/a/b.txt"). */
  path: string;
  type: EntryType;
  /** Bytes; undefined for folders or where the server does not say. */
  size?: number;
  /** Milliseconds since the epoch, at the provider's modtime precision. */
  modified?: number;
  /**
   * The server's own words for the date when it gives no exact time (an FTP LIST line's "Dec 07 20:27": no
   * year, no seconds, no time zone). Shown to people; never compared.
   */
  modifiedText?: string;
  /** Hashes the listing or stat already carries (hex, lower case), e.g. S3's single-part ETag as md5. */
  hashes?: Partial<Record<HashAlgorithm, string>>;
  /** Storage class or access tier (S3 STANDARD/GLACIER…, Azure Hot/Cool/Archive). */
  storageClass?: string;
  /** Set when the object cannot be read until restored/rehydrated, with a message saying so. */
  unavailable?: string;
  /** For links and special files the provider does not follow. */
  symlink?: boolean;
}

export interface Capabilities {
  /** Hashes `hash()` can return for a file. */
  hashes: readonly HashAlgorithm[];
  /**
   * Hashes write() reports in WriteResult.hashes at no extra cost, at least for a file written in one go
   * from byte 0 (S3: the MD5 its ETag confirmed for a single-part PUT; Azure: the Content-MD5 it stored).
   * The engine plans verification with it before the bytes flow: a hash reported for free is compared
   * with the source's without reading anything again. Absent or empty: write() reports none.
   */
  reportedHashes?: readonly HashAlgorithm[];
  /**
   * The largest file write() reports reportedHashes for (S3: one part; a multipart upload's ETag is no
   * MD5). Absent: any size. The engine hashes nothing for a comparison that will not happen.
   */
  reportedHashesUpTo?: number;
  /**
   * Whether reportedHashes are the provider's digest of the bytes it was handed (Azure: the Content-MD5
   * it computes while staging, which the service stores unchecked) rather than the service's word on what
   * it stored (S3's ETag). Such a report already is a digest of what the engine read, so the engine does
   * not hash the same bytes a second time and takes the report as its own.
   */
  reportedHashesFromStream?: boolean;
  /** Precision of `modified` in ms (1000 for MDTM seconds, 1 for local), or null when unknown/absent. */
  modTimePrecisionMs: number | null;
  /**
   * What `modified` in list() is: 'exact', each file's own modification time (at modTimePrecisionMs); 'stored',
   * only when the object was stored (S3: a listing carries no user metadata), while stat() gives the file's own
   * time where the object keeps one (rclone's X-Amz-Meta-Mtime). A caller that needs a file's own time (to set
   * it on a copy, or to compare for if-newer or sync) asks stat() for files listed 'stored'. Absent: 'exact'.
   */
  listedModTime?: 'exact' | 'stored';
  /**
   * Whether write() can set the modification time (options.modified): on the file itself (local, FTP MFMT), or
   * kept with the object in rclone's convention and given back by stat() (S3 X-Amz-Meta-Mtime, Azure `mtime`).
   */
  setModTime: boolean;
  /** read() honours offset (FTP REST, HTTP Range). */
  resumableRead: boolean;
  /**
   * How an interrupted write can continue:
   * - 'append': write({ offset }) appends to an existing partial file (FTP APPE/REST+STOR, local);
   * - 'token': the provider keeps its own resume state (S3 multipart upload id, Azure staged blocks)
   *   and reports it through WriteOptions.onResumeToken;
   * - false: the file restarts.
   */
  resumableWrite: 'append' | 'token' | false;
  /**
   * Whether write() only makes the object visible under its final name when complete (S3, Azure Blob).
   * When false, the engine writes to a temporary name in the target folder and renames at the end.
   */
  atomicWrite: boolean;
  /**
   * Without atomicWrite: true writes to the final name directly, with no temporary and no rename (the
   * connection turned temporary names off). Until a write completes, its partial sits under the final name;
   * the engine continues it there, or removes it when the file fails or is cancelled. false: the connection
   * could, but uses temporary names (so a refused rename can point at the setting). Absent: no such choice.
   */
  writesInPlace?: boolean;
  /** Connections worth opening at once to this site. */
  maxConnections: number;
  /** Folders exist on their own (false for bucket stores, where a folder is a prefix). */
  emptyFolders: boolean;
  /**
   * A folder is the prefix of the objects in it, and mkdir() writes a marker object so that an empty one shows
   * (S3 "dir/", Azure Blob's hdi_isfolder blob). A file's folder then needs no mkdir() before the file is written,
   * and a copy writes a marker only for a folder that stays empty, as rclone does. Absent: false.
   */
  folderMarkers?: boolean;
  /** rename() of a file is a cheap server-side operation. */
  cheapRename: boolean;
  /** copy() takes CopyOptions.commitAs (with CopyOptions.size): it checks the copy's size and renames it itself. */
  commitsCopies?: boolean;
  /**
   * write() has finished with each chunk of its source by the time it asks for the next one (it copies
   * what it keeps), so the source may be read with ReadOptions.reuseChunks.
   */
  writeReleasesChunks?: boolean;
  /**
   * Names this site cannot hold beyond those no site can (see NameRules and nameProblem in shared/paths). The
   * engine refuses such a name before writing it here, and list() reports such a name instead of returning it.
   * Absent: any name without "/", CR, LF or NUL.
   */
  nameRules?: NameRules;
}

/** Minimal abort signal, satisfied by the platform's AbortSignal without depending on DOM or Node typings. */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface CallOptions {
  signal?: CancelSignal;
}

export interface MkdirOptions extends CallOptions {
  /**
   * Folders only: a missing bucket or container (the top level of a cloud account) is NotFound instead of
   * being created. A transfer creates the folders it writes into, but never a bucket from a mistyped name.
   */
  foldersOnly?: boolean;
  /**
   * With capabilities.folderMarkers: only make sure the bucket or container that holds `path` is there (created,
   * or NotFound with foldersOnly), and write no folder marker: the files written below make the folders show.
   */
  rootOnly?: boolean;
}

export interface CopyOptions extends CallOptions {
  /** As WriteOptions.impliedFolders: the folders above `to` may not exist yet. */
  impliedFolders?: boolean;
  /** The copy's storage class or access tier, as for WriteOptions.storageClass; default: the connection's. */
  storageClass?: string;
  /** Bytes the site has copied so far, where it tells (S3 part by part, Azure as it reports a pending copy). */
  onProgress?: (bytesDone: number) => void;
  /**
   * The source's modification time, as the caller read it just now: a provider that sets times on copies
   * (setModTime) uses it instead of reading it again. Absent: the provider keeps the source's time as it can.
   */
  modified?: number;
  /** The source's size, as the caller read it just now (a provider may copy a small file another way). */
  size?: number;
  /**
   * With capabilities.commitsCopies: `to` is a temporary, and once the copy there holds `size` bytes the
   * provider renames it to this final path (replacing a file there), all in one call — the engine's copy,
   * size check and rename of a small file cost one call instead of three. When the copy holds another size
   * it throws Integrity and leaves nothing under either name (the final name keeps what it had).
   */
  commitAs?: string;
}

export interface StatOptions extends CallOptions {
  /**
   * The caller has just written `path` as a file and needs its size (to check a copy): a provider may leave
   * out what costs further requests, such as the modified time and the test that the path is no folder.
   */
  justWritten?: boolean;
}

export interface ListOptions extends CallOptions {
  /** A hint for page size; providers may return fewer or more. */
  pageSize?: number;
  /**
   * Called for each entry list() leaves out because FileFerry cannot address it by its name (see list()), so
   * the caller can say so rather than lose it without a word.
   */
  onSkipped?: (skipped: SkippedName) => void;
}

/** An entry list() left out. */
export interface SkippedName {
  /**
   * The name as far as it can be shown: exact when the site gave a string; for bytes that are not UTF-8, the
   * valid parts with each other byte as \xHH. For display only: it may contain any character.
   */
  name: string;
  /** Why, completing "The name …" (e.g. 'contains "/", the folder separator'). */
  reason: string;
  /** What the entry was, where the listing said: a folder left out takes everything in it along. */
  type?: EntryType;
}

export interface ReadOptions extends CallOptions {
  /** First byte to read (default 0). */
  offset?: number;
  /** Number of bytes to read from offset (default: to the end). */
  length?: number;
  /**
   * The caller has finished with each chunk by the time it asks for the next one (it copies whatever it
   * keeps), so the provider may reuse a chunk's memory for a later one. Saves an allocation per network
   * read; a provider may ignore it. Set it only for a consumer whose write() has
   * Capabilities.writeReleasesChunks, and only with synchronous steps in between.
   */
  reuseChunks?: boolean;
}

/** Opaque, JSON-serialisable resume state of a provider with resumableWrite 'token'. */
export type ResumeToken = Record<string, unknown>;

export interface WriteOptions extends CallOptions {
  /** Total bytes, when known (lets cloud providers choose part sizes; verified by the engine). */
  size?: number;
  /**
   * Append to an existing file from this byte (resumableWrite 'append'). The file must already hold
   * exactly `offset` bytes; the source yields the bytes from `offset` on.
   */
  offset?: number;
  /** Set the target's modification time after the write, where setModTime. */
  modified?: number;
  /**
   * The whole file's MD5 (hex, lower case), when the caller knows it before writing (the source's listing or
   * stat carried it): kept where the service keeps one, so other tools can check the file (S3
   * X-Amz-Meta-Md5chksum, rclone's key, for a multipart object whose ETag is no MD5; Azure Content-MD5 on a blob
   * committed from blocks). A provider may also keep an MD5 it computed itself while writing.
   */
  md5?: string;
  /** Resume state from an earlier interrupted write (resumableWrite 'token'). */
  resumeToken?: ResumeToken;
  /** Called whenever the provider's resume state changes, so the queue can persist it. */
  onResumeToken?: (token: ResumeToken | undefined) => void;
  /** Provider-specific upload settings (S3 storage class, Azure access tier). */
  storageClass?: string;
  /**
   * With capabilities.folderMarkers: the folders above `path` may not exist yet (a copy of a tree writes a
   * folder's files without making the folder first), and the file is written all the same, its own name making
   * them show. Without it, a missing parent folder is NotFound, as on a disk.
   */
  impliedFolders?: boolean;
}

export interface FromUrlWriteOptions extends WriteOptions {
  size: number;
  /**
   * Bytes the service has fetched so far, as it reports them (block by block): a copy of many gigabytes
   * shows progress, though none of its bytes pass through FileFerry.
   */
  onProgress?: (bytesDone: number) => void;
}

export interface WriteResult {
  /** Bytes the target now holds. */
  size: number;
  /** Hashes the provider learnt while writing (e.g. an MD5 the service computed). */
  hashes?: Partial<Record<HashAlgorithm, string>>;
}

export interface RemoveOptions extends CallOptions {
  /** Remove a folder and everything in it. Without it, removing a non-empty folder fails. */
  recursive?: boolean;
}

export interface Provider {
  /** A stable key for the site (scheme, user, host, port, bucket…), used for per-site concurrency limits. */
  readonly siteKey: string;
  readonly capabilities: Capabilities;

  /**
   * Lists a folder's direct children, a page at a time, as the server delivers them.
   * Throws NotFound if the folder does not exist. Entries whose names cannot be used here (nameProblem with
   * this site's nameRules: "..", "a/b", a line break; a "\" where it separates folders; bytes that are not
   * UTF-8) are never returned: each is logged and reported to options.onSkipped instead.
   */
  list(path: string, options?: ListOptions): AsyncIterable<Entry[]>;

  /** Describes one entry. Throws NotFound when absent. stat('/') is always a folder. */
  stat(path: string, options?: StatOptions): Promise<Entry>;

  /**
   * Streams a file's bytes from offset. Throws NotFound if absent, Unsupported for an offset when
   * !resumableRead, and a clear error for objects that must be restored first. Breaking out of the
   * iteration releases the connection.
   */
  read(path: string, options?: ReadOptions): Promise<AsyncIterable<Uint8Array>>;

  /**
   * Streams bytes into a file, creating or replacing it (or appending from options.offset). Where folders
   * exist on their own (emptyFolders and not a bucket store) the parent must exist (NotFound otherwise). Consumes `source` no faster than it can send (backpressure).
   * On failure or cancel, a provider with atomicWrite leaves any existing object untouched.
   */
  write(path: string, source: AsyncIterable<Uint8Array>, options?: WriteOptions): Promise<WriteResult>;

  /**
   * Creates a folder and any missing parents. No error if it already exists. Resolves to true when this call
   * created the folder itself, false when it was there already; nothing where the provider cannot tell (a
   * cancelled transfer removes the empty folders it created, and only those).
   */
  mkdir(path: string, options?: MkdirOptions): Promise<boolean | void>;

  /** Removes a file, or a folder (recursive to remove its contents). Throws NotFound when absent. */
  remove(path: string, options?: RemoveOptions): Promise<void>;

  /** Renames or moves within the provider, replacing a file at `to`. Throws NotFound if `from` is absent. */
  rename(from: string, to: string, options?: CallOptions): Promise<void>;

  /** Server-side copy of a file within the same provider; absent when unsupported. */
  copy?(from: string, to: string, options?: CopyOptions): Promise<void>;

  /** A file's hash in one of capabilities.hashes; absent when the provider offers none. */
  hash?(path: string, algorithm: HashAlgorithm, options?: CallOptions): Promise<string>;

  /**
   * For resumableWrite 'token': how many leading bytes of the upload described by `token` are already
   * stored and need not be sent again (0 when the token is stale). The engine then reads the source
   * from that offset and calls write() with the same token.
   */
  resumeOffset?(path: string, token: ResumeToken, options?: CallOptions): Promise<number>;

  /** Discards an unfinished upload's server-side state (e.g. S3 AbortMultipartUpload). */
  discardResume?(path: string, token: ResumeToken): Promise<void>;

  /**
   * A short-lived URL from which another service can GET the file's bytes (an S3 presigned GET), for
   * service-to-service copies where the bytes never pass through FileFerry. Absent when unsupported.
   */
  readUrl?(path: string, options: { expiresInSeconds: number }): Promise<string>;

  /**
   * Creates or replaces a file by having the service itself fetch `url` (Azure Put Block From URL).
   * Throws (Network/Unsupported/PermissionDenied) when the service cannot reach the URL; the caller then
   * falls back to streaming. Leaves an existing file untouched on failure. An error whose details carry
   * `siteWide: true` (the service cannot fetch from URLs, or cannot reach this source at all) tells the
   * caller that every other file from the same source would fail the same way; so does one from copy().
   */
  writeFromUrl?(path: string, url: string, options: FromUrlWriteOptions): Promise<WriteResult>;

  /** Changes a file's storage class or access tier in place (S3 storage class, Azure tier). */
  setStorageClass?(path: string, storageClass: string, options?: CallOptions): Promise<void>;

  /**
   * A view of this provider for one transfer to `named`, the target the user named: the folder it is when it
   * is one (links in the name followed: the user chose them), else the folder that will hold it. Every write,
   * folder creation, rename, copy and removal made through the view refuses to pass through a symbolic link
   * that leads outside that folder (PermissionDenied, naming the link), and a link under the very name being
   * written is replaced, never followed. Links that stay inside it are followed. Present where the site has
   * links FileFerry could be led through (the local disk); an FTP server confines its users itself, and cloud
   * stores have no links. The view needs no close() of its own.
   */
  confine?(named: string): Promise<Provider>;

  /** Closes every connection. The provider is unusable afterwards. */
  close(): Promise<void>;
}
