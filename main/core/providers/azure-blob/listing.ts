// Listing and stat: containers at "/" (when no container is fixed), virtual folders elsewhere through
// listBlobsByHierarchy('/'), one page at a time as the service returns them.
import type { BlobItem, BlobServiceClient, ContainerItem } from '@azure/storage-blob';
import { FerryError } from '../../../../shared/errors';
import { joinPath, nameProblem } from '../../../../shared/paths';
import type { Entry, EntryType, ListOptions } from '../../../../shared/provider';
import type { Logger } from '../../log/logger';
import { reportSkipped } from '../skipped-names';
import { azureError, azureStatus, isNotFound, type AzureErrorContext } from './errors';
import { storedModTime } from './mod-time';
import { folderPrefix, type BlobLocation } from './paths';
import { unavailableReason } from './tiers';

export interface ListContext {
  service: BlobServiceClient;
  log: Logger;
  errorContext: (what: string, operation: AzureErrorContext['operation']) => AzureErrorContext;
  abortSignal?: AbortSignal;
  /** Shared per provider: whether stat() may describe keys with a listing (see probeKey). */
  statProbe?: { enabled: boolean };
  /** Where list() reports the blobs it leaves out (ListOptions.onSkipped). */
  onSkipped?: ListOptions['onSkipped'];
}

const DEFAULT_PAGE = 1000;

/**
 * Azure Blob Storage takes "\" in a blob name as "/" (rclone's azureblob backend encodes it for that reason):
 * "a\b" would be stored as a/b. Capabilities.nameRules says so to the engine; listings apply the same rule.
 */
export const AZURE_NAME_RULES = 'no-backslash' as const;

export function md5Hex(md5: Uint8Array | undefined): string | undefined {
  return md5 && md5.length === 16 ? Buffer.from(md5).toString('hex') : undefined;
}

/** A blob as an entry; its time is the `mtime` its metadata keeps (rclone's), else its Last-Modified. */
export function blobEntry(path: string, name: string, item: Pick<BlobItem, 'properties' | 'metadata'>): Entry {
  const p = item.properties;
  const md5 = md5Hex(p.contentMD5);
  const unavailable = unavailableReason(p.accessTier, p.archiveStatus);
  const modified = storedModTime(item.metadata) ?? p.lastModified?.getTime();
  return {
    name,
    path,
    type: 'file',
    size: p.contentLength ?? 0,
    ...(modified !== undefined ? { modified } : {}),
    ...(md5 ? { hashes: { md5 } } : {}),
    ...(p.accessTier ? { storageClass: p.accessTier } : {}),
    ...(unavailable ? { unavailable } : {}),
  };
}

function containerEntry(item: ContainerItem): Entry {
  return {
    name: item.name,
    path: `/${item.name}`,
    type: 'folder',
    ...(item.properties.lastModified ? { modified: item.properties.lastModified.getTime() } : {}),
  };
}

export async function* listContainers(ctx: ListContext, pageSize: number | undefined): AsyncGenerator<Entry[]> {
  try {
    for await (const page of ctx.service.listContainers().byPage({ maxPageSize: pageSize ?? DEFAULT_PAGE })) {
      const entries = (page.containerItems ?? []).map(containerEntry);
      if (entries.length > 0) yield entries;
    }
  } catch (error) {
    throw azureError(error, ctx.errorContext('the list of containers', 'list'));
  }
}

/**
 * Lists one virtual folder. The folder's own marker blob ("folder/") is hidden; a folder with neither
 * children nor a marker does not exist (NotFound), except the container root, which exists when the
 * container does.
 */
export async function* listFolder(
  ctx: ListContext,
  loc: BlobLocation,
  pageSize: number | undefined,
): AsyncGenerator<Entry[]> {
  const container = ctx.service.getContainerClient(loc.container!);
  const prefix = folderPrefix(loc.key);
  let sawAnything = false;
  try {
    const pages = container
      // Metadata carries each file's own time (see mod-time.ts); it adds its bytes to the listing, no request.
      .listBlobsByHierarchy('/', { prefix, includeMetadata: true, abortSignal: ctx.abortSignal })
      .byPage({ maxPageSize: pageSize ?? DEFAULT_PAGE });
    for await (const page of pages) {
      const entries: Entry[] = [];
      for (const folder of page.segment.blobPrefixes ?? []) {
        sawAnything = true;
        const name = folder.name.slice(prefix.length, -1);
        if (skipUnsafe(ctx, name, loc.path, 'folder')) continue;
        entries.push({ name, path: joinPath(loc.path, name), type: 'folder' });
      }
      for (const item of page.segment.blobItems) {
        sawAnything = true;
        if (item.name === prefix) continue; // this folder's marker
        const name = item.name.slice(prefix.length);
        if (skipUnsafe(ctx, name, loc.path, 'file')) continue;
        entries.push(blobEntry(joinPath(loc.path, name), name, item));
      }
      if (entries.length > 0) yield entries;
    }
  } catch (error) {
    throw azureError(error, ctx.errorContext(loc.path, 'list'));
  }
  if (!sawAnything && loc.key !== '') {
    throw new FerryError('NotFound', `The folder ${loc.path} does not exist.`);
  }
  if (!sawAnything) await assertContainerExists(ctx, loc);
}

/** Leaves out, and reports, a name FileFerry cannot use here (see AZURE_NAME_RULES). */
function skipUnsafe(ctx: ListContext, name: string, folder: string, type: EntryType): boolean {
  const reason = nameProblem(name, AZURE_NAME_RULES);
  if (reason === undefined) return false;
  reportSkipped(ctx.log, ctx, folder, { name, reason, type });
  return true;
}

async function assertContainerExists(ctx: ListContext, loc: BlobLocation): Promise<void> {
  try {
    await ctx.service.getContainerClient(loc.container!).getProperties({ abortSignal: ctx.abortSignal });
  } catch (error) {
    throw azureError(error, ctx.errorContext(loc.path, 'list'));
  }
}

const PROBE_PAGE = 16;

/**
 * Describes a key with one listing instead of a HEAD and, when that says 404, a second listing for a folder.
 * Listing with prefix "key" and delimiter "/" shows the blob "key" (it sorts first among the names it
 * prefixes, with the same properties a HEAD returns) and the folder as the prefix "key/". Only siblings named
 * "key" + a character below "/" sort between them; when a full first page holds only such siblings, one
 * more listing of "key/" settles it. Undefined when the listing fails (the caller then asks the usual way).
 */
async function probeKey(ctx: ListContext, loc: BlobLocation, name: string): Promise<Entry | 'missing' | undefined> {
  const container = ctx.service.getContainerClient(loc.container!);
  const folder = `${loc.key}/`;
  const pages = container
    .listBlobsByHierarchy('/', { prefix: loc.key, includeMetadata: true, abortSignal: ctx.abortSignal })
    .byPage({ maxPageSize: PROBE_PAGE });
  const first = await pages.next();
  if (first.done) return 'missing';
  const page = first.value;
  const own = page.segment.blobItems.find((item) => item.name === loc.key);
  if (own) return blobEntry(loc.path, name, own);
  const prefixes = (page.segment.blobPrefixes ?? []).map((prefix) => prefix.name);
  const names = [...prefixes, ...page.segment.blobItems.map((item) => item.name)];
  if (names.some((seen) => seen === folder || seen.startsWith(folder))) {
    return { name, path: loc.path, type: 'folder' };
  }
  const passed = names.some((seen) => seen > folder);
  if (page.continuationToken && !passed && (await folderExists(ctx, loc))) {
    return { name, path: loc.path, type: 'folder' };
  }
  return 'missing';
}

/** Whether a virtual folder exists: its marker or any blob below it. */
export async function folderExists(ctx: ListContext, loc: BlobLocation): Promise<boolean> {
  const container = ctx.service.getContainerClient(loc.container!);
  const pages = container
    .listBlobsFlat({ prefix: folderPrefix(loc.key), abortSignal: ctx.abortSignal })
    .byPage({ maxPageSize: 1 });
  for await (const page of pages) {
    if (page.segment.blobItems.length > 0) return true;
    if (!page.continuationToken) break;
  }
  return false;
}

export async function statPath(ctx: ListContext, loc: BlobLocation): Promise<Entry> {
  const name = loc.path === '/' ? '' : loc.path.slice(loc.path.lastIndexOf('/') + 1);
  if (loc.container === undefined) return { name: '', path: '/', type: 'folder' };
  if (loc.key === '') {
    try {
      const props = await ctx.service.getContainerClient(loc.container).getProperties({ abortSignal: ctx.abortSignal });
      return {
        name,
        path: loc.path,
        type: 'folder',
        ...(props.lastModified ? { modified: props.lastModified.getTime() } : {}),
      };
    } catch (error) {
      throw azureError(error, ctx.errorContext(loc.path, 'read'));
    }
  }
  const probe = ctx.statProbe ?? { enabled: true };
  const probed = probe.enabled
    ? await probeKey(ctx, loc, name).catch((error: unknown) => {
        // Refused listings stay refused: describe keys the usual way from now on. Other errors (a missing
        // container, a network failure) are explained by the usual way too.
        if (azureStatus(error) === 403) probe.enabled = false;
        return undefined;
      })
    : undefined;
  if (probed) {
    if (probed === 'missing') throw new FerryError('NotFound', `${loc.path} does not exist.`);
    return probed;
  }
  try {
    const props = await ctx.service
      .getContainerClient(loc.container)
      .getBlobClient(loc.key)
      .getProperties({ abortSignal: ctx.abortSignal });
    return blobEntry(loc.path, name, { properties: props as BlobItem['properties'], metadata: props.metadata });
  } catch (error) {
    // A HEAD response has no body, so a 403 carries no message; the listing below fails with the full one.
    if (azureStatus(error) === 403 && !(error as Error).message) {
      await folderExists(ctx, loc).catch((listError: unknown) => {
        throw azureError(listError, ctx.errorContext(loc.path, 'read'));
      });
    }
    if (
      !isNotFound(error) ||
      (error as { details?: { errorCode?: string } }).details?.errorCode === 'ContainerNotFound'
    ) {
      throw azureError(error, ctx.errorContext(loc.path, 'read'));
    }
  }
  let exists: boolean;
  try {
    exists = await folderExists(ctx, loc);
  } catch (error) {
    throw azureError(error, ctx.errorContext(loc.path, 'read'));
  }
  if (!exists) throw new FerryError('NotFound', `${loc.path} does not exist.`);
  return { name, path: loc.path, type: 'folder' };
}
