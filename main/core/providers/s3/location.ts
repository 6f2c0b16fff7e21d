// How a provider path maps onto S3: with a bucket in the connection, "/" is that bucket's root; without one,
// "/" lists the buckets and "/bucket/key…" addresses objects. Folders are key prefixes ending in "/".
import { FerryError } from '../../../../shared/errors';
import { normalizePath } from '../../../../shared/paths';

export interface S3Location {
  /** Undefined only for "/" when the connection has no bucket (the list of buckets). */
  bucket?: string;
  /** Object key without a leading slash; "" for a bucket's root. */
  key: string;
}

export const BUCKET_NAMING_RULES =
  'S3 bucket names are 3 to 63 characters of lower-case letters, digits, dots and hyphens, start and end with a ' +
  'letter or digit, have no two adjacent dots, are not shaped like an IP address, and do not start with "xn--", ' +
  '"sthree-" or "amzn-s3-demo-" nor end with "-s3alias", "--ol-s3", ".mrap", "--x-s3" or "--table-s3".';

/** Rejects a bucket name S3 would refuse, before any request, so the person sees the rule instead of a 400. */
export function assertValidBucketName(name: string): void {
  const valid =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d{1,3}(\.\d{1,3}){3}$/.test(name) &&
    !/^(xn--|sthree-|amzn-s3-demo-)/.test(name) &&
    !/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name);
  if (!valid) throw new FerryError('InvalidInput', `"${name}" is not a valid bucket name. ${BUCKET_NAMING_RULES}`);
}

export function locate(path: string, fixedBucket: string | undefined): S3Location {
  const normal = normalizePath(path); // also refuses CR, LF and NUL
  const rest = normal.slice(1);
  if (fixedBucket) return { bucket: fixedBucket, key: rest };
  if (rest === '') return { key: '' };
  const cut = rest.indexOf('/');
  const bucket = cut < 0 ? rest : rest.slice(0, cut);
  assertValidBucketName(bucket);
  return { bucket, key: cut < 0 ? '' : rest.slice(cut + 1) };
}

/** The prefix under which a folder's children live ("" for a bucket root). */
export function folderPrefix(key: string): string {
  return key === '' ? '' : `${key}/`;
}

/**
 * How messages name a place on S3: "s3://bucket/key" as the AWS CLI, rclone and FileFerry's own addresses write
 * it, whatever the connection's endpoint, so a person can paste it into a command (never the provider path
 * "/key", which hides the bucket).
 */
export function s3Address(bucket: string | undefined, key = ''): string {
  if (!bucket) return 's3://';
  return key === '' ? `s3://${bucket}` : `s3://${bucket}/${key}`;
}

/** x-amz-copy-source: "bucket/key", each key segment URL-encoded ("?" would otherwise start a versionId). */
export function copySource(ref: { bucket: string; key: string }): string {
  return `${ref.bucket}/${ref.key.split('/').map(encodeURIComponent).join('/')}`;
}
