// What to do with a file whose target already exists (or has a partial temporary), per overwrite policy.
// Pure: the runner gathers the facts, this decides, the runner acts.
import type { OverwriteAnswer, OverwritePolicy } from '../../../shared/transfers';

export interface SideFacts {
  size?: number;
  modified?: number;
}

export interface TargetFacts extends SideFacts {
  exists: boolean;
  /** Size of a partial temporary this file's earlier run left, if one exists. */
  partialSize?: number;
}

export interface PolicyContext {
  /** Coarser of the two sides' modtime precisions (ms). */
  precisionMs: number;
  /** The target can append to an existing file and the source can read from an offset. */
  canAppend: boolean;
}

export type Decision =
  | { action: 'transfer'; note?: string }
  | { action: 'skip'; note: string }
  | { action: 'resume' }
  | { action: 'append-final'; offset: number }
  | { action: 'rename' }
  | { action: 'ask' };

export function decide(policy: OverwritePolicy, source: SideFacts, target: TargetFacts, ctx: PolicyContext): Decision {
  if (!target.exists) {
    // Nothing to protect: only "resume" continues an old temporary; the others start clean.
    return policy === 'resume' && target.partialSize !== undefined && ctx.canAppend
      ? { action: 'resume' }
      : { action: 'transfer' };
  }
  switch (policy) {
    case 'overwrite':
      return { action: 'transfer' };
    case 'skip':
      return { action: 'skip', note: 'The target exists (policy: skip).' };
    case 'if-newer':
      return decideIfNewer(source, target, ctx.precisionMs);
    case 'if-size-differs':
      if (source.size !== undefined && source.size === target.size) {
        return { action: 'skip', note: 'The target has the same size (policy: if-size-differs).' };
      }
      return { action: 'transfer' };
    case 'resume':
      return decideResume(source, target, ctx);
    case 'rename':
      return { action: 'rename' };
    case 'ask':
      return { action: 'ask' };
  }
}

function decideIfNewer(source: SideFacts, target: TargetFacts, precisionMs: number): Decision {
  if (source.modified === undefined || target.modified === undefined) {
    return {
      action: 'transfer',
      note: 'Modification times are unknown, so the target was replaced (policy: if-newer).',
    };
  }
  // Within the coarser side's precision the two times are the same instant (FTP MDTM has whole seconds).
  if (source.modified - target.modified >= precisionMs) return { action: 'transfer' };
  return { action: 'skip', note: 'The target is as new as the source or newer (policy: if-newer).' };
}

function decideResume(source: SideFacts, target: TargetFacts, ctx: PolicyContext): Decision {
  if (target.partialSize !== undefined && ctx.canAppend) return { action: 'resume' };
  if (source.size !== undefined && target.size !== undefined) {
    if (target.size === source.size)
      return { action: 'skip', note: 'The target is already complete (policy: resume).' };
    if (target.size < source.size && ctx.canAppend) return { action: 'append-final', offset: target.size };
  }
  return { action: 'transfer', note: 'The target could not be resumed, so it was replaced (policy: resume).' };
}

export function isAnswer(value: unknown): value is OverwriteAnswer {
  return (
    value === 'overwrite' ||
    value === 'skip' ||
    value === 'if-newer' ||
    value === 'if-size-differs' ||
    value === 'resume' ||
    value === 'rename'
  );
}
