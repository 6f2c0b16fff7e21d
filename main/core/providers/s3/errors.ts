// Maps AWS SDK and network errors to FerryErrors a person can act on. The SDK reports S3's error code as
// `name` (or `Code`), the HTTP status in `$metadata`, and socket failures as Node errors with `code`.
import { FerryError } from '../../../../shared/errors';

interface SdkErrorShape {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  StorageClass?: string;
  $metadata?: { httpStatusCode?: number };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

export function s3ErrorCode(error: unknown): string | undefined {
  const e = error as SdkErrorShape | undefined;
  return e?.Code ?? e?.name;
}

export function httpStatus(error: unknown): number | undefined {
  return (error as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;
}

/** `what` names the thing acted on, e.g. "s3://bucket/key" or "the bucket list". */
export function s3Error(error: unknown, what: string): FerryError {
  if (error instanceof FerryError) return error;
  const e = (error ?? {}) as SdkErrorShape;
  const code = s3ErrorCode(error);
  const status = httpStatus(error);
  // The error of a HEAD request has no body, so the SDK can only call it "Unknown: UnknownError", which tells
  // a person nothing: such a detail is left out, and the message says what to check instead.
  const bodiless = code === 'Unknown' || e.message === 'UnknownError';
  const detail = bodiless ? '' : e.message ? ` (${code ?? 'error'}: ${e.message})` : code ? ` (${code})` : '';
  const make = (ferryCode: FerryError['code'], message: string) =>
    new FerryError(ferryCode, message, { cause: error, details: code ? { s3Code: code } : {} });

  // The SDK renames a socket's ECONNRESET and EPIPE "TimeoutError" (for its retry logic), so the socket's own code
  // is looked at before the name: a reset connection is no server too slow to answer.
  if (e.code === 'ECONNRESET' || e.code === 'EPIPE') {
    return make(
      'Network',
      `The connection to S3 was reset while working on ${what} (${e.code}). Check the network and any proxy, then retry.`,
    );
  }
  switch (code) {
    case 'NoSuchBucket':
      return make('NotFound', `The bucket of ${what} does not exist. Check the bucket name and the region.`);
    case 'NoSuchKey':
    case 'NotFound':
      return make('NotFound', `${what} does not exist.`);
    case 'NoSuchUpload':
      return make(
        'NotFound',
        `The unfinished upload to ${what} no longer exists on the server; it must restart from the beginning.`,
      );
    case 'InvalidAccessKeyId':
    case 'SignatureDoesNotMatch':
    case 'ExpiredToken':
    case 'InvalidToken':
    case 'TokenRefreshRequired':
    case 'CredentialsProviderError':
    case 'ExpiredTokenException':
      return make(
        'AuthFailed',
        `S3 did not accept the credentials for ${what}${detail}. Check the access key, secret and session token, or sign in to the profile again.`,
      );
    case 'AccessDenied':
    case 'AllAccessDisabled':
    case 'AccountProblem':
      return make(
        'PermissionDenied',
        `Access to ${what} was denied. The credentials work but lack permission for this operation (check the IAM or bucket policy).`,
      );
    case 'InvalidObjectState':
      return make(
        'Unsupported',
        `${what} is in an archive storage class${e.StorageClass ? ` (${e.StorageClass})` : ''} and must be restored before it can be read or copied (S3 console: "Initiate restore").`,
      );
    case 'BadDigest':
    case 'InvalidDigest':
    case 'XAmzContentSHA256Mismatch':
      return make(
        'Integrity',
        `The bytes S3 received for ${what} did not match their checksum; nothing was stored. Retry the transfer.`,
      );
    case 'InvalidBucketName':
      return make('InvalidInput', `The bucket name in ${what} is not valid${detail}.`);
    case 'BucketAlreadyExists':
    case 'BucketAlreadyOwnedByYou':
      return make('AlreadyExists', `The bucket of ${what} already exists.`);
    case 'InvalidStorageClass':
      return make('InvalidInput', `The server does not accept that storage class for ${what}${detail}.`);
    case 'EntityTooLarge':
    case 'EntityTooSmall':
    case 'InvalidPart':
    case 'InvalidPartOrder':
      return make('Protocol', `S3 refused the upload of ${what}${detail}.`);
    case 'SlowDown':
    case 'ServiceUnavailable':
    case 'InternalError':
    case 'RequestTimeTooSkewed':
      return make(
        code === 'RequestTimeTooSkewed' ? 'AuthFailed' : 'Network',
        code === 'RequestTimeTooSkewed'
          ? `S3 refused the request for ${what} because this computer's clock is wrong. Set the clock and retry.`
          : `S3 is busy or failing for ${what}${detail}. FileFerry will retry.`,
      );
    case 'AbortError':
      return make('Cancelled', `The operation on ${what} was cancelled.`);
    case 'TimeoutError':
    case 'RequestTimeout':
    case 'RequestTimeoutException':
      return make('Timeout', `S3 did not answer in time for ${what}. Check the network and retry.`);
  }
  if (e.code && NETWORK_CODES.has(e.code)) {
    return make(
      'Network',
      `Could not reach S3 for ${what} (${e.code}). Check the network, the endpoint URL and any proxy.`,
    );
  }
  if (e.code === 'ETIMEDOUT')
    return make('Timeout', `The connection to S3 timed out for ${what}. Check the network and retry.`);
  if (/Region is missing/i.test(e.message ?? '')) {
    return make(
      'InvalidInput',
      `No AWS region is set for ${what}. Set the connection's region (or AWS_REGION, or region in the profile).`,
    );
  }
  if (e.name === 'CredentialsProviderError' || (/credential/i.test(e.message ?? '') && status === undefined)) {
    return make('AuthFailed', `No usable AWS credentials for ${what}${detail}.`);
  }
  switch (status) {
    case 404:
      return make('NotFound', `${what} does not exist.`);
    case 401:
      return make('AuthFailed', `S3 did not accept the credentials for ${what}${detail}.`);
    case 403:
      return make(
        'PermissionDenied',
        `Access to ${what} was denied${detail}.${detail ? '' : ' Check the access key and secret, and that they may use this bucket.'}`,
      );
    case 400:
      return make('InvalidInput', `S3 refused the request for ${what}${detail}.`);
    case 416:
      return make('InvalidInput', `The requested byte range is outside ${what}.`);
  }
  if (status !== undefined && status >= 500)
    return make('Network', `S3 failed for ${what}${detail}. FileFerry will retry.`);
  return make('Protocol', `S3 returned an unexpected error for ${what}${detail}.`);
}
