// Changes an object's user metadata after the fact: S3 keeps metadata immutable, so the object is copied onto itself
// with the new metadata (MetadataDirective REPLACE). Used to add a multipart upload's MD5 once it is known.
import { CopyObjectCommand, type S3Client, type StorageClass } from '@aws-sdk/client-s3';
import type { CancelSignal } from '../../../../shared/provider';
import type { ObjectRef } from './head';
import { copySource } from './location';

export interface MetadataRewrite {
  /** The complete user metadata the object is to carry. */
  metadata: Record<string, string>;
  /** The object's storage class (a copy without one would make it STANDARD); default STANDARD. */
  storageClass?: StorageClass;
  /** The ETag the object must still have: a newer object someone wrote meanwhile is left alone. */
  etag: string;
  signal?: CancelSignal;
}

/**
 * Replaces an object's user metadata by a CopyObject onto itself (S3 cannot change metadata otherwise), within
 * CopyObject's 5 GiB limit. Content headers are not restated: only for objects FileFerry wrote without any.
 * Resolves to the new version's id where the bucket keeps versions.
 */
export async function rewriteMetadata(
  client: S3Client,
  ref: ObjectRef,
  rewrite: MetadataRewrite,
): Promise<string | undefined> {
  const result = await client.send(
    new CopyObjectCommand({
      Bucket: ref.bucket,
      Key: ref.key,
      CopySource: copySource(ref),
      CopySourceIfMatch: rewrite.etag,
      MetadataDirective: 'REPLACE',
      Metadata: rewrite.metadata,
      ...(rewrite.storageClass ? { StorageClass: rewrite.storageClass } : {}),
    }),
    { abortSignal: rewrite.signal as AbortSignal | undefined },
  );
  return result.VersionId;
}
