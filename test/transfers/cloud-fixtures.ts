// Real servers for the engine's cloud tests: s3rver, Azurite behind the from-URL proxy (which fetches presigned
// S3 URLs from s3rver on loopback, as Azure would fetch from S3), and optionally ftp-srv. One opener maps
// every connection ref to the real provider, so tests drive the engine exactly as the app does.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ListMultipartUploadsCommand, ListPartsCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient } from '@azure/storage-blob';
import {
  azureSpecSchema,
  ftpSpecSchema,
  s3SpecSchema,
  type ConnectionRef,
  type SecretField,
} from '../../shared/connection';
import { joinPath } from '../../shared/paths';
import type { Provider } from '../../shared/provider';
import { createLogger } from '../../main/core/log/logger';
import { openProvider } from '../../main/core/providers';
import type { TransferEngineOptions } from '../../main/core/transfers';
import { startAzurite, type AzuriteServer } from '../helpers/azurite';
import { startFromUrlProxy, type FromUrlProxy } from '../helpers/azurite-from-url-proxy';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';
import { patternBytes } from '../helpers/pattern';
import { startS3rver, type S3rverServer } from '../helpers/s3rver';

export const MiB = 1024 * 1024;
export const BUCKET = 'ferry';
export const CONTAINER = 'data';
/** Part and block sizes small enough that a few MiB make a multipart upload. */
export const S3_PART_MIB = 5;
export const AZURE_BLOCK_MIB = 4;

export type CloudKind = 'local' | 'ftp' | 's3' | 'azure';

export interface Clouds {
  s3: S3rverServer;
  azurite: AzuriteServer;
  proxy: FromUrlProxy;
  ftp?: FtpServerHandle;
  /** An S3 client for checks behind the engine's back (ListMultipartUploads, ListParts). */
  admin: S3Client;
  /** Blob client straight to Azurite (not through the proxy). */
  blobs: BlobServiceClient;
  ref(kind: Exclude<CloudKind, 'local'>): ConnectionRef;
  openConnection: TransferEngineOptions['openConnection'];
  /** A provider for direct reads and writes in tests (closed by stop()). */
  provider(kind: Exclude<CloudKind, 'local'>): Promise<Provider>;
  unfinishedUploads(): Promise<Array<{ Key?: string; UploadId?: string }>>;
  storedPartNumbers(key: string, uploadId: string): Promise<number[]>;
  stop(): Promise<void>;
}

export async function startClouds(options: { ftp?: boolean } = {}): Promise<Clouds> {
  const [s3, azurite, ftp] = await Promise.all([
    startS3rver({ buckets: [BUCKET] }),
    startAzurite(),
    options.ftp ? startFtpServer() : Promise.resolve(undefined),
  ]);
  const proxy = await startFromUrlProxy(azurite);
  const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
  await blobs.getContainerClient(CONTAINER).create();
  const admin = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

  const refs: Record<Exclude<CloudKind, 'local'>, ConnectionRef | undefined> = {
    s3: {
      spec: s3SpecSchema.parse(s3.spec(BUCKET, { partSizeMiB: S3_PART_MIB, uploadConcurrency: 2 })),
      secretsKey: 'test-s3',
    },
    azure: {
      spec: azureSpecSchema.parse({
        kind: 'azure-blob',
        auth: 'connection-string',
        container: CONTAINER,
        blockSizeMiB: AZURE_BLOCK_MIB,
        uploadConcurrency: 2,
      }),
      secretsKey: 'test-azure',
    },
    ftp: ftp ? { spec: ftpSpecSchema.parse(ftp.spec({ maxConnections: 2 })), secretsKey: 'test-ftp' } : undefined,
  };
  const secrets: Partial<Record<SecretField, string>> = {
    secretAccessKey: s3.secretAccessKey,
    connectionString: proxy.connectionString,
    ...(ftp ? { password: ftp.password } : {}),
  };
  const log = createLogger({ test: 'cloud' });
  const openConnection: TransferEngineOptions['openConnection'] = async (ref) => {
    if ('savedId' in ref) throw new Error(`unexpected saved connection ${ref.savedId}`);
    return openProvider(ref.spec, { secrets: async (field) => secrets[field], log });
  };
  const ref = (kind: Exclude<CloudKind, 'local'>): ConnectionRef => {
    const found = refs[kind];
    if (!found) throw new Error(`no ${kind} server was started`);
    return found;
  };
  const opened: Provider[] = [];
  const cached = new Map<string, Promise<Provider>>();

  return {
    s3,
    azurite,
    proxy,
    ...(ftp ? { ftp } : {}),
    admin,
    blobs,
    ref,
    openConnection,
    provider(kind) {
      let provider = cached.get(kind);
      if (!provider) {
        provider = openConnection(ref(kind)).then((p) => (opened.push(p), p));
        cached.set(kind, provider);
      }
      return provider;
    },
    async unfinishedUploads() {
      return (await admin.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? [];
    },
    async storedPartNumbers(key, uploadId) {
      const listed = await admin.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }));
      return (listed.Parts ?? []).map((p) => p.PartNumber!).sort((a, b) => a - b);
    },
    async stop() {
      await Promise.all(opened.map((p) => p.close().catch(() => undefined)));
      admin.destroy();
      await proxy.stop();
      await Promise.all([s3.stop(), azurite.stop(), ftp?.stop()]);
    },
  };
}

/** Writes `size` pattern bytes to a local file. */
export async function writePatternFile(path: string, seed: string, size: number): Promise<void> {
  await pipeline(Readable.from(patternBytes(seed, size)), createWriteStream(path));
}

/** SHA-256 of a provider's file, streamed. */
export async function providerSha256(provider: Provider, path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of await provider.read(path)) hash.update(chunk);
  return hash.digest('hex');
}

/** Every entry under `root` on a provider, relative: "dir/" for folders, "file sha256" for files. */
export async function providerTree(provider: Provider, root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (folder: string, prefix: string): Promise<void> => {
    for await (const page of provider.list(folder)) {
      for (const entry of page) {
        const path = joinPath(folder, entry.name);
        if (entry.type === 'folder') {
          out.push(`${prefix}${entry.name}/`);
          await walk(path, `${prefix}${entry.name}/`);
        } else {
          out.push(`${prefix}${entry.name} ${await providerSha256(provider, path)}`);
        }
      }
    }
  };
  await walk(root, '');
  return out.sort();
}

/** S3 requests that carried object bytes out of s3rver: GETs of a key, split by who signed them. */
export function objectGets(requests: Array<{ method: string; url: string }>, key: string) {
  const path = `/${BUCKET}/${key}`;
  const gets = requests.filter((r) => r.method === 'GET' && decodeURIComponent(r.url.split('?')[0]!) === path);
  const presigned = gets.filter((r) => /[?&]X-Amz-Signature=/.test(r.url));
  return { presigned: presigned.length, engine: gets.length - presigned.length };
}
