// Turns S3 listing and HEAD results into Entries: sizes, times, the storage class, whether an archived
// object can be read now, and the MD5 where the ETag is one.
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
  const md5 = md5FromEtag(head.ETag, head.ServerSideEncryption, head.SSECustomerAlgorithm);
  const archived = ARCHIVE_CLASSES.has(storageClass) || head.ArchiveStatus !== undefined;
  const unavailable = archived
    ? archivedReason(head.ArchiveStatus ?? storageClass, restoreStateFromHeader(head.Restore))
    : undefined;
  return {
    name,
    path,
    type: 'file',
    size: head.ContentLength ?? 0,
    ...(head.LastModified ? { modified: head.LastModified.getTime() } : {}),
    ...(md5 ? { hashes: { md5 } } : {}),
    storageClass,
    ...(unavailable ? { unavailable } : {}),
  };
}
