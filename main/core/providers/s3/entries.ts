// Turns S3 listing and HEAD results into Entries: sizes, times, the storage class, whether an archived
// object can be read now, and the MD5 where the ETag is one. HEAD also gives the user metadata FileFerry and rclone
// keep: the file's own modification time and a multipart object's MD5 (listings carry no metadata).
import type { HeadObjectCommandOutput, _Object } from '@aws-sdk/client-s3';
import type { Entry } from '../../../../shared/provider';

/** Classes whose objects must be restored before GetObject works (GLACIER_IR is instant and not among them). */
export const ARCHIVE_CLASSES: ReadonlySet<string> = new Set(['GLACIER', 'DEEP_ARCHIVE']);

export function archivedMessage(storageClass: string): string {
  return `This object is in the ${storageClass} storage class: restore it (S3 console "Initiate restore", or aws s3api restore-object) before downloading or copying it.`;
}

/**
 * The hex MD5 an ETag carries, or undefined. A single-part upload's ETag is the MD5 of its bytes unless the
 * object is encrypted with KMS or a customer key; a multipart ETag ("md5-of-md5s-N") is not an MD5 at all.
 */
export function md5FromEtag(etag: string | undefined, encryption?: string, customerKey?: string): string | undefined {
  if (!etag || customerKey || (encryption && encryption.startsWith('aws:kms'))) return undefined;
  const bare = etag.replace(/"/g, '').toLowerCase();
  return /^[0-9a-f]{32}$/.test(bare) ? bare : undefined;
}

/**
 * rclone's user-metadata keys (the SDK gives Metadata keys in lower case, without "x-amz-meta-"): the file's own
 * modification time, and the whole file's MD5 of a multipart upload (whose ETag is no MD5). Using rclone's keys
 * means a file FileFerry uploads keeps its time and hash for rclone, and one rclone uploaded for FileFerry.
 */
export const MTIME_KEY = 'mtime';
export const MD5_KEY = 'md5chksum';

/** rclone's form of a modification time: seconds since the epoch with a fraction ("1612321506.123"). */
export function formatMtime(ms: number): string {
  const whole = Math.floor(ms);
  const seconds = Math.floor(whole / 1000);
  return `${seconds}.${String(whole - seconds * 1000).padStart(3, '0')}`;
}

/**
 * Milliseconds since the epoch from an mtime value: rclone's "seconds.fraction" (rounded to the millisecond: a
 * time set as a float, e.g. by utimes(), is stored in nanoseconds as ".122999999" for .123),
 * plain seconds, or RFC 3339 as other tools write. Undefined for anything else, so a stray value falls back to
 * the object's LastModified rather than a wrong time.
 */
export function parseMtime(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  const decimal = /^(-?)(\d{1,15})(?:\.(\d*))?$/.exec(text);
  if (decimal) {
    const ms = Number(decimal[2]) * 1000 + Math.round(Number(`0.${decimal[3] || '0'}`) * 1000);
    return decimal[1] ? -ms : ms;
  }
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(text)) {
    const parsed = Date.parse(text);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

/** The hex MD5 from md5chksum metadata (base64 of the 16 bytes, as rclone writes it), or undefined. */
export function md5FromMetadata(metadata: Record<string, string> | undefined): string | undefined {
  const value = metadata?.[MD5_KEY];
  if (!value || !/^[A-Za-z0-9+/]{22}==$/.test(value.trim())) return undefined;
  return Buffer.from(value.trim(), 'base64').toString('hex');
}

/** md5chksum's value for a hex MD5. */
export function md5ForMetadata(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

export function restoringMessage(storageClass: string): string {
  return `A restore of this ${storageClass} object is in progress (minutes to hours, by the restore tier asked for): download or copy it once the restore has finished.`;
}

/** Where an archived object's restore stands: none asked for, one under way, or a readable restored copy. */
export type RestoreState = 'none' | 'in-progress' | 'restored';

/** HEAD's x-amz-restore: `ongoing-request="true"` while restoring, `ongoing-request="false", expiry-date="…"` after. */
export function restoreStateFromHeader(restore: string | undefined): RestoreState {
  if (restore && /ongoing-request="true"/.test(restore)) return 'in-progress';
  if (restore && /ongoing-request="false"/.test(restore)) return 'restored';
  return 'none';
}

/** Why an object in an archive class cannot be read now, or undefined once a restored copy can be. */
export function archivedReason(storageClass: string, restore: RestoreState): string | undefined {
  if (restore === 'restored') return undefined;
  return restore === 'in-progress' ? restoringMessage(storageClass) : archivedMessage(storageClass);
}

export function fileEntryFromListing(object: _Object, name: string, path: string): Entry {
  const storageClass = object.StorageClass ?? 'STANDARD';
  // RestoreStatus is present only for objects with a restore asked for (and only when the listing asks for it).
  const restore: RestoreState = !object.RestoreStatus
    ? 'none'
    : object.RestoreStatus.IsRestoreInProgress
      ? 'in-progress'
      : 'restored';
  const unavailable = ARCHIVE_CLASSES.has(storageClass) ? archivedReason(storageClass, restore) : undefined;
  const md5 = md5FromEtag(object.ETag);
  return {
    name,
    path,
    type: 'file',
    size: object.Size ?? 0,
    ...(object.LastModified ? { modified: object.LastModified.getTime() } : {}),
    ...(md5 ? { hashes: { md5 } } : {}),
    storageClass,
    ...(unavailable ? { unavailable } : {}),
  };
}

export function fileEntryFromHead(head: HeadObjectCommandOutput, name: string, path: string): Entry {
  // HEAD omits x-amz-storage-class for STANDARD objects.
  const storageClass = head.StorageClass ?? 'STANDARD';
  // The ETag where it is an MD5 (the service's own word on the bytes), else the md5chksum an uploader stored for a
  // multipart object, as rclone reads them. Never a multipart ETag ("…-N"), which md5FromEtag refuses.
  const md5 =
    md5FromEtag(head.ETag, head.ServerSideEncryption, head.SSECustomerAlgorithm) ?? md5FromMetadata(head.Metadata);
  // The file's own time where the uploader kept one (rclone's convention), else when S3 stored the object.
  const modified = parseMtime(head.Metadata?.[MTIME_KEY]) ?? head.LastModified?.getTime();
  const archived = ARCHIVE_CLASSES.has(storageClass) || head.ArchiveStatus !== undefined;
  const unavailable = archived
    ? archivedReason(head.ArchiveStatus ?? storageClass, restoreStateFromHeader(head.Restore))
    : undefined;
  return {
    name,
    path,
    type: 'file',
    size: head.ContentLength ?? 0,
    ...(modified !== undefined ? { modified } : {}),
    ...(md5 ? { hashes: { md5 } } : {}),
    storageClass,
    ...(unavailable ? { unavailable } : {}),
  };
}
