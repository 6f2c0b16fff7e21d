// Connection settings: everything needed to reach a site except its secrets, which live in the OS keychain
// and are resolved at connect time through a SecretResolver. One zod schema per kind; the main process
// validates every spec crossing a boundary (IPC, WebSocket, CLI, a settings file) with these.
import { z } from 'zod';

export const CONNECTION_KINDS = ['local', 'ftp', 'ftps', 's3', 'azure-blob'] as const;
export type ConnectionKind = (typeof CONNECTION_KINDS)[number];

/** Names of secret fields; each is stored as its own keychain entry. */
export const SECRET_FIELDS = [
  'password',
  'secretAccessKey',
  'sessionToken',
  'accountKey',
  'connectionString',
  'sasToken',
  'tokenCache',
  'apiKey',
] as const;
export type SecretField = (typeof SECRET_FIELDS)[number];

const noControlChars = (s: string) => !/[\r\n\0]/.test(s);
const host = z.string().min(1).max(253).refine(noControlChars, 'Host must not contain line breaks or NUL');
const port = z.number().int().min(1).max(65535);
/** SHA-256 certificate fingerprint as 64 hex digits, colons optional. */
const fingerprint = z
  .string()
  .transform((s) => s.replace(/:/g, '').toLowerCase())
  .refine((s) => /^[0-9a-f]{64}$/.test(s), 'A fingerprint is a SHA-256 hash: 64 hexadecimal digits');

export const localSpecSchema = z.object({
  kind: z.literal('local'),
  /** Folder the provider's "/" maps to (default: the file system root). */
  root: z.string().optional(),
});

export const ftpSpecSchema = z.object({
  kind: z.enum(['ftp', 'ftps']),
  host,
  port: port.optional(),
  user: z.string().refine(noControlChars, 'User must not contain line breaks or NUL').default('anonymous'),
  /** explicit = AUTH TLS on the control port (21); implicit = TLS from the first byte (990). ftp kind: none. */
  tls: z.enum(['none', 'explicit', 'implicit']).default('none'),
  /** Accept a server certificate with one of these SHA-256 fingerprints even if no CA vouches for it. */
  pinnedFingerprints: z.array(fingerprint).default([]),
  /** Extra CA certificates (PEM) to trust for this site. */
  caPem: z.string().optional(),
  maxConnections: z.number().int().min(1).max(10).default(2),
  /** Idle timeout: a command or transfer during which the server sends nothing for this long fails with Timeout. */
  timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
  /**
   * Deadline of one listing or command sequence (connecting and logging in, a lookup, a rename…), however
   * busy the server keeps it: a server that drips a listing line by line never trips the idle timeout.
   * Absent: 120 s; 0: none. File transfers have none: they may take hours as long as bytes keep moving.
   */
  operationTimeoutMs: z.number().int().min(0).max(86_400_000).optional(),
  /**
   * Uploads go to a temporary name and are renamed once complete and verified, so nothing partial ever sits
   * under the final name. Off for upload-only folders that refuse renames (drop boxes): files are then
   * written under their final name directly (as FileZilla does), and a failed upload is removed where the
   * server allows it.
   */
  temporaryNames: z.boolean().default(true),
});

export const S3_STORAGE_CLASSES = [
  'STANDARD',
  'STANDARD_IA',
  'INTELLIGENT_TIERING',
  'GLACIER_IR',
  'GLACIER',
  'DEEP_ARCHIVE',
] as const;

export const s3SpecSchema = z.object({
  kind: z.literal('s3'),
  /** Empty: buckets are listed at "/". */
  bucket: z.string().optional(),
  region: z.string().optional(),
  /** S3-compatible endpoint URL; when set, pathStyle and checksumMode default to the compatible choices. */
  endpoint: z.string().url().optional(),
  pathStyle: z.boolean().optional(),
  checksumMode: z.enum(['WHEN_SUPPORTED', 'WHEN_REQUIRED']).optional(),
  /** Where credentials come from: a named ~/.aws profile, the environment, or an access key (secret in the keychain). */
  auth: z.enum(['profile', 'env', 'keys']).default('env'),
  profile: z.string().optional(),
  accessKeyId: z.string().optional(),
  /** Multipart part size. 5 MiB (S3's minimum, rclone's default) keeps (concurrency + 1) parts in memory small. */
  partSizeMiB: z.number().int().min(5).max(5120).default(5),
  uploadConcurrency: z.number().int().min(1).max(16).default(4),
  storageClass: z.enum(S3_STORAGE_CLASSES).optional(),
  maxConnections: z.number().int().min(1).max(64).default(4),
  /**
   * A request that makes no progress for this long fails with Timeout (default 120 s). There is no deadline
   * for a whole operation as FTP has (operationTimeoutMs): a bucket's listing is many bounded pages, and a
   * class change or rename is a server-side copy that may rightly take minutes with no byte to show for it.
   */
  timeoutMs: z.number().int().min(100).max(600_000).optional(),
});

export const AZURE_TIERS = ['Hot', 'Cool', 'Cold', 'Archive'] as const;

export const azureSpecSchema = z.object({
  kind: z.literal('azure-blob'),
  /** Storage account name (from the connection string or SAS URL when those are used). */
  account: z.string().optional(),
  /** Empty: containers are listed at "/". */
  container: z.string().optional(),
  /** Blob service URL, e.g. https://acct.blob.core.windows.net or an Azurite URL. */
  endpoint: z.string().url().optional(),
  auth: z.enum(['connection-string', 'key', 'sas', 'entra']).default('connection-string'),
  tenantId: z.string().optional(),
  clientId: z.string().optional(),
  /** Entra ID authority URL (default https://login.microsoftonline.com/<tenantId or "organizations">); for sovereign clouds. */
  authority: z.string().url().optional(),
  /** Staged block size. 4 MiB (rclone's default) keeps (concurrency + 1) blocks in memory small. */
  blockSizeMiB: z.number().int().min(1).max(4000).default(4),
  uploadConcurrency: z.number().int().min(1).max(16).default(4),
  accessTier: z.enum(AZURE_TIERS).optional(),
  maxConnections: z.number().int().min(1).max(64).default(4),
});

export const connectionSpecSchema = z.discriminatedUnion('kind', [
  localSpecSchema,
  ftpSpecSchema,
  s3SpecSchema,
  azureSpecSchema,
]);

export type LocalSpec = z.infer<typeof localSpecSchema>;
export type FtpSpec = z.infer<typeof ftpSpecSchema>;
export type S3Spec = z.infer<typeof s3SpecSchema>;
export type AzureSpec = z.infer<typeof azureSpecSchema>;
export type ConnectionSpec = z.infer<typeof connectionSpecSchema>;
export type ConnectionSpecInput = z.input<typeof connectionSpecSchema>;

/**
 * Supplies a connection's secrets at connect time (keychain, environment, prompt). Returns undefined
 * when there is none (anonymous FTP, a profile-based S3 connection).
 */
export type SecretResolver = (field: SecretField) => Promise<string | undefined>;

/** Where one side of a transfer lives: a saved connection by id, or an inline spec (CLI addresses). */
export type ConnectionRef = { savedId: string } | { spec: ConnectionSpec; secretsKey?: string };

export interface Location {
  connection: ConnectionRef;
  path: string;
}
