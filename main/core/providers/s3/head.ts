// HEAD of an object, with a clear error when it fails. A HEAD response has no body, so a 403 carries no S3
// error code: it may be a bad key, an expired token, a missing permission, or (without s3:ListBucket) a
// missing object. One ListObjectsV2 on the key, whose errors have bodies, tells them apart.
import {
  HeadObjectCommand,
  ListObjectsV2Command,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { FerryError } from '../../../../shared/errors';
import type { CancelSignal } from '../../../../shared/provider';
import { httpStatus, s3Error } from './errors';

export interface ObjectRef {
  bucket: string;
  key: string;
  /** The provider path, for messages. */
  what: string;
}

export async function headObject(
  client: S3Client,
  ref: ObjectRef,
  signal?: CancelSignal,
): Promise<HeadObjectCommandOutput> {
  const abortSignal = signal as AbortSignal | undefined;
  try {
    return await client.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }), { abortSignal });
  } catch (error) {
    if (httpStatus(error) !== 403) throw s3Error(error, ref.what);
    let listed;
    try {
      listed = await client.send(new ListObjectsV2Command({ Bucket: ref.bucket, Prefix: ref.key, MaxKeys: 1 }), {
        abortSignal,
      });
    } catch (listError) {
      throw s3Error(listError, ref.what);
    }
    if (listed.Contents?.some((o) => o.Key === ref.key)) {
      throw new FerryError(
        'PermissionDenied',
        `${ref.what} exists, but these credentials may not read it (check the IAM or bucket policy, or the KMS key's policy).`,
        { cause: error },
      );
    }
    throw new FerryError('NotFound', `${ref.what} does not exist.`, { cause: error });
  }
}
