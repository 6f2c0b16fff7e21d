// Turns a request into the files to copy: stats the source, and for a folder walks it page by page (depth
// first, one folder listed at a time), creating each folder on the target as it goes — so empty folders are
// copied too. Files are handed to the engine a listing page at a time (it keeps them in its store, not in
// memory), so a walk of a million files holds no more than a page of them. Names come from a server we do not trust: each must be one the target can hold
// (nameProblem with its nameRules) and every target path is checked to lie inside the target folder before
// anything is created there. A name refused here, or left out by the source's listing, becomes a skipped record
// carrying the reason as its error: counted and reported, never lost without a word.
import { FerryError, isFerryError } from '../../../shared/errors';
import { baseName, isInside, joinPath, nameProblem, parentPath } from '../../../shared/paths';
import type { CancelSignal, Entry, Provider, SkippedName } from '../../../shared/provider';
import type { TransferRequest } from '../../../shared/transfers';
import { throwIfAborted, turnTaker } from '../util/abort';
import type { FileRecord, ListedTarget } from './job-model';
import type { Release } from './semaphore';
import { isTempName, tempPathFor } from './temp-name';

export interface WalkContext {
  request: TransferRequest;
  source: Provider;
  target: Provider;
  /** Takes a slot on the given providers' sites. */
  slots: (providers: Provider[], signal: CancelSignal) => Promise<Release>;
  warn: (message: string) => void;
  signal: CancelSignal;
  /**
   * List each target folder that receives files once, and give each file what it said (FileRecord.listed), so
   * the overwrite policy is decided without a stat per file.
   */
  listTargets?: boolean;
  /** Receives the planned files, a page at a time, in the order they are to be copied. */
  onFiles: (files: PlannedFile[]) => void;
  /** Lets the event loop turn now and then (the engine's shared turnTaker). */
  takeTurn?: () => Promise<void>;
  /** The walk reached a folder; `created` names it when the walk created it on the target. */
  onFolder?: (created: string | undefined) => void;
}

/** A file as the walk plans it; the engine numbers it (FileRecord.seq). */
export type PlannedFile = Omit<FileRecord, 'seq'>;

/**
 * A target folder with more entries than this is not listed ahead: its listing would be held in memory while
 * the folder is walked. Its files are stat'ed one by one instead.
 */
const MAX_LISTED_PER_FOLDER = 20_000;

interface PendingFolder {
  from: string;
  to: string;
  /** Why the target refused to create this folder: its files fail with this error. */
  refused?: FerryError;
}

export async function planFiles(ctx: WalkContext): Promise<void> {
  const { request, source, target, signal } = ctx;
  const sourceEntry = await withSlot(ctx, [source], () => source.stat(request.source.path, { signal }));
  if (sourceEntry.type === 'file') return ctx.onFiles([await planSingleFile(ctx, sourceEntry)]);

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

  const pending: PendingFolder[] = [{ from: request.source.path, to: targetRoot }];
  // A listing of 'stored' times (S3) gives when each object was stored, not the file's own time: the copy asks
  // stat() for that where it needs it (to keep it on the copy, to compare for if-newer).
  const exactTimes = source.capabilities.listedModTime !== 'stored';
  const takeTurn = ctx.takeTurn ?? turnTaker();
  while (pending.length > 0) {
    throwIfAborted(signal);
    const folder = pending.pop()!;
    if (!isInside(targetRoot, folder.to))
      throw new FerryError('InvalidInput', `Refusing to write outside ${targetRoot}.`);
    let created = false;
    // Where folders exist on their own, each is made before its files; on a bucket store a folder is the prefix
    // of its objects and a marker object is written only for one that stays empty (below), as rclone does.
    const markers = target.capabilities.folderMarkers === true;
    // On a bucket store only the root is checked (its bucket must exist), and no marker written for it.
    if (folder.to !== '/' && !folder.refused && (!markers || folder.to === targetRoot)) {
      try {
        const options = { signal, foldersOnly: true, ...(markers ? { rootOnly: true } : {}) };
        created = (await withSlot(ctx, [target], () => target.mkdir(folder.to, options))) === true;
      } catch (error) {
        // A subfolder the target refuses (a link leading out of the target folder, no permission) fails the
        // files below it, each counted and reported; the rest of the tree is still copied.
        if (folder.to === targetRoot || !isFerryError(error, 'PermissionDenied')) throw error;
        folder.refused = error;
      }
    }
    // At once: a cancel that comes while the folder is listed must still find what was created to remove it.
    // (On a bucket store nothing is created before the listing: the folder is counted after it, below.)
    if (!markers) ctx.onFolder?.(created ? folder.to : undefined);
    let entries = 0;
    const subfolders: PendingFolder[] = [];
    // What the target folder holds: nothing when the walk just created it, else one listing of it.
    const known =
      !ctx.listTargets || folder.refused
        ? undefined
        : created
          ? new Map<string, Entry>()
          : await listTarget(ctx, folder.to);
    const listedAt = Date.now();
    await withSlot(ctx, [source], async () => {
      let refused: PlannedFile[] = [];
      const onSkipped = (skipped: SkippedName) => refused.push(refusedRecord(folder, skipped));
      for await (const page of source.list(folder.from, { signal, onSkipped })) {
        const files = refused;
        refused = [];
        entries += page.length;
        for (const entry of page) {
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
            files.push({ ...fileRecord(from, to, entry, exactTimes), state: 'failed', error: folder.refused.toJSON() });
          } else {
            const record = fileRecord(from, to, entry, exactTimes);
            if (known) record.listed = listedFor(known, to, listedAt);
            files.push(record);
          }
        }
        if (files.length > 0) ctx.onFiles(files);
        await takeTurn();
      }
      if (refused.length > 0) ctx.onFiles(refused);
    });
    if (markers) {
      const empty = entries === 0 && folder.to !== '/' && !folder.refused;
      const made = empty
        ? (await withSlot(ctx, [target], () => target.mkdir(folder.to, { signal, foldersOnly: true }))) === true
        : false;
      ctx.onFolder?.(made ? folder.to : undefined);
    }
    // Reverse so the stack visits subfolders in listing order.
    pending.push(...subfolders.reverse());
  }
}

async function planSingleFile(ctx: WalkContext, entry: Entry): Promise<PlannedFile> {
  const { request, target, signal } = ctx;
  let to = request.intoFolder ? joinPath(request.target.path, baseName(request.source.path)) : request.target.path;
  let listed: ListedTarget | undefined;
  if (!request.intoFolder) {
    // Like cp: a file copied onto an existing folder goes inside it rather than failing.
    const existing = await withSlot(ctx, [target], () => target.stat(to, { signal })).catch((error: unknown) => {
      if (isFerryError(error, 'NotFound')) return undefined;
      throw error;
    });
    if (existing?.type === 'folder') to = joinPath(to, baseName(request.source.path));
    // What the stat found is what the overwrite policy asks about: spare it a second stat of the same file.
    else if (ctx.listTargets) listed = { ...(existing ? { final: existing } : {}), at: Date.now() };
  }
  if (to === '/') throw new FerryError('InvalidInput', 'The target must name a file or a folder, not the root alone.');
  assertTargetHolds(target, baseName(to));
  const parent = parentPath(to);
  // On a bucket store the file's own name makes its folder (WriteOptions.impliedFolders): no marker for it.
  if (parent !== '/') {
    const rootOnly = target.capabilities.folderMarkers === true;
    await withSlot(ctx, [target], () => target.mkdir(parent, { signal, foldersOnly: true, rootOnly }));
  }
  const record = fileRecord(request.source.path, to, entry);
  if (listed) record.listed = listed;
  return record;
}

/**
 * The target folder's entries by name, listed once for the files about to be written into it. A folder that
 * does not exist (yet: bucket stores) holds nothing; one too large to hold (MAX_LISTED_PER_FOLDER), or any
 * other failure, gives undefined: those files are stat'ed one by one.
 */
async function listTarget(ctx: WalkContext, folder: string): Promise<Map<string, Entry> | undefined> {
  const known = new Map<string, Entry>();
  try {
    return await withSlot(ctx, [ctx.target], async () => {
      for await (const page of ctx.target.list(folder, { signal: ctx.signal })) {
        for (const entry of page) known.set(entry.name, entry);
        if (known.size > MAX_LISTED_PER_FOLDER) return undefined;
      }
      return known;
    });
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    return isFerryError(error, 'NotFound') ? known : undefined;
  }
}

/** What a target folder's entries say about the file `to` and its temporary. */
function listedFor(known: Map<string, Entry>, to: string, at: number): ListedTarget {
  const listed: ListedTarget = { at };
  const final = known.get(baseName(to));
  const temp = known.get(baseName(tempPathFor(to)));
  if (final) listed.final = final;
  if (temp) listed.temp = temp;
  return listed;
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
function refusedRecord(folder: { from: string; to: string }, skipped: SkippedName): PlannedFile {
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

/** A file to copy, with what its entry says of it; `exactTime` false: the entry's time is not the file's own. */
function fileRecord(source: string, target: string, entry: Entry, exactTime = true): PlannedFile {
  const record: PlannedFile = { source, target, state: 'pending', bytesDone: 0, attempts: 0 };
  if (entry.size !== undefined) record.size = entry.size;
  if (entry.modified !== undefined && exactTime) record.modified = entry.modified;
  if (entry.hashes && Object.keys(entry.hashes).length > 0) record.hashes = { ...entry.hashes };
  return record;
}
