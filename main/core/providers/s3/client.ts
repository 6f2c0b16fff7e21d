// Builds the S3 client for a connection: credentials (profile, environment chain or access key), region,
// endpoint and the compatibility switches S3-compatible servers need.
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { DeserializeMiddleware, MetadataBearer } from '@aws-sdk/types';
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { s3SpecSchema, type S3Spec } from '../../../../shared/connection';
import { FerryError } from '../../../../shared/errors';
import { registerSecret } from '../../../../shared/redact';
import { sdkRegion } from '../../util/aws-region';
import { slicedBody, TLS_WRITE_SLICE_BYTES } from '../../util/sliced-body';
import type { ProviderContext } from '../registry';

const CONNECT_TIMEOUT_MS = 15_000;
/** Idle-socket timeout: a part upload that makes no progress for this long fails with Timeout. */
const IDLE_TIMEOUT_MS = 120_000;

type Credentials = NonNullable<S3ClientConfig['credentials']>;

async function credentialsFor(spec: S3Spec, context: ProviderContext): Promise<Credentials> {
  switch (spec.auth) {
    case 'profile':
      // fromIni covers plain keys, role_arn + source_profile (STS AssumeRole), SSO and credential_process
      // profiles, and honours AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE.
      return fromIni({ profile: spec.profile ?? process.env.AWS_PROFILE ?? 'default' });
    case 'env':
      // The standard chain: environment keys, then the default profile, SSO, web identity, container and
      // instance metadata. The AWS CLI resolves the same way, so `aws s3 ls` working means this works.
      return fromNodeProviderChain();
    case 'keys': {
      if (!spec.accessKeyId)
        throw new FerryError(
          'InvalidInput',
          'This S3 connection uses an access key but has no access key ID. Enter one in the connection settings.',
        );
      const secretAccessKey = await context.secrets('secretAccessKey');
      if (!secretAccessKey)
        throw new FerryError(
          'AuthFailed',
          `No secret access key is stored for access key ${spec.accessKeyId}. Enter it in the connection settings.`,
        );
      const sessionToken = await context.secrets('sessionToken');
      registerSecret(secretAccessKey);
      registerSecret(sessionToken);
      return { accessKeyId: spec.accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
    }
  }
}

/** The connection's region, else the one the SDK would find on its own (see sdkRegion). */
async function resolveRegion(spec: S3Spec): Promise<string> {
  if (spec.region) return spec.region;
  return sdkRegion(new S3Client(spec.auth === 'profile' && spec.profile ? { profile: spec.profile } : {}));
}

export interface S3ClientSetup {
  client: S3Client;
  region: string;
}

export async function createS3Client(spec: S3Spec, context: ProviderContext): Promise<S3ClientSetup> {
  const region = await resolveRegion(spec);
  const custom = spec.endpoint !== undefined;
  // Custom endpoints default to path-style (most S3-compatible servers lack per-bucket DNS names) and to
  // checksums only where required: with the SDK's default, a streamed body goes out aws-chunked with a CRC32
  // trailer, which many S3-compatible servers (s3rver among them) store inside the object without an error.
  const checksumMode = spec.checksumMode ?? (custom ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED');
  const sockets = spec.maxConnections * spec.uploadConcurrency;
  const client = new S3Client({
    region,
    credentials: await credentialsFor(spec, context),
    ...(spec.auth === 'profile' && spec.profile ? { profile: spec.profile } : {}),
    ...(custom ? { endpoint: spec.endpoint } : {}),
    forcePathStyle: spec.pathStyle ?? custom,
    requestChecksumCalculation: checksumMode,
    responseChecksumValidation: checksumMode,
    // A bucket in another region answers with a redirect; following it spares the person a region setting.
    followRegionRedirects: true,
    // FileFerry retries whole operations itself; the SDK's own retries stay at its default for single calls.
    requestHandler: {
      connectionTimeout: Math.min(CONNECT_TIMEOUT_MS, spec.timeoutMs ?? CONNECT_TIMEOUT_MS),
      // An idle-socket limit, not a whole-request one: a 5 GiB part may take long, but never sits silent.
      socketTimeout: spec.timeoutMs ?? IDLE_TIMEOUT_MS,
      httpAgent: { keepAlive: true, maxSockets: sockets },
      httpsAgent: { keepAlive: true, maxSockets: sockets },
    },
  });
  skipPayloadHashWhenMd5Signed(client);
  client.middlewareStack.add(sliceBodiesOverTls, {
    step: 'deserialize',
    name: 'fileferrySliceBodiesOverTls',
    priority: 'low',
  });
  return { client, region };
}

/**
 * SigV4 would hash every part body with SHA-256 before sending it: a second pass over every byte, on the
 * event loop, beside the MD5 FileFerry already sends as Content-MD5. A request that carries Content-MD5 (a
 * signed header) is signed with UNSIGNED-PAYLOAD instead: S3 still rejects a body that does not match the
 * MD5 (BadDigest), and the signature still covers that MD5. Requests without Content-MD5 are untouched.
 */
function skipPayloadHashWhenMd5Signed(client: S3Client): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> } | undefined;
      const headers = request?.headers;
      if (headers && Object.keys(headers).some((name) => name.toLowerCase() === 'content-md5')) {
        headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
      }
      return next(args);
    },
    { step: 'build', name: 'fileferryUnsignedPayloadWithMd5', priority: 'low' },
  );
}

/**
 * Over TLS, a part body goes to the socket in slices (util/sliced-body explains why). Last before the HTTP
 * handler, after signing and checksums have seen the whole buffer. The request is copied, not changed: the
 * SDK's retry sends the same request again and needs its buffer (it does not retry a request whose body is
 * a stream).
 */
export const sliceBodiesOverTls: DeserializeMiddleware<object, MetadataBearer> = (next) => async (args) => {
  const request = args.request as { protocol?: string; body?: unknown } | undefined;
  const body = request?.body;
  if (request?.protocol !== 'https:' || !(body instanceof Uint8Array) || body.length <= TLS_WRITE_SLICE_BYTES) {
    return next(args);
  }
  return next({ ...args, request: { ...request, body: slicedBody(body) } });
};

/**
 * The connection for a CLI address `s3://bucket/key`, from the environment the AWS CLI reads: access keys
 * (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN) win over AWS_PROFILE, as they do for the AWS
 * CLI; AWS_REGION or AWS_DEFAULT_REGION; AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL for an S3-compatible server
 * (then path-style addressing and checksums only where required).
 */
export function s3SpecFromEnvironment(bucket: string | undefined, env: NodeJS.ProcessEnv = process.env): S3Spec {
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const useProfile = !env.AWS_ACCESS_KEY_ID && !!env.AWS_PROFILE;
  return s3SpecSchema.parse({
    kind: 's3',
    ...(bucket ? { bucket } : {}),
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint, pathStyle: true, checksumMode: 'WHEN_REQUIRED' } : {}),
    auth: useProfile ? 'profile' : 'env',
    ...(useProfile ? { profile: env.AWS_PROFILE } : {}),
  });
}

/** Identifies the site for per-site connection limits: endpoint, region, bucket and whose credentials. */
export function s3SiteKey(spec: S3Spec, region: string): string {
  const who =
    spec.auth === 'keys' ? spec.accessKeyId : spec.auth === 'profile' ? `profile:${spec.profile ?? 'default'}` : 'env';
  const where = spec.endpoint ?? `aws:${region}`;
  return `s3://${who}@${where}/${spec.bucket ?? ''}`;
}
