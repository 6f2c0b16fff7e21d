// Copies the bytes never pass through FileFerry for. Within one connection, the site copies the file itself
// (S3 CopyObject / UploadPartCopy, Azure copy from URL, a local file copy), as rclone and Cyberduck do: a
// copy of 100 GiB inside a bucket costs this computer a few requests. Between two sites, when the source can
// hand out a short-lived URL for a file (an S3 presigned GET) and the target can fetch a URL itself (Azure
// Put Block From URL), the target pulls the bytes. The target may well be unable to reach the source (a
// private endpoint, a firewall, an emulator without the operation), and a site may refuse a copy a stream
// would manage (an object onto itself): any failure here is not fatal. The caller then streams the file as
// usual, and the reason goes to the job's log.
import { isFerryError } from '../../../shared/errors';
import type { CancelSignal, Entry, FromUrlWriteOptions, Provider, WriteResult } from '../../../shared/provider';
import { throwIfAborted } from '../util/abort';
import type { FileRecord } from './job-model';
import { checkHash, checkSize, chooseHash, mergeHashes, type Verified } from './verification';

const MINUTE = 60;
/** The URL must outlive the whole copy (Azure fetches block by block), but a leaked one should die soon. */
const MIN_URL_SECONDS = 15 * MINUTE;
const MAX_URL_SECONDS = 60 * MINUTE;
/** A deliberately low rate for a service pulling from another cloud, to size the URL's lifetime. */
const ASSUMED_PULL_BYTES_PER_SECOND = 25 * 1024 * 1024;

export function urlLifetimeSeconds(size: number): number {
  return Math.min(MAX_URL_SECONDS, Math.ceil(MIN_URL_SECONDS + size / ASSUMED_PULL_BYTES_PER_SECOND));
}

/** How a site can make a copy without FileFerry moving its bytes: by itself, or by pulling a URL. */
export type ServiceRoute = 'same-site' | 'url';

export function serviceRoute(source: Provider, target: Provider): ServiceRoute | undefined {
  // The engine opens one provider per connection, so the same object means the same site and credentials.
  if (source === target && typeof target.copy === 'function') return 'same-site';
  if (typeof source.readUrl === 'function' && typeof target.writeFromUrl === 'function') return 'url';
  return undefined;
}

/**
 * Whether a job still tries service-side copies. A refusal that no file of the job would escape (the
 * operation is not implemented, the target cannot reach the source at all) closes it for the rest of the
 * run: a folder of 2,000 files then costs one refused request and one warning, not 2,000 of each.
 */
export interface ServiceGate {
  closedBecause?: string;
}

/**
 * A refusal that would be the same for every file between these two sites, as the provider says
 * (`details.siteWide`). Not every Unsupported is: S3 refuses to copy an archived object, but copies the
 * next one.
 */
function refusesEveryFile(error: unknown): boolean {
  return isFerryError(error) && error.details.siteWide === true;
}

export interface ServiceCopyContext {
  route: ServiceRoute;
  gate: ServiceGate;
  file: FileRecord;
  source: Provider;
  target: Provider;
  /** Where the bytes go: the final name for atomic targets, else the temporary. */
  writePath: string;
  /**
   * The final name, when writePath is a temporary: a target that commits copies itself (commitsCopies) copies,
   * checks the size and renames in one call, so a folder of small files costs one call per file, not three.
   */
  commitAs?: string;
  /** The file was described by this run's walk moments ago (not restored from an earlier run). */
  fresh?: boolean;
  storageClass?: string;
  signal: CancelSignal;
  /** The bytes the site has copied so far, where it says (CopyOptions and FromUrlWriteOptions.onProgress). */
  progress: (bytesDone: number) => void;
  log: (level: 'info' | 'warn', message: string) => void;
}

/** A service copy that succeeded: its size, and where it is now (the final name once committed). */
export interface ServiceCopied {
  bytes: number;
  at: string;
  verified: Verified;
}

/**
 * Has the site copy the file (ctx.route), then verifies it (size, and a hash only where both sides already
 * know one: computing one would mean reading the bytes this path exists to avoid). Returns what was
 * copied, or undefined after logging why the caller must stream instead. Throws only when cancelled.
 */
export async function copyByService(ctx: ServiceCopyContext): Promise<ServiceCopied | undefined> {
  const { file, source, target, writePath, signal } = ctx;
  let wrote = false;
  try {
    // A fresh stat: the URL serves the object as it is now, so size and hashes must describe that object.
    // Within one site the walk of this run has just described the file: a file changed since then fails the
    // size check below and is streamed instead, which notices the change.
    const entry =
      ctx.route === 'same-site' && ctx.fresh && file.size !== undefined
        ? describedByWalk(file)
        : await source.stat(file.source, { signal });
    if (entry.type !== 'file' || entry.size === undefined || entry.unavailable) return undefined;
    file.size = entry.size;
    if (entry.modified !== undefined) file.modified = entry.modified;
    if (entry.hashes) file.hashes = { ...entry.hashes };

    let written: WriteResult = { size: entry.size };
    if (ctx.route === 'same-site') {
      // The target checks the size itself before the copy takes its final name (CopyOptions.commitAs); it
      // names no hash (a provider that commits copies has none to offer without reading the bytes).
      const commitAs = target.capabilities.commitsCopies ? ctx.commitAs : undefined;
      wrote = true;
      await target.copy!(file.source, writePath, {
        signal,
        onProgress: ctx.progress,
        ...(ctx.storageClass ? { storageClass: ctx.storageClass } : {}),
        ...(entry.modified !== undefined ? { modified: entry.modified } : {}),
        ...(target.capabilities.folderMarkers ? { impliedFolders: true } : {}),
        size: entry.size,
        ...(commitAs !== undefined ? { commitAs } : {}),
      });
      if (commitAs !== undefined) return { bytes: entry.size, at: commitAs, verified: { check: 'size' } };
    } else {
      const url = await source.readUrl!(file.source, { expiresInSeconds: urlLifetimeSeconds(entry.size) });
      throwIfAborted(signal);
      const options: FromUrlWriteOptions = { size: entry.size, signal, onProgress: ctx.progress };
      if (ctx.storageClass) options.storageClass = ctx.storageClass;
      if (target.capabilities.folderMarkers) options.impliedFolders = true;
      if (target.capabilities.setModTime && entry.modified !== undefined) options.modified = entry.modified;
      if (entry.hashes?.md5) options.md5 = entry.hashes.md5;
      wrote = true;
      written = await target.writeFromUrl!(writePath, url, options);
    }

    const stored = await target.stat(writePath, { signal });
    checkSize(writePath, stored.size, entry.size);
    const sourceOffer = { known: mergeHashes(entry.hashes), computable: [] };
    const targetOffer = { known: mergeHashes(written.hashes, stored.hashes), computable: [] };
    const algorithm = chooseHash(sourceOffer, targetOffer);
    if (!algorithm) return { bytes: entry.size, at: writePath, verified: { check: 'size' } };
    const value = targetOffer.known[algorithm]!;
    checkHash(file.target, algorithm, sourceOffer.known[algorithm]!, value);
    return { bytes: entry.size, at: writePath, verified: { check: algorithm, value: value.toLowerCase() } };
  } catch (error) {
    if (signal.aborted) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    if (wrote && isFerryError(error, 'Integrity')) await removeBadCopy(ctx);
    const who = ctx.route === 'same-site' ? 'The site' : 'The target';
    const how = ctx.route === 'same-site' ? 'itself' : 'from the source directly';
    const siteWide = refusesEveryFile(error);
    // Files already under way when the first site-wide refusal closed the gate get it too: warned once.
    const level = siteWide && ctx.gate.closedBecause !== undefined ? 'info' : 'warn';
    if (siteWide) ctx.gate.closedBecause = reason;
    const rest = siteWide ? ' The rest of this job goes through FileFerry too.' : '';
    ctx.log(
      level,
      `${who} could not copy ${file.source} ${how} (${reason}); copying it through FileFerry instead.${rest}`,
    );
    return undefined;
  }
}

/** The source as this run's walk described it (its record), for a copy made within one site. */
function describedByWalk(file: FileRecord): Entry {
  const entry: Entry = { name: '', path: file.source, type: 'file', size: file.size! };
  if (file.modified !== undefined) entry.modified = file.modified;
  if (file.hashes) entry.hashes = { ...file.hashes };
  return entry;
}

/** A service copy that failed verification: the streamed copy replaces it, but should that fail too, no bad copy may stay behind that was not there before. */
async function removeBadCopy(ctx: ServiceCopyContext): Promise<void> {
  const { file, target, writePath } = ctx;
  if (writePath === file.target && file.targetExisted) return; // the streamed copy replaces it
  await target.remove(writePath).catch(() => undefined);
}
