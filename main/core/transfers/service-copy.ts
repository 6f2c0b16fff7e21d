// Service-to-service copies: when the source can hand out a short-lived URL for a file (an S3 presigned GET)
// and the target can fetch a URL itself (Azure Put Block From URL), the target pulls the bytes and they never
// pass through FileFerry — an S3 → Azure copy of 100 GiB costs this computer a few requests. The target may
// well be unable to reach the source (a private endpoint, a firewall, an emulator without the operation): any
// failure here is not fatal. The caller then streams the file as usual, and the reason goes to the job's log.
import { isFerryError } from '../../../shared/errors';
import type { CancelSignal, Provider, WriteOptions } from '../../../shared/provider';
import { throwIfAborted } from '../util/abort';
import type { FileRecord } from './job-model';
import { checkHash, checkSize, chooseHash, mergeHashes } from './verification';

const MINUTE = 60;
/** The URL must outlive the whole copy (Azure fetches block by block), but a leaked one should die soon. */
const MIN_URL_SECONDS = 15 * MINUTE;
const MAX_URL_SECONDS = 60 * MINUTE;
/** A deliberately low rate for a service pulling from another cloud, to size the URL's lifetime. */
const ASSUMED_PULL_BYTES_PER_SECOND = 25 * 1024 * 1024;

export function urlLifetimeSeconds(size: number): number {
  return Math.min(MAX_URL_SECONDS, Math.ceil(MIN_URL_SECONDS + size / ASSUMED_PULL_BYTES_PER_SECOND));
}

export function canCopyByUrl(source: Provider, target: Provider): boolean {
  return typeof source.readUrl === 'function' && typeof target.writeFromUrl === 'function';
}

export interface ServiceCopyContext {
  file: FileRecord;
  source: Provider;
  target: Provider;
  /** Where the bytes go: the final name for atomic targets, else the temporary. */
  writePath: string;
  storageClass?: string;
  signal: CancelSignal;
  log: (level: 'info' | 'warn', message: string) => void;
}

/**
 * Has the target pull the file from a presigned URL, then verifies it (size, and a hash only where both sides
 * already know one: computing one would mean reading the bytes this path exists to avoid). Returns the bytes
 * copied, or undefined after logging why the caller must stream instead. Throws only when cancelled.
 */
export async function copyByUrl(ctx: ServiceCopyContext): Promise<number | undefined> {
  const { file, source, target, writePath, signal } = ctx;
  let wrote = false;
  try {
    // A fresh stat: the URL serves the object as it is now, so size and hashes must describe that object.
    const entry = await source.stat(file.source, { signal });
    if (entry.type !== 'file' || entry.size === undefined || entry.unavailable) return undefined;
    file.size = entry.size;
    if (entry.modified !== undefined) file.modified = entry.modified;
    if (entry.hashes) file.hashes = { ...entry.hashes };

    const url = await source.readUrl!(file.source, { expiresInSeconds: urlLifetimeSeconds(entry.size) });
    throwIfAborted(signal);
    const options: WriteOptions & { size: number } = { size: entry.size, signal };
    if (ctx.storageClass) options.storageClass = ctx.storageClass;
    wrote = true;
    const written = await target.writeFromUrl!(writePath, url, options);

    const stored = await target.stat(writePath, { signal });
    checkSize(writePath, stored.size, entry.size);
    const sourceOffer = { known: mergeHashes(entry.hashes), computable: [] };
    const targetOffer = { known: mergeHashes(written.hashes, stored.hashes), computable: [] };
    const algorithm = chooseHash(sourceOffer, targetOffer);
    if (algorithm) checkHash(file.target, algorithm, sourceOffer.known[algorithm]!, targetOffer.known[algorithm]!);
    return entry.size;
  } catch (error) {
    if (signal.aborted) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    if (wrote && isFerryError(error, 'Integrity')) await removeBadCopy(ctx);
    ctx.log(
      'warn',
      `The target could not copy ${file.source} from the source directly (${reason}); copying it through FileFerry instead.`,
    );
    return undefined;
  }
}

/** A service copy that failed verification: the streamed copy replaces it, but should that fail too, no bad copy may stay behind that was not there before. */
async function removeBadCopy(ctx: ServiceCopyContext): Promise<void> {
  const { file, target, writePath } = ctx;
  if (writePath === file.target && file.targetExisted) return; // the streamed copy replaces it
  await target.remove(writePath).catch(() => undefined);
}
