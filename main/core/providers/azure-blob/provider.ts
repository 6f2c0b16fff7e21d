// The Azure Blob provider: block blobs in one container (spec.container) or across the account's containers.
// Folders are virtual (blob-name prefixes) made to exist on their own by zero-byte "folder/" marker blobs.
import type { BlobServiceClient, BlockBlobClient } from '@azure/storage-blob';
import type { AzureSpec } from '../../../../shared/connection';
import { FerryError } from '../../../../shared/errors';
import { parentPath } from '../../../../shared/paths';
import type {
  CallOptions,
  MkdirOptions,
  Capabilities,
  CopyOptions,
  Entry,
  HashAlgorithm,
  ListOptions,
  Provider,
  ReadOptions,
  RemoveOptions,
  ResumeToken,
  WriteOptions,
  FromUrlWriteOptions,
  WriteResult,
} from '../../../../shared/provider';
import type { Logger } from '../../log/logger';
import { createHasher } from '../../util/hash';
import {
  chooseBlockSize,
  isBlockResumeToken,
  newResumeToken,
  stagedBlockCount,
  uploadBlocks,
  type BlockResumeToken,
} from './block-upload';
import { createAzureClient, type AzureClient, type AzureProviderContext } from './client';
import { azureError, azureErrorCode, isNotFound, type AzureErrorContext, type AzureOperation } from './errors';
import { discardStagedBlocks } from './discard';
import { writeBlobFromUrl } from './from-url';
import {
  AZURE_NAME_RULES,
  folderExists,
  listContainers,
  listFolder,
  md5Hex,
  statPath,
  type ListContext,
} from './listing';
import { modTimeMetadata, withoutModTime } from './mod-time';
import { locate, type BlobLocation } from './paths';
import { copyBlob, createFolderMarkers, moveFolder, removeContainer, removeFolder } from './folders';
import { readBlob } from './read';
import { parseTier, type AzureTier } from './tiers';
import { missingRoot } from '../missing-root';

export async function openAzureBlobProvider(
  spec: AzureSpec,
  context: AzureProviderContext,
): Promise<AzureBlobProvider> {
  const client = await createAzureClient(spec, context);
  return new AzureBlobProvider(spec, client, context.log);
}

export class AzureBlobProvider implements Provider {
  readonly siteKey: string;
  readonly capabilities: Capabilities;
  readonly client: AzureClient;
  private readonly service: BlobServiceClient;
  private readonly container: string | undefined;
  /** Folders known to exist, so consecutive writes into one folder check its existence once. */
  private readonly knownFolders = new Set<string>();

  constructor(
    private readonly spec: AzureSpec,
    client: AzureClient,
    private readonly log: Logger,
  ) {
    this.client = client;
    this.service = client.service;
    this.container = client.container;
    const host = new URL(this.service.url).host;
    this.siteKey = `azure-blob://${client.account}@${host}/${this.container ?? ''}`;
    this.capabilities = {
      hashes: ['md5'],
      // The Content-MD5 computed while staging and stored at commit (none for a resumed upload).
      reportedHashes: ['md5'],
      reportedHashesFromStream: true,
      // A file's own time, to the millisecond, in rclone's `mtime` metadata, which listings include.
      modTimePrecisionMs: 1,
      listedModTime: 'exact',
      setModTime: true,
      resumableRead: true,
      resumableWrite: 'token',
      atomicWrite: true,
      maxConnections: spec.maxConnections,
      emptyFolders: true,
      folderMarkers: true,
      cheapRename: false,
      // The part reader copies each chunk into a block buffer before it asks for the next.
      writeReleasesChunks: true,
      nameRules: AZURE_NAME_RULES,
    };
  }

  private errorContext = (what: string, operation: AzureOperation): AzureErrorContext => ({
    what,
    operation,
    auth: this.spec.auth,
  });

  /** stat() lists to describe a key in one request, until listing is refused (e.g. a SAS without "l"). */
  private readonly statProbe = { enabled: true };

  private listContext(options?: ListOptions): ListContext {
    return {
      service: this.service,
      log: this.log,
      errorContext: this.errorContext,
      abortSignal: options?.signal as AbortSignal | undefined,
      statProbe: this.statProbe,
      onSkipped: options?.onSkipped,
    };
  }

  private locate(path: string): BlobLocation {
    return locate(path, this.container);
  }

  private blockBlob(loc: BlobLocation): BlockBlobClient {
    return this.service.getContainerClient(loc.container!).getBlockBlobClient(loc.key);
  }

  private requireBlob(loc: BlobLocation): void {
    if (loc.container === undefined || loc.key === '') {
      throw new FerryError(
        'InvalidInput',
        `${loc.path} is ${loc.container === undefined ? 'the list of containers' : 'a container'}, not a file.`,
      );
    }
  }

  async *list(path: string, options: ListOptions = {}): AsyncIterable<Entry[]> {
    const loc = this.locate(path);
    if (loc.container === undefined) yield* listContainers(this.listContext(options), options.pageSize);
    else yield* listFolder(this.listContext(options), loc, options.pageSize);
  }

  async stat(path: string, options?: CallOptions): Promise<Entry> {
    return statPath(this.listContext(options), this.locate(path));
  }

  async read(path: string, options: ReadOptions = {}): Promise<AsyncIterable<Uint8Array>> {
    return readBlob(this.service, this.locate(path), options, this.errorContext);
  }

  async write(path: string, source: AsyncIterable<Uint8Array>, options: WriteOptions = {}): Promise<WriteResult> {
    const loc = this.locate(path);
    this.requireBlob(loc);
    if (options.offset !== undefined && options.offset > 0 && !options.resumeToken) {
      throw new FerryError(
        'Unsupported',
        'Azure Blob uploads resume through their staged blocks (a resume token), not by appending at an offset.',
      );
    }
    const tier = this.tierFor(options.storageClass);
    const blob = this.blockBlob(loc);
    try {
      await this.assertParentExists(loc, options);
      let token: BlockResumeToken;
      let startIndex = 0;
      if (isBlockResumeToken(options.resumeToken)) {
        token = options.resumeToken;
        const staged = await stagedBlockCount(blob, token, options.signal as AbortSignal | undefined);
        // The engine reads the source from resumeOffset(); an explicit offset of 0 means it restarted.
        startIndex = options.offset === 0 ? 0 : staged;
        if (options.offset !== undefined && options.offset !== 0 && options.offset !== staged * token.blockSize) {
          throw new FerryError(
            'InvalidInput',
            `The upload of ${loc.path} can resume at byte ${staged * token.blockSize}, not ${options.offset}.`,
          );
        }
      } else {
        token = newResumeToken(chooseBlockSize(this.spec.blockSizeMiB, options.size));
      }
      return await uploadBlocks(blob, source, {
        ...options,
        token,
        startIndex,
        blockSize: token.blockSize,
        concurrency: this.spec.uploadConcurrency,
        tier,
      });
    } catch (error) {
      throw azureError(error, this.errorContext(loc.path, 'write'));
    }
  }

  async resumeOffset(path: string, token: ResumeToken, options?: CallOptions): Promise<number> {
    const loc = this.locate(path);
    this.requireBlob(loc);
    if (!isBlockResumeToken(token)) return 0;
    try {
      return (
        (await stagedBlockCount(this.blockBlob(loc), token, options?.signal as AbortSignal | undefined)) *
        token.blockSize
      );
    } catch (error) {
      throw azureError(error, this.errorContext(loc.path, 'read'));
    }
  }

  /**
   * Clears the staged blocks of an upload FileFerry will not resume (see discard.ts): nothing is billed for
   * them, and another tool can upload to the name at once. A blob already there keeps its bytes.
   */
  async discardResume(path: string, token: ResumeToken): Promise<void> {
    const loc = this.locate(path);
    this.requireBlob(loc);
    if (!isBlockResumeToken(token)) return;
    try {
      await discardStagedBlocks(this.blockBlob(loc), token.tag);
    } catch (error) {
      throw azureError(error, this.errorContext(loc.path, 'write'));
    }
  }

  async writeFromUrl(path: string, url: string, options: FromUrlWriteOptions): Promise<WriteResult> {
    const loc = this.locate(path);
    this.requireBlob(loc);
    try {
      await this.assertParentExists(loc, options);
    } catch (error) {
      throw azureError(error, this.errorContext(loc.path, 'write'));
    }
    return writeBlobFromUrl(
      this.blockBlob(loc),
      url,
      {
        ...options,
        blockSize: chooseBlockSize(this.spec.blockSizeMiB, options.size),
        concurrency: this.spec.uploadConcurrency,
        tier: this.tierFor(options.storageClass),
      },
      this.errorContext(loc.path, 'write'),
    );
  }

  async mkdir(path: string, options?: MkdirOptions): Promise<boolean> {
    const loc = this.locate(path);
    const abortSignal = options?.signal as AbortSignal | undefined;
    if (loc.container === undefined) return false;
    try {
      const container = this.service.getContainerClient(loc.container);
      // Without a fixed container, "/name" is a container; create it as a missing parent (unless asked not to).
      if (!this.container && options?.foldersOnly) {
        if (!(await container.exists({ abortSignal }))) throw missingRoot('container', loc.container);
      } else if (!this.container) {
        const created = (await container.createIfNotExists({ abortSignal })).succeeded;
        if (loc.key === '') return created;
      }
      if (loc.key === '' || options?.rootOnly) return false;
      if (await this.blobExists(loc, abortSignal)) {
        throw new FerryError('AlreadyExists', `${loc.path} is a file, so no folder can be created there.`);
      }
      // A marker only for a level that would not exist otherwise: blobs under a prefix make it a folder already.
      // Deepest first, up to the first level that exists (which implies those above it).
      const missing: string[] = [];
      for (let key = loc.key; key !== ''; key = key.slice(0, Math.max(0, key.lastIndexOf('/')))) {
        if (await folderExists(this.listContext(options), { container: loc.container, key, path: loc.path })) break;
        missing.push(key);
      }
      await createFolderMarkers(container, missing, abortSignal);
      this.knownFolders.add(loc.path);
      return missing.length > 0;
    } catch (error) {
      throw azureError(error, this.errorContext(loc.path, 'write'));
    }
  }

  async remove(path: string, options: RemoveOptions = {}): Promise<void> {
    const loc = this.locate(path);
    const abortSignal = options.signal as AbortSignal | undefined;
    if (loc.container === undefined || (loc.key === '' && this.container)) {
      throw new FerryError('InvalidInput', `${loc.path} is the root of this connection and cannot be removed.`);
    }
    this.forgetFolders(loc.path);
    const container = this.service.getContainerClient(loc.container);
    try {
      if (loc.key === '') return await removeContainer(container, loc, !!options.recursive, abortSignal);
      try {
        await container.getBlobClient(loc.key).delete({ abortSignal, deleteSnapshots: 'include' });
        return;
      } catch (error) {
        if (!isNotFound(error) || azureErrorCode(error) === 'ContainerNotFound') throw error;
      }
      await removeFolder(container, loc, !!options.recursive, abortSignal);
    } catch (error) {
      throw azureError(error, this.errorContext(loc.path, 'delete'));
    }
  }

  /** Copy then delete: Azure has no rename. A folder moves blob by blob, its marker included. */
  async rename(from: string, to: string, options?: CallOptions): Promise<void> {
    const source = this.locate(from);
    const target = this.locate(to);
    this.requireBlob(source);
    this.requireBlob(target);
    const abortSignal = options?.signal as AbortSignal | undefined;
    this.forgetFolders(source.path);
    const fromContainer = this.service.getContainerClient(source.container!);
    const toContainer = this.service.getContainerClient(target.container!);
    try {
      if (await this.blobExists(source, abortSignal)) {
        await copyBlob(fromContainer.getBlobClient(source.key), toContainer.getBlobClient(target.key), abortSignal);
        await fromContainer.getBlobClient(source.key).delete({ abortSignal, deleteSnapshots: 'include' });
        return;
      }
      await moveFolder(fromContainer, source, toContainer, target, abortSignal);
    } catch (error) {
      throw azureError(error, this.errorContext(source.path, 'copy'));
    }
  }

  async copy(from: string, to: string, options?: CopyOptions): Promise<void> {
    const source = this.locate(from);
    const target = this.locate(to);
    this.requireBlob(source);
    this.requireBlob(target);
    const abortSignal = options?.signal as AbortSignal | undefined;
    try {
      // A time given for the copy replaces the source's `mtime`; the rest of its metadata stays.
      const metadata =
        options?.modified === undefined
          ? undefined
          : {
              ...withoutModTime((await this.blockBlob(source).getProperties({ abortSignal })).metadata),
              ...modTimeMetadata(options.modified),
            };
      await copyBlob(
        this.blockBlob(source),
        this.blockBlob(target),
        abortSignal,
        this.tierFor(options?.storageClass),
        options?.onProgress,
        metadata,
      );
    } catch (error) {
      throw azureError(error, this.errorContext(source.path, 'copy'));
    }
  }

  private async blobExists(loc: BlobLocation, abortSignal?: AbortSignal): Promise<boolean> {
    try {
      await this.blockBlob(loc).getProperties({ abortSignal });
      return true;
    } catch (error) {
      if (isNotFound(error) && azureErrorCode(error) !== 'ContainerNotFound') return false;
      throw error;
    }
  }

  /** The stored Content-MD5 where the blob has one; otherwise computed by reading the blob. */
  async hash(path: string, algorithm: HashAlgorithm, options?: CallOptions): Promise<string> {
    const loc = this.locate(path);
    this.requireBlob(loc);
    if (algorithm === 'md5') {
      try {
        const stored = md5Hex(
          (await this.blockBlob(loc).getProperties({ abortSignal: options?.signal as AbortSignal | undefined }))
            .contentMD5,
        );
        if (stored) return stored;
      } catch (error) {
        throw azureError(error, this.errorContext(loc.path, 'read'));
      }
    }
    const hasher = createHasher(algorithm);
    for await (const chunk of await this.read(path, options)) hasher.update(chunk);
    return hasher.digest('hex');
  }

  /** Changes the access tier; from Archive this starts rehydration (Standard priority), which takes hours. */
  async setStorageClass(path: string, storageClass: string, options?: CallOptions): Promise<void> {
    const loc = this.locate(path);
    this.requireBlob(loc);
    const tier = parseTier(storageClass);
    try {
      await this.blockBlob(loc).setAccessTier(tier, {
        abortSignal: options?.signal as AbortSignal | undefined,
        rehydratePriority: 'Standard',
      });
    } catch (error) {
      throw azureError(error, this.errorContext(loc.path, 'tier'));
    }
  }

  async close(): Promise<void> {
    this.knownFolders.clear();
  }

  private tierFor(storageClass: string | undefined): AzureTier | undefined {
    return storageClass ? parseTier(storageClass) : this.spec.accessTier;
  }

  /** The contract's "parent must exist": at a container root the container must exist, else the folder. */
  private async assertParentExists(
    loc: BlobLocation,
    options: CallOptions & Pick<WriteOptions, 'impliedFolders'>,
  ): Promise<void> {
    const parent = parentPath(loc.path);
    if (this.knownFolders.has(parent)) return;
    const parentLoc = this.locate(parent);
    const abortSignal = options.signal as AbortSignal | undefined;
    if (parentLoc.key === '') {
      await this.service.getContainerClient(loc.container!).getProperties({ abortSignal });
    } else if (options.impliedFolders) {
      return; // the blob's own name makes its folders show (WriteOptions.impliedFolders)
    } else if (!(await folderExists(this.listContext(options), parentLoc))) {
      throw new FerryError('NotFound', `The folder ${parent} does not exist. Create it first.`);
    }
    this.knownFolders.add(parent);
  }

  private forgetFolders(path: string): void {
    for (const folder of this.knownFolders)
      if (folder === path || folder.startsWith(`${path}/`)) this.knownFolders.delete(folder);
  }
}
