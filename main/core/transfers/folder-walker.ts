// Turns a request into the list of files to copy: stats the source, and for a folder walks it page by page
// (depth first, one folder listed at a time), creating each folder on the target as it goes — so empty
// folders are copied too. Names come from a server we do not trust: each must be one the target can hold
// (nameProblem with its nameRules) and every target path is checked to lie inside the target folder before
// anything is created there. A name refused here, or left out by the source's listing, becomes a skipped record
// carrying the reason as its error: counted and reported, never lost without a word.
import { FerryError, isFerryError } from '../../../shared/errors';
import { baseName, isInside, joinPath, nameProblem, parentPath } from '../../../shared/paths';
import type { CancelSignal, Entry, Provider, SkippedName } from '../../../shared/provider';
import type { TransferRequest } from '../../../shared/transfers';
import { throwIfAborted } from '../util/abort';
import type { FileRecord } from './job-model';
import type { Release } from './semaphore';
import type { TargetListing } from './target-listing';
import { isTempName } from './temp-name';

export interface WalkContext {
  request: TransferRequest;
  source: Provider;
  target: Provider;
  /** Takes a slot on the given providers' sites. */
  slots: (providers: Provider[], signal: CancelSignal) => Promise<Release>;
  warn: (message: string) => void;
  signal: CancelSignal;
  /** When given, each target folder that receives files is listed once and the listing recorded here. */
  listing?: TargetListing;
}

interface PendingFolder {
  from: string;
  to: string;
  /** Why the target refused to create this folder: its files fail with this error. */
  refused?: FerryError;
}

export async function planFiles(ctx: WalkContext): Promise<FileRecord[]> {
  const { request, source, target, signal } = ctx;
  const sourceEntry = await withSlot(ctx, [source], () => source.stat(request.source.path, { signal }));
  if (sourceEntry.type === 'file') return [await planSingleFile(ctx, sourceEntry)];

  if (!request.recursive) {
    throw new FerryError(
      'InvalidInput',
      `${request.source.path} is a folder. Copy it with the recursive option to include its contents.`,
    );
  }
  const name = baseName(request.source.path);
  if (request.intoFolder && name !== '') assertTargetHolds(target, name);
  const targetRoot = request.intoFolder && name !== '' ? joinPath(request.target.path, name) : request.target.path;
  // Copying a folder into itself would walk the copy as it is made.
  const avoid = source === target && isInside(request.source.path, targetRoot) ? targetRoot : undefined;

  const files: FileRecord[] = [];
  const pending: PendingFolder[] = [{ from: request.source.path, to: targetRoot }];
  while (pending.length > 0) {
    throwIfAborted(signal);
    const folder = pending.pop()!;
    if (!isInside(targetRoot, folder.to))
      throw new FerryError('InvalidInput', `Refusing to write outside ${targetRoot}.`);
    if (folder.to !== '/' && !folder.refused) {
      try {
        await withSlot(ctx, [target], () => target.mkdir(folder.to, { signal, foldersOnly: true }));
      } catch (error) {
        // A subfolder the target refuses (a link leading out of the target folder, no permission) fails the
        // files below it, each counted and reported; the rest of the tree is still copied.
        if (folder.to === targetRoot || !isFerryError(error, 'PermissionDenied')) throw error;
        folder.refused = error;
      }
    }
    const children = await listAll(ctx, folder.from, source, (skipped) => {
      files.push(refusedRecord(folder, skipped));
    });
    const subfolders: PendingFolder[] = [];
    const targets: string[] = [];
    for (const entry of children) {
      const problem = nameProblem(entry.name, target.capabilities.nameRules);
      if (problem !== undefined) {
        files.push(refusedRecord(folder, { name: entry.name, reason: problem, type: entry.type }));
        continue;
      }
      const from = joinPath(folder.from, entry.name);
      const to = joinPath(folder.to, entry.name);
      if (entry.symlink) {
        ctx.warn(`Skipped ${from}: it is a link or special file.`);
      } else if (entry.type === 'folder') {
        if (avoid !== undefined && from === avoid) ctx.warn(`Skipped ${from}: it is the folder being copied into.`);
        else subfolders.push(folder.refused ? { from, to, refused: folder.refused } : { from, to });
      } else if (isTempName(entry.name)) {
        ctx.warn(`Skipped ${from}: it is an unfinished FileFerry transfer.`);
      } else if (folder.refused) {
        files.push({ ...fileRecord(from, to, entry), state: 'failed', error: folder.refused.toJSON() });
      } else {
        files.push(fileRecord(from, to, entry));
        targets.push(to);
      }
    }
    if (ctx.listing && targets.length > 0) await recordTargetFolder(ctx, ctx.listing, folder.to, targets);
    // Reverse so the stack visits subfolders in listing order.
    pending.push(...subfolders.reverse());
  }
  return files;
}

async function planSingleFile(ctx: WalkContext, entry: Entry): Promise<FileRecord> {
  const { request, target, signal } = ctx;
  let to = request.intoFolder ? joinPath(request.target.path, baseName(request.source.path)) : request.target.path;
  if (!request.intoFolder) {
    // Like cp: a file copied onto an existing folder goes inside it rather than failing.
    const existing = await withSlot(ctx, [target], () => target.stat(to, { signal })).catch((error: unknown) => {
      if (isFerryError(error, 'NotFound')) return undefined;
      throw error;
    });
    if (existing?.type === 'folder') to = joinPath(to, baseName(request.source.path));
    // What the stat found is what the overwrite policy asks about: spare it a second stat of the same file.
    else ctx.listing?.record([to], existing ? [existing] : []);
  }
  if (to === '/') throw new FerryError('InvalidInput', 'The target must name a file or a folder, not the root alone.');
  assertTargetHolds(target, baseName(to));
  const parent = parentPath(to);
  if (parent !== '/') await withSlot(ctx, [target], () => target.mkdir(parent, { signal, foldersOnly: true }));
  return fileRecord(request.source.path, to, entry);
}

async function listAll(
  ctx: WalkContext,
  path: string,
  provider = ctx.source,
  onSkipped?: (skipped: SkippedName) => void,
): Promise<Entry[]> {
  return withSlot(ctx, [provider], async () => {
    const entries: Entry[] = [];
    for await (const page of provider.list(path, { signal: ctx.signal, ...(onSkipped ? { onSkipped } : {}) }))
      entries.push(...page);
    return entries;
  });
}

/**
 * Lists a target folder once for the files about to be written into it. A folder that does not exist (yet:
 * bucket stores) holds nothing; any other failure leaves those files to be stat'ed one by one.
 */
async function recordTargetFolder(
  ctx: WalkContext,
  listing: TargetListing,
  folder: string,
  targets: string[],
): Promise<void> {
  let entries: Entry[];
  try {
    entries = await listAll(ctx, folder, ctx.target);
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    if (!isFerryError(error, 'NotFound')) return;
    entries = [];
  }
  listing.record(targets, entries);
}

async function withSlot<T>(ctx: WalkContext, providers: Provider[], fn: () => Promise<T>): Promise<T> {
  const release = await ctx.slots(providers, ctx.signal);
  try {
    return await fn();
  } finally {
    release();
  }
}

/** Refuses the one name a request itself gives the target (the copied file or folder's), when it cannot hold it. */
function assertTargetHolds(target: Provider, name: string): void {
  const problem = nameProblem(name, target.capabilities.nameRules);
  if (problem !== undefined)
    throw new FerryError('InvalidInput', `The name "${name}" ${problem}. Choose another name for the copy.`);
}

/**
 * An entry whose name cannot be copied, as a skipped record whose error says why, so the job counts it and the
 * CLI and the job log name it. Skipped rather than failed: retrying cannot change a name. Its paths are for
 * showing only (joinPath would resolve a ".." or split an "a/b"), and no operation ever uses them.
 */
function refusedRecord(folder: { from: string; to: string }, skipped: SkippedName): FileRecord {
  const shown = (parent: string) => `${parent === '/' ? '' : parent}/${skipped.name}`;
  const contents = skipped.type === 'folder' ? ' (nor anything in that folder)' : '';
  const error = new FerryError(
    'InvalidInput',
    `The name "${skipped.name}" ${skipped.reason}: it was not copied${contents}. Rename it to copy it.`,
  );
  return {
    source: shown(folder.from),
    target: shown(folder.to),
    state: 'skipped',
    bytesDone: 0,
    attempts: 0,
    error: error.toJSON(),
  };
}

function fileRecord(source: string, target: string, entry: Entry): FileRecord {
  const record: FileRecord = { source, target, state: 'pending', bytesDone: 0, attempts: 0 };
  if (entry.size !== undefined) record.size = entry.size;
  if (entry.modified !== undefined) record.modified = entry.modified;
  if (entry.hashes && Object.keys(entry.hashes).length > 0) record.hashes = { ...entry.hashes };
  return record;
}
