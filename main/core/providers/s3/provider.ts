// The S3 provider: AWS S3 and S3-compatible servers. Paths map to buckets and keys as location.ts describes;
// folders are key prefixes, made to exist on their own by zero-byte "prefix/" markers as the S3 console
// creates them. Uploads, downloads and copies stream; see upload.ts, read.ts and copy.ts.
//
// Hashes: capabilities.hashes is empty and there is no hash(), because S3 can only name an MD5 for objects
// uploaded in one part without KMS (a multipart ETag is not a hash of the bytes), and computing one would mean
// downloading the object unasked. Where the ETag is an MD5, Entry.hashes.md5 (list, stat) and
// WriteResult.hashes.md5 carry it, so verification uses it when it exists; stat() also reads the md5chksum a
// multipart upload keeps (rclone's key, which FileFerry writes too: upload.ts).
//
// Modification times follow rclone: the file's own time is kept as mtime metadata (upload.ts, copy.ts) and
// stat() reads it with HEAD. A listing carries no metadata, so it gives when S3 stored each object (listedModTime
// 'stored'): a HEAD per listed file would make a listing of 100,000 objects cost 100,000 requests.
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  type S3Client,
  type StorageClass,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { S3_STORAGE_CLASSES, type S3Spec } from '../../../../shared/connection';
import { FerryError, isFerryError } from '../../../../shared/errors';
import { normalizePath } from '../../../../shared/paths';
import type {
  CallOptions,
  MkdirOptions,
  StatOptions,
  Capabilities,
  CopyOptions,
  Entry,
  ListOptions,
  Provider,
  ReadOptions,
  RemoveOptions,
  ResumeToken,
  WriteOptions,
  WriteResult,
} from '../../../../shared/provider';
import type { ProviderContext } from '../registry';
import { copyObject } from './copy';
import { headObject, type ObjectRef } from './head';
import { fileEntryFromHead } from './entries';
import { PrefixFolders } from './folders';
import { listBuckets, listFolder } from './listing';
import { s3Error } from './errors';
import { folderPrefix, locate, s3Address, type S3Location } from './location';
import { readObject } from './read';
import { probeKey } from './stat';
import { abortUpload, MiB, parseResumeToken, storedParts, uploadObject } from './upload';
import { missingRoot } from '../missing-root';

const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

type Signal = AbortSignal | undefined;

export class S3Provider implements Provider {
  readonly capabilities: Capabilities;
  private readonly folders: PrefixFolders;
  /** stat() lists to describe a key in one request, until the bucket refuses listings (see stat.ts). */
  private probeByListing = true;

  constructor(
    private readonly client: S3Client,
    private readonly spec: S3Spec,
    readonly siteKey: string,
    private readonly context: ProviderContext,
  ) {
    this.folders = new PrefixFolders(client);
    this.capabilities = {
      hashes: [],
      // A single-part PUT reports the MD5 its ETag confirmed; a multipart upload (above one part) reports none.
      reportedHashes: ['md5'],
      reportedHashesUpTo: spec.partSizeMiB * MiB,
      // stat() gives the mtime metadata to the millisecond (formatMtime writes milliseconds; rclone nanoseconds).
      modTimePrecisionMs: 1,
      listedModTime: 'stored',
      setModTime: true,
      resumableRead: true,
      resumableWrite: 'token',
      atomicWrite: true,
      maxConnections: spec.maxConnections,
      emptyFolders: true,
      folderMarkers: true,
      cheapRename: false,
      // The part reader copies each chunk into its part before it asks for the next.
      writeReleasesChunks: true,
    };
  }

  private locate(path: string): S3Location {
    return locate(path, this.spec.bucket);
  }

  /** The bucket and key of a file path; folders-only paths ("/", a bucket) are refused. */
  private objectRef(path: string): ObjectRef {
    const location = this.locate(path);
    if (!location.bucket || location.key === '') {
      throw new FerryError(
        'InvalidInput',
        `${s3Address(location.bucket)} is ${location.bucket ? 'a bucket' : 'the list of buckets'}, not a file.`,
      );
    }
    return { bucket: location.bucket, key: location.key, what: s3Address(location.bucket, location.key) };
  }

  private storageClass(value: string | undefined): StorageClass | undefined {
    const chosen = value ?? this.spec.storageClass;
    if (chosen === undefined) return undefined;
    if (!(S3_STORAGE_CLASSES as readonly string[]).includes(chosen)) {
      throw new FerryError(
        'InvalidInput',
        `"${chosen}" is not an S3 storage class FileFerry offers (${S3_STORAGE_CLASSES.join(', ')}).`,
      );
    }
    return chosen as StorageClass;
  }

  // ---- Provider -----------------------------------------------------------------------------------------

  async *list(path: string, options: ListOptions = {}): AsyncIterable<Entry[]> {
    const location = this.locate(path);
    const base = normalizePath(path);
    if (!location.bucket) yield await listBuckets(this.client, this.context.log, options.signal);
    else
      yield* listFolder(
        this.client,
        this.context.log,
        { bucket: location.bucket, key: location.key, address: s3Address(location.bucket, location.key) },
        base,
        options,
      );
  }

  async stat(path: string, options: StatOptions = {}): Promise<Entry> {
    const location = this.locate(path);
    const normal = normalizePath(path);
    const address = s3Address(location.bucket, location.key);
    const name = normal.slice(normal.lastIndexOf('/') + 1);
    const signal = options.signal as Signal;
    if (!location.bucket || (location.key === '' && this.spec.bucket)) return { name, path: normal, type: 'folder' };
    if (location.key !== '' && this.probeByListing) {
      try {
        const entry = await probeKey(
          this.client,
          this.folders,
          { bucket: location.bucket, key: location.key, path: normal, name, address },
          signal,
          !options.justWritten,
        );
        if (entry) return entry;
        throw new FerryError('NotFound', `${address} does not exist.`);
      } catch (error) {
        if (isFerryError(error, 'NotFound')) throw error;
        const mapped = s3Error(error, address);
        if (mapped.code !== 'PermissionDenied') throw mapped;
        // Allowed to read objects but not to list the bucket: describe keys with HEAD from now on.
        this.probeByListing = false;
      }
    }
    if (location.key !== '') {
      try {
        const head = await headObject(
          this.client,
          { bucket: location.bucket, key: location.key, what: address },
          options.signal,
        );
        return fileEntryFromHead(head, name, normal);
      } catch (error) {
        if (!isFerryError(error, 'NotFound')) throw error;
      }
    }
    if (await this.folders.folderExists(location.bucket, location.key, signal))
      return { name, path: normal, type: 'folder' };
    throw new FerryError('NotFound', `${address} does not exist.`);
  }

  async read(path: string, options: ReadOptions = {}): Promise<AsyncIterable<Uint8Array>> {
    return readObject(this.client, this.objectRef(path), options);
  }

  async write(path: string, source: AsyncIterable<Uint8Array>, options: WriteOptions = {}): Promise<WriteResult> {
    const ref = this.objectRef(path);
    const storageClass = this.storageClass(options.storageClass);
    if (!options.resumeToken && !options.impliedFolders)
      await this.folders.requireParentFolder(ref.bucket, ref.key, ref.what, options.signal as Signal);
    const result = await uploadObject(this.client, ref, source, {
      ...(options.size !== undefined ? { size: options.size } : {}),
      ...(options.offset !== undefined ? { offset: options.offset } : {}),
      ...(options.resumeToken ? { resumeToken: options.resumeToken } : {}),
      ...(options.onResumeToken ? { onResumeToken: options.onResumeToken } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(storageClass ? { storageClass } : {}),
      ...(options.modified !== undefined ? { modified: options.modified } : {}),
      ...(options.md5 !== undefined ? { md5: options.md5 } : {}),
      partSizeMiB: this.spec.partSizeMiB,
      concurrency: this.spec.uploadConcurrency,
      log: this.context.log,
    });
    this.folders.rememberParentsOf(ref.bucket, ref.key);
    return result;
  }

  async resumeOffset(path: string, token: ResumeToken, options: CallOptions = {}): Promise<number> {
    const ref = this.objectRef(path);
    const parsed = parseResumeToken(token, ref);
    if (!parsed) return 0;
    return (await storedParts(this.client, parsed, options.signal, ref.what))?.bytes ?? 0;
  }

  async discardResume(path: string, token: ResumeToken): Promise<void> {
    const ref = this.objectRef(path);
    const parsed = parseResumeToken(token, ref);
    if (parsed) await abortUpload(this.client, parsed, this.context.log);
  }

  async mkdir(path: string, options: MkdirOptions = {}): Promise<void> {
    const location = this.locate(path);
    const signal = options.signal as Signal;
    if (!location.bucket) return;
    if (location.key === '' || options.rootOnly) {
      if (this.spec.bucket || (await this.folders.folderExists(location.bucket, '', signal))) return;
      if (options.foldersOnly) throw missingRoot('bucket', location.bucket);
      await this.createBucket(location.bucket, signal);
      return;
    }
    const what = s3Address(location.bucket, location.key);
    try {
      await headObject(this.client, { bucket: location.bucket, key: location.key, what }, options.signal);
      throw new FerryError('AlreadyExists', `${what} is a file; a folder cannot have the same name.`);
    } catch (error) {
      if (!isFerryError(error, 'NotFound')) throw error;
    }
    // A marker for the folder and for each parent, so every level exists on its own (as if created one by
    // one in the S3 console) and survives its children's removal. Markers are empty, so re-putting one that
    // exists changes nothing but its date.
    const segments = location.key.split('/');
    await Promise.all(
      segments.map((_, i) => this.folders.putMarker(location.bucket!, segments.slice(0, i + 1).join('/'), signal)),
    );
  }

  private async createBucket(bucket: string, signal?: Signal): Promise<void> {
    const region = await this.client.config.region();
    try {
      await this.client.send(
        new CreateBucketCommand({
          Bucket: bucket,
          ...(region !== 'us-east-1' && !this.spec.endpoint
            ? { CreateBucketConfiguration: { LocationConstraint: region as never } }
            : {}),
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      const mapped = s3Error(error, s3Address(bucket));
      if (mapped.code === 'AlreadyExists' && mapped.details.s3Code === 'BucketAlreadyOwnedByYou') return;
      throw mapped;
    }
  }

  async remove(path: string, options: RemoveOptions = {}): Promise<void> {
    const location = this.locate(path);
    const what = s3Address(location.bucket, location.key);
    const signal = options.signal as Signal;
    if (!location.bucket || (location.key === '' && this.spec.bucket)) {
      throw new FerryError(
        'InvalidInput',
        `FileFerry does not remove ${location.bucket ? "the connection's bucket" : 'the root'}. Remove the files in it instead.`,
      );
    }
    const { bucket, key } = location;
    if (key !== '') {
      try {
        await headObject(this.client, { bucket, key, what }, options.signal);
        await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
        await this.folders.keepParentFolder(bucket, key);
        return;
      } catch (error) {
        if (!isFerryError(error, 'NotFound')) throw s3Error(error, what);
      }
    }
    // A folder (or a bucket, when the connection lists buckets).
    const prefix = folderPrefix(key);
    const keys: string[] = [];
    try {
      for await (const page of this.folders.keysUnder(bucket, prefix, signal)) {
        keys.push(...page);
        if (!options.recursive && keys.some((k) => k !== prefix)) {
          throw new FerryError(
            'InvalidInput',
            `The folder ${what} is not empty. Remove it recursively to delete its contents too.`,
          );
        }
      }
      if (key !== '' && keys.length === 0) throw new FerryError('NotFound', `${what} does not exist.`);
      this.folders.forget(bucket, key);
      await this.folders.deleteKeys(bucket, keys, signal);
      if (key === '') await this.client.send(new DeleteBucketCommand({ Bucket: bucket }), { abortSignal: signal });
      else await this.folders.keepParentFolder(bucket, key);
    } catch (error) {
      throw s3Error(error, what);
    }
  }

  async rename(from: string, to: string, options: CallOptions = {}): Promise<void> {
    const source = this.objectRef(from);
    const target = this.objectRef(to);
    if (source.bucket === target.bucket && source.key === target.key) return;
    const signal = options.signal as Signal;
    let isFile = true;
    try {
      await headObject(this.client, source, options.signal);
    } catch (error) {
      if (!isFerryError(error, 'NotFound')) throw error;
      isFile = false;
    }
    if (isFile) {
      await copyObject(this.client, source, target, {
        ...(options.signal ? { signal: options.signal } : {}),
        keepModified: true,
        log: this.context.log,
      });
      await this.folders.deleteKeys(source.bucket, [source.key], signal).catch((e: unknown) => {
        throw s3Error(e, source.what);
      });
      await this.folders.keepParentFolder(source.bucket, source.key);
      return;
    }
    // A folder: S3 has no rename, so each object is copied under the new prefix, then the old ones deleted.
    const fromPrefix = folderPrefix(source.key);
    const toPrefix = folderPrefix(target.key);
    if (source.bucket === target.bucket && toPrefix.startsWith(fromPrefix)) {
      throw new FerryError('InvalidInput', `Cannot move ${source.what} into itself.`);
    }
    const moved: string[] = [];
    try {
      for await (const page of this.folders.keysUnder(source.bucket, fromPrefix, signal)) {
        for (const key of page) {
          const rest = key.slice(fromPrefix.length);
          await copyObject(
            this.client,
            { bucket: source.bucket, key, what: `${source.what}/${rest}` },
            { bucket: target.bucket, key: toPrefix + rest, what: `${target.what}/${rest}` },
            { ...(options.signal ? { signal: options.signal } : {}), keepModified: true, log: this.context.log },
          );
          moved.push(key);
        }
      }
    } catch (error) {
      throw s3Error(error, source.what);
    }
    if (moved.length === 0) throw new FerryError('NotFound', `${source.what} does not exist.`);
    this.folders.forget(source.bucket, source.key);
    await this.folders.deleteKeys(source.bucket, moved, signal).catch((e: unknown) => {
      throw s3Error(e, source.what);
    });
    await this.folders.keepParentFolder(source.bucket, source.key);
  }

  async copy(from: string, to: string, options: CopyOptions = {}): Promise<void> {
    const source = this.objectRef(from);
    const target = this.objectRef(to);
    // As for an upload: the class asked for, else the connection's; with neither, the source's is kept.
    const storageClass = this.storageClass(options.storageClass);
    if (!options.impliedFolders)
      await this.folders.requireParentFolder(target.bucket, target.key, target.what, options.signal as Signal);
    await copyObject(this.client, source, target, {
      ...(storageClass ? { storageClass } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.modified !== undefined ? { modified: options.modified } : {}),
      keepModified: true,
      log: this.context.log,
    });
    this.folders.rememberParentsOf(target.bucket, target.key);
  }

  async setStorageClass(path: string, storageClass: string, options: CallOptions = {}): Promise<void> {
    const ref = this.objectRef(path);
    const wanted = this.storageClass(storageClass)!;
    const head = await headObject(this.client, ref, options.signal);
    if ((head.StorageClass ?? 'STANDARD') === wanted) return;
    // S3 changes a class by copying the object onto itself with the new class (metadata kept).
    await copyObject(this.client, ref, ref, {
      storageClass: wanted,
      ...(options.signal ? { signal: options.signal } : {}),
      log: this.context.log,
    });
  }

  async readUrl(path: string, options: { expiresInSeconds: number }): Promise<string> {
    const ref = this.objectRef(path);
    if (!(options.expiresInSeconds > 0 && options.expiresInSeconds <= MAX_PRESIGN_SECONDS)) {
      throw new FerryError(
        'InvalidInput',
        `A presigned URL lasts between 1 second and 7 days; ${options.expiresInSeconds} seconds was asked for.`,
      );
    }
    try {
      return await getSignedUrl(this.client, new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }), {
        expiresIn: Math.floor(options.expiresInSeconds),
      });
    } catch (error) {
      throw s3Error(error, ref.what);
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
