// stat() of a key in one request where possible. A key can be a file ("key"), a folder ("key/…") or nothing;
// HEAD answers only the first, so a missing key used to cost HEAD + a listing. One ListObjectsV2 with
// Prefix "key" and Delimiter "/" answers all three: "key" itself sorts first among the keys it prefixes,
// and the folder shows as the common prefix "key/". Only siblings named "key" + a character below "/"
// (space, "!", "-", "."…) sort between the two; when a short page is all such siblings, one more listing of
// "key/" settles it.
//
// A file's own modification time and a multipart object's MD5 live in its user metadata, which only HEAD
// gives: a file found by the listing is HEADed too, unless the caller only needs its size (justWritten).
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { isFerryError } from '../../../../shared/errors';
import type { Entry } from '../../../../shared/provider';
import { ARCHIVE_CLASSES, fileEntryFromHead, fileEntryFromListing } from './entries';
import { headObject } from './head';
import type { PrefixFolders } from './folders';

const PROBE_KEYS = 16;

type Signal = AbortSignal | undefined;

export interface KeyProbe {
  bucket: string;
  key: string;
  /** The provider path and its last segment, for the Entry. */
  path: string;
  name: string;
  /** The address for messages (s3://bucket/key). */
  address: string;
}

/**
 * The entry at a key, or undefined when nothing is there. Throws what the listing throws; the caller falls
 * back to HEAD when listing is not allowed (credentials with s3:GetObject but without s3:ListBucket).
 */
export async function probeKey(
  client: S3Client,
  folders: PrefixFolders,
  probe: KeyProbe,
  signal?: Signal,
  withMetadata = true,
): Promise<Entry | undefined> {
  const { bucket, key, path, name, address } = probe;
  const page = await client.send(
    new ListObjectsV2Command({ Bucket: bucket, Prefix: key, Delimiter: '/', MaxKeys: PROBE_KEYS }),
    { abortSignal: signal },
  );
  const folder = `${key}/`;
  const own = page.Contents?.find((object) => object.Key === key);
  if (own) {
    // A listing cannot say whether an archived object was restored; HEAD can.
    const storageClass = own.StorageClass ?? 'STANDARD';
    const archived = ARCHIVE_CLASSES.has(storageClass);
    if (!archived && !withMetadata) return fileEntryFromListing(own, name, path);
    try {
      return fileEntryFromHead(await headObject(client, { bucket, key, what: address }, signal), name, path);
    } catch (error) {
      // Allowed to list but not to read the object: the listing still describes it, only without its metadata.
      if (archived || !isFerryError(error, 'PermissionDenied')) throw error;
      return fileEntryFromListing(own, name, path);
    }
  }
  const isFolder =
    page.CommonPrefixes?.some((common) => common.Prefix === folder) ||
    page.Contents?.some((object) => object.Key?.startsWith(folder));
  if (isFolder) {
    folders.remember(bucket, key);
    return { name, path, type: 'folder' };
  }
  // A short page of siblings sorting before "key/" with more to follow: the folder may lie beyond it.
  const seen = [
    ...(page.Contents ?? []).map((o) => o.Key ?? ''),
    ...(page.CommonPrefixes ?? []).map((c) => c.Prefix ?? ''),
  ];
  const passed = seen.some((seenKey) => seenKey > folder);
  if (page.IsTruncated && !passed && (await folders.folderExists(bucket, key, signal)))
    return { name, path, type: 'folder' };
  return undefined;
}
