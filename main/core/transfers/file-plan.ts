// A file's plan, decided once before its first attempt: what the target holds (from the folder job's
// listing, or a stat) weighed by the overwrite policy — skip the file, write it (under a free name for
// "rename"), continue a partial copy, or append to a final file that is a prefix of the source. The
// decision is recorded in the file's record, so a retry or a restarted engine neither asks again nor
// renames twice.
import { FerryError, isFerryError } from '../../../shared/errors';
import type { CancelSignal, Entry, Provider } from '../../../shared/provider';
import type { OverwritePolicy } from '../../../shared/transfers';
import type { FileOutcome, FileTransferContext } from './file-transfer';
import { decide, type Decision, type TargetFacts } from './overwrite-policy';
import { numberedPath, tempPathFor, writesFinal } from './temp-name';

/** Applies the overwrite policy; returns the outcome when the file is skipped. */
export async function planFile(ctx: FileTransferContext): Promise<FileOutcome | undefined> {
  const { file, source, target, signal } = ctx;
  const compares = ctx.policy !== 'overwrite' && ctx.policy !== 'skip' && ctx.policy !== 'rename';
  const listed = listedFacts(ctx);
  const facts =
    listed && !(listed.exists && compares && (file.modified === undefined || file.size === undefined))
      ? listed
      : await withSlots(ctx, async () => {
          const found = listed ?? (await targetFacts(ctx, file.target));
          // A conflict is decided on times and sizes: fill in what a listing left out (FTP LIST has no exact time).
          if (found.exists && compares && (file.modified === undefined || file.size === undefined))
            await completeSourceFacts(ctx);
          return found;
        });
  const sourceFacts = { size: file.size, modified: file.modified };
  const policyContext = {
    precisionMs: Math.max(
      source.capabilities.modTimePrecisionMs ?? 1000,
      target.capabilities.modTimePrecisionMs ?? 1000,
    ),
    canAppend: canContinue(source, target),
  };
  file.targetExisted = facts.exists;
  let decision: Decision = decide(ctx.policy, sourceFacts, facts, policyContext);
  if (decision.action === 'ask') decision = decide(await ctx.ask(facts), sourceFacts, facts, policyContext);

  switch (decision.action) {
    case 'skip':
      return { state: 'skipped', note: decision.note };
    case 'rename':
      file.target = await withSlots(ctx, () => freeName(target, file.target, signal, ctx.claim));
      file.targetExisted = false;
      file.plan = 'transfer';
      // On disk before the copy is written: an engine restarted after a crash must write to this name again,
      // not find its own copy under the old one and pick "NAME (2)". Other decisions are safe to make again.
      await ctx.settle();
      return undefined;
    case 'resume':
      file.plan = 'resume';
      file.partial = true;
      break;
    case 'append-final':
      file.plan = 'append-final';
      file.partial = true;
      break;
    case 'transfer':
      if (decision.note) ctx.log('info', `${file.target}: ${decision.note}`);
      file.plan = 'transfer';
      break;
    case 'ask':
      throw new FerryError('InvalidInput', '"ask" is not an answer to an overwrite question.');
  }
  ctx.changed();
  return undefined;
}

/** Whether the policy may continue a partial copy (only then does a temporary's size matter). */
function mayResume(policy: OverwritePolicy): boolean {
  return policy === 'resume' || policy === 'ask';
}

/** The target's facts from the folder listing, when they are all the policy needs; else undefined (stat). */
function listedFacts(ctx: FileTransferContext): TargetFacts | undefined {
  const { listed, policy, file } = ctx;
  // A partial's exact size decides a resume: it is stat'ed (some FTP servers hide dot files from LIST).
  if (!listed || mayResume(policy) || file.resumeToken) return undefined;
  const final = listed.final;
  if (final?.type === 'file') {
    // A listing's time of a bucket store is when the object was stored, not the file's own time: stat it.
    if (policy === 'if-newer' && (final.modified === undefined || ctx.target.capabilities.listedModTime === 'stored'))
      return undefined;
    if (policy === 'if-size-differs' && final.size === undefined) return undefined;
  }
  return factsOf(file.target, final);
}

async function targetFacts(ctx: FileTransferContext, path: string): Promise<TargetFacts> {
  const { target, signal } = ctx;
  const facts = factsOf(path, await statOrUndefined(target, path, signal));
  if (!writesFinal(target)) {
    if (mayResume(ctx.policy)) {
      const partial = await statOrUndefined(target, tempPathFor(path), signal);
      if (partial?.type === 'file') facts.partialSize = partial.size ?? 0;
    }
  } else if (ctx.file.resumeToken) {
    facts.partialSize = 0;
  }
  return facts;
}

function factsOf(path: string, final: Entry | undefined): TargetFacts {
  if (final?.type === 'folder')
    throw new FerryError('AlreadyExists', `${path} is a folder on the target; a file cannot replace it.`);
  return { exists: final !== undefined, size: final?.size, modified: final?.modified };
}

/** Fills in the source's size and time with a stat() when the listing did not give them. */
export async function completeSourceFacts(ctx: FileTransferContext): Promise<void> {
  const { file, source, signal } = ctx;
  const entry = await source.stat(file.source, { signal });
  if (file.size === undefined && entry.size !== undefined) file.size = entry.size;
  if (file.modified === undefined && entry.modified !== undefined) file.modified = entry.modified;
  if (file.hashes === undefined && entry.hashes) file.hashes = { ...entry.hashes };
}

/**
 * The first free "name (n).ext" next to `path`, for the rename policy: absent on the target, and not being
 * written by another job at this moment (`claim` holds it for this file).
 */
async function freeName(
  target: Provider,
  path: string,
  signal: CancelSignal,
  claim: (path: string) => boolean = () => true,
): Promise<string> {
  for (let n = 1; n < 10_000; n++) {
    const candidate = numberedPath(path, n);
    if (!(await statOrUndefined(target, candidate, signal)) && claim(candidate)) return candidate;
  }
  throw new FerryError('AlreadyExists', `No free name like ${numberedPath(path, 1)} was found.`);
}

/** The entry at `path`, or undefined where there is none. */
export async function statOrUndefined(provider: Provider, path: string, signal: CancelSignal) {
  try {
    return await provider.stat(path, { signal });
  } catch (error) {
    if (isFerryError(error, 'NotFound')) return undefined;
    throw error;
  }
}

/** Runs `fn` holding a slot on both sites (a stat is a request like any other). */
async function withSlots<T>(ctx: FileTransferContext, fn: () => Promise<T>): Promise<T> {
  const held = await ctx.slots(ctx.signal);
  try {
    return await fn();
  } finally {
    held.release();
  }
}

/** Whether a copy can continue from a byte offset: the source reads from one, the target appends or resumes. */
function canContinue(source: Provider, target: Provider): boolean {
  return source.capabilities.resumableRead && target.capabilities.resumableWrite !== false;
}
