// Opens an S3 provider for a connection. Bucket names are checked before any request is made.
import type { S3Spec } from '../../../../shared/connection';
import type { Provider } from '../../../../shared/provider';
import type { ProviderContext } from '../registry';
import { createS3Client, s3SiteKey } from './client';
import { assertValidBucketName } from './location';
import { S3Provider } from './provider';

export { s3SpecFromEnvironment } from './client';
export { copyLimits } from './copy';

export async function openS3Provider(spec: S3Spec, context: ProviderContext): Promise<Provider> {
  if (spec.bucket) assertValidBucketName(spec.bucket);
  const { client, region } = await createS3Client(spec, context);
  return new S3Provider(client, spec, s3SiteKey(spec, region), context);
}
