// Copies one file, streaming: source.read() → counting/hashing pass-through → target.write(), or, where a
// site can copy by itself (within one connection) or the target can fetch from a URL the source hands out,
// service-side (service-copy.ts, falling back to streaming). Decides the overwrite policy once
// (file-plan.ts), then makes attempts; a transient failure is retried with backoff, continuing from the
// last byte the target holds when both sides allow it (or from the first, once a site refused). Non-atomic
// targets are written under a temporary name and renamed only after the size (and hash, when both sides
// name one) checked out, so nothing incomplete or corrupt ever sits under the final name; see
// verification.ts. A target whose connection turned temporary names off (writesInPlace) is written under
// the final name.
import { FerryError, isFerryError } from '../../../shared/errors';
import { baseName } from '../../../shared/paths';
import type { CancelSignal, Provider, ResumeToken, WriteOptions, WriteResult } from '../../../shared/provider';
import type { OverwriteAnswer, OverwritePolicy } from '../../../shared/transfers';
import { sleep } from '../util/abort';
import { createHasher } from '../util/hash';
import { backoffDelay } from './backoff';
import { completeSourceFacts, planFile, statOrUndefined } from './file-plan';
import type { TargetFacts } from './overwrite-policy';
import type { TransferSlots } from './semaphore';
import { copyByService, serviceRoute, type ServiceGate, type ServiceRoute } from './service-copy';
import type { FileRecord, ListedTarget } from './job-model';
import { tempPathFor, writesFinal } from './temp-name';
import { planVerification, targetOffer, verifyCopy, type Verified } from './verification';

/** What to do with a copy that failed verification under the final name (see badFinal). */
type BadFinal = 'remove' | 'replaced' | 'none';

/** Where an attempt got to, for the decisions made after it failed. */
interface AttemptProgress {
  /** The byte it continued from. */
  offset: number;
  /** It reached verification. */
  verifying: boolean;
  /** The target's write() returned: an atomic target has committed the object under its final name. */
  committed: boolean;
  /** What the check after the copy compared. */
  verified?: Verified;
}

export interface FileTransferContext {
  file: FileRecord;
  source: Provider;
  target: Provider;
  policy: OverwritePolicy;
  /**
   * What the folder job's listing of the target folder said about this file, when it was planned in this run:
   * the overwrite policy is then decided without a stat per file.
   */
  listed?: ListedTarget;
  /** Retries after the first attempt, for transient errors. */
  retries: number;
  retryBaseDelayMs: number;
  storageClass?: string;
  /** Shared by the job's files: closed once a site has refused service-side copies for all of them. */
  serviceGate: ServiceGate;
  signal: CancelSignal;
  /** Takes a slot on both sites for one attempt (the source's may go back once its bytes are read). */
  slots: (signal: CancelSignal) => Promise<TransferSlots>;
  /**
   * Holds another target path for this file (the free name the rename policy picked), unless a file of another
   * job is being written there: false then, and the policy looks further.
   */
  claim?: (path: string) => boolean;
  /** Asks the user (policy "ask"); rejects with Cancelled when the job is paused or cancelled meanwhile. */
  ask: (target: TargetFacts) => Promise<OverwriteAnswer>;
  /** Sets the file's bytes done; `flowed` counts bytes that actually moved (for the rate). */
  setBytes: (bytesDone: number, flowed: number) => void;
  /** The file record changed in a way worth persisting (within a second). */
  changed: () => void;
  /** The file record changed in a way a crash must not lose: resolves once it is on disk. */
  settle: () => Promise<void>;
  log: (level: 'info' | 'warn', message: string) => void;
}

/** A done file says how it was checked where a check ran in this run (none: found finished before, or a service copy). */
export type FileOutcome = { state: 'done'; verified?: Verified } | { state: 'skipped'; note: string };

/** Runs the file to completion; throws the final error (FerryError) or, when the signal fired, Cancelled. */
export async function transferFile(ctx: FileTransferContext): Promise<FileOutcome> {
  const { file, signal } = ctx;
  if (!file.plan) {
    const skipped = await planFile(ctx);
    if (skipped) return skipped;
  } else if (file.attempts > 0 && (await finishedBefore(ctx))) {
    return { state: 'done' };
  }
  // A service-side copy is tried once per run; when it fails, every attempt streams.
  const run: RunState = { service: serviceRoute(ctx.source, ctx.target), resume: true };
  for (let attempt = 1; ; attempt++) {
    file.attempts++;
    const started: AttemptProgress = { offset: 0, verifying: false, committed: false };
    try {
      const held = await ctx.slots(signal);
      try {
        await attemptOnce(ctx, started, run, held);
      } finally {
        held.release();
      }
      return started.verified ? { state: 'done', verified: started.verified } : { state: 'done' };
    } catch (error) {
      if (signal.aborted) throw error;
      const failure = asFerryError(error);
      // A resumed copy that fails verification (wrong hash, or a size that an append cannot explain), or
      // whose partial no longer has the size we continued from, may rest on a partial that changed under
      // us — a server that deleted it on abort while we appended, a stale temporary: its bytes are not to
      // be trusted, so the retry starts clean. So does one after a site refused to continue a file (no REST
      // or APPE: Unsupported); this run then sends the file whole every time.
      const cannotResume = started.offset > 0 && failure.code === 'Unsupported';
      if (cannotResume) run.resume = false;
      const restartNext =
        started.offset > 0 &&
        (failure.code === 'Integrity' || failure.code === 'InvalidInput' || started.verifying || cannotResume);
      const retry = (isTransient(error) || restartNext || failure.details.cutShort === true) && attempt <= ctx.retries;
      if (!retry) {
        const bad = badFinal(ctx, started, failure);
        await discardPartial(ctx, bad);
        const tries = attempt === 1 ? '1 attempt' : `${attempt} attempts`;
        const kept =
          bad === 'replaced'
            ? ` ${file.target} already existed, and the target had replaced it with this copy before the check` +
              ' failed, so the copy was left in place rather than deleted: copy the file again to repair it.'
            : '';
        throw new FerryError(failure.code, `${failure.message}${kept} (gave up after ${tries})`, {
          cause: error,
          details: { ...failure.details, attempts: attempt, ...(kept ? { replacedExisting: true } : {}) },
        });
      }
      if (restartNext) {
        // The next attempt writes the whole file again, so a committed bad copy only matters if it is new.
        await discardPartial(ctx, badFinal(ctx, started, failure));
        file.plan = 'transfer';
      }
      const delay = backoffDelay(attempt, ctx.retryBaseDelayMs);
      const again = restartNext ? ' from the start' : '';
      ctx.log(
        'warn',
        `Attempt ${attempt} for ${file.source} failed (${failure.message}); retrying${again} in ${(delay / 1000).toFixed(1)} s.`,
      );
      await sleep(delay, signal);
    }
  }
}

/**
 * Whether an earlier run (one that crashed before it could record the end) finished this file already: its
 * final copy is there with the source's size and the time FileFerry gave it. A file decided and attempted
 * before is checked once, so that a restart neither copies it again nor, under "rename", copies it twice.
 */
async function finishedBefore(ctx: FileTransferContext): Promise<boolean> {
  const { file, source, target, signal } = ctx;
  if (file.partial || file.resumeToken || file.size === undefined || file.modified === undefined) return false;
  if (!target.capabilities.setModTime || writesFinal(target)) return false;
  const final = await statOrUndefined(target, file.target, signal);
  if (final?.type !== 'file' || final.size !== file.size || final.modified === undefined) return false;
  const precision = Math.max(
    source.capabilities.modTimePrecisionMs ?? 1000,
    target.capabilities.modTimePrecisionMs ?? 1000,
  );
  return Math.abs(final.modified - file.modified) < precision;
}

/** What one run of a file learnt, for its later attempts. */
interface RunState {
  /** The service-side route, until it has been tried. */
  service: ServiceRoute | undefined;
  /** Whether an attempt may continue from a partial (false once a site refused to). */
  resume: boolean;
}

/** One attempt; `started` tells the caller where it continued from and how far it got. */
async function attemptOnce(
  ctx: FileTransferContext,
  started: AttemptProgress,
  run: RunState,
  held: TransferSlots,
): Promise<void> {
  const { file, source, target, signal } = ctx;
  const inPlace = writesFinal(target) || file.plan === 'append-final';
  const writePath = inPlace ? file.target : tempPathFor(file.target);
  if (!inPlace) file.tempPath = writePath;

  // Only a file written from scratch: a partial (temporary, token, appended final) is continued by streaming.
  if (run.service && !ctx.serviceGate.closedBecause && file.plan === 'transfer' && !file.resumeToken) {
    const service = run.service;
    run.service = undefined;
    ctx.setBytes(0, 0);
    if (!inPlace) {
      file.partial = true;
      ctx.changed();
    }
    let reported = 0;
    const copied = await copyByService({
      route: service,
      gate: ctx.serviceGate,
      file,
      source,
      target,
      writePath,
      ...(inPlace ? {} : { commitAs: file.target }),
      signal,
      // Planned by this run (its listing of the target is at hand): the walk's description is fresh.
      fresh: ctx.listed !== undefined,
      // Counted as flowing, so that rate and ETA describe the service's copy.
      progress: (bytesDone) => {
        ctx.setBytes(bytesDone, bytesDone - reported);
        reported = bytesDone;
      },
      log: ctx.log,
      ...(ctx.storageClass ? { storageClass: ctx.storageClass } : {}),
    });
    if (copied !== undefined) {
      started.committed = true;
      started.verified = copied.verified;
      await finishFile(ctx, copied.at, copied.bytes);
      return;
    }
    if (!inPlace) {
      // Whatever a failed service copy left in the temporary is not a prefix to continue from.
      await target.remove(writePath, { signal }).catch(() => undefined);
      file.partial = false;
    }
  }

  let { offset, token } =
    file.partial && run.resume ? await resumePoint(ctx, writePath) : { offset: 0, token: undefined };
  if (offset > 0 && (await sourceChanged(ctx))) {
    ctx.log('info', `${file.source} changed since it was partly copied; starting it again.`);
    offset = 0;
    token = undefined;
  }
  if (token === undefined && file.resumeToken) await discardToken(ctx);

  // Keep the source's time on the copy even when the listing did not carry it.
  if (file.modified === undefined && target.capabilities.setModTime) await completeSourceFacts(ctx);
  started.offset = offset;
  ctx.setBytes(offset, 0);
  file.partial = true;
  ctx.changed();

  // Decided before the bytes flow: hash them only where the digest will be compared (verification.ts).
  const plan = planVerification(
    { known: file.hashes ?? {}, computable: source.capabilities.hashes },
    targetOffer(target.capabilities, file.size),
    offset === 0,
  );
  const hasher = plan.inline && plan.algorithm ? createHasher(plan.algorithm) : undefined;
  let received = offset;
  let written: WriteResult | undefined;

  if (file.size === undefined || offset < file.size || file.size === 0) {
    // Between read() and write() only synchronous steps (count, hash), so a target that releases each chunk
    // before pulling the next lets the source reuse its buffers.
    const reuseChunks = target.capabilities.writeReleasesChunks === true;
    const stream = await source.read(file.source, { signal, reuseChunks, ...(offset > 0 ? { offset } : {}) });
    const counted = tapChunks(
      stream,
      (chunk) => {
        received += chunk.byteLength;
        hasher?.update(chunk);
        ctx.setBytes(received, chunk.byteLength);
      },
      held.releaseSource,
    );
    const options: WriteOptions = { signal };
    if (file.size !== undefined) options.size = file.size;
    if (token !== undefined) {
      // The offset travels with the token, so the provider can check it matches its stored state.
      options.resumeToken = token;
      options.offset = offset;
    } else if (offset > 0) options.offset = offset;
    if (target.capabilities.resumableWrite === 'token') {
      options.onResumeToken = (next) => {
        file.resumeToken = next;
        ctx.changed();
      };
    }
    if (target.capabilities.setModTime && file.modified !== undefined) options.modified = file.modified;
    // The whole file's MD5 as the source vouches for it, for a target that keeps one for other tools to check.
    if (file.hashes?.md5) options.md5 = file.hashes.md5;
    // A bucket store's folder is the prefix of its files: the walk made no marker for a folder that gets files.
    if (target.capabilities.folderMarkers) options.impliedFolders = true;
    if (ctx.storageClass) options.storageClass = ctx.storageClass;
    try {
      written = await target.write(writePath, counted, options);
    } finally {
      // A target that failed or refused before reading all of it (or any of it) leaves the source open.
      await counted.close();
    }
    started.committed = true;
  }

  if (file.size !== undefined && received > file.size) {
    throw new FerryError(
      'Integrity',
      `${file.source} grew while it was copied (${received} bytes read, ${file.size} expected).`,
    );
  }
  if (file.size !== undefined && received < file.size) {
    throw new FerryError(
      'Network',
      `The source stream of ${file.source} ended after ${received} of ${file.size} bytes.`,
    );
  }
  started.verifying = true;
  started.verified = await verifyCopy({
    file,
    source,
    target,
    writePath,
    received,
    written,
    plan,
    digest: hasher?.digest('hex'),
    handedMd5: file.hashes?.md5 !== undefined && written !== undefined,
    signal,
  });
  started.verifying = false;
  await finishFile(ctx, writePath, received);
}

/** Moves a verified temporary to its final name and marks the file complete. */
async function finishFile(ctx: FileTransferContext, writePath: string, bytes: number): Promise<void> {
  const { file, target, signal } = ctx;
  if (writePath !== file.target) {
    try {
      await target.rename(writePath, file.target, { signal });
    } catch (error) {
      if (!isFerryError(error, 'PermissionDenied')) throw error;
      // A name the server cannot hold is refused like a rename in a drop box; the hint must name the cause.
      const tooLong = nameTooLong(file.target, error.message);
      if (tooLong)
        throw new FerryError('PermissionDenied', `${error.message} ${tooLong}`, {
          cause: error,
          details: error.details,
        });
      if (target.capabilities.writesInPlace !== false) throw error;
      throw new FerryError(
        'PermissionDenied',
        `${error.message} Folders that take uploads but refuse renames (drop boxes) need temporary names turned ` +
          "off in the connection's settings; files are then written under their final names directly.",
        { cause: error, details: error.details },
      );
    }
  }
  file.partial = false;
  delete file.tempPath;
  delete file.resumeToken;
  ctx.setBytes(bytes, 0);
}

/** What most file systems allow in one name (ext4, XFS, Btrfs, ZFS, APFS). */
const NAME_MAX_BYTES = 255;

/** Why a refused final name is the name's fault (its length), or undefined when nothing says so. */
function nameTooLong(path: string, refusal: string): string | undefined {
  const bytes = Buffer.byteLength(baseName(path));
  if (bytes > NAME_MAX_BYTES) {
    return (
      `The name is ${bytes} bytes long, and most servers' file systems allow at most ${NAME_MAX_BYTES} bytes in ` +
      'one name: choose a shorter one.'
    );
  }
  if (/name too long|ENAMETOOLONG/i.test(refusal))
    return 'The name (or its folder path) is too long there: choose a shorter one.';
  return undefined;
}

/**
 * After an Integrity failure: whether a copy an atomic target committed under the final name must go
 * ('remove': nothing was there before, or it was our appended partial) or stays because it replaced an
 * existing file ('replaced'; the error says so). 'none' when nothing bad sits under the final name.
 */
function badFinal(ctx: FileTransferContext, started: AttemptProgress, failure: FerryError): BadFinal {
  const { file, target } = ctx;
  if (failure.code !== 'Integrity') return 'none';
  if (file.plan === 'append-final') return 'remove';
  if (!writesFinal(target) || !started.committed) return 'none';
  return file.targetExisted ? 'replaced' : 'remove';
}

/** Where to continue a partial file from: the temporary's size (append) or the provider's token state. */
async function resumePoint(
  ctx: FileTransferContext,
  writePath: string,
): Promise<{ offset: number; token: ResumeToken | undefined }> {
  const { file, source, target, signal } = ctx;
  if (!source.capabilities.resumableRead) return { offset: 0, token: undefined };
  const mode = target.capabilities.resumableWrite;
  if (mode === 'append') {
    const partial = await statOrUndefined(target, writePath, signal);
    const size = partial?.type === 'file' ? (partial.size ?? 0) : 0;
    // A partial longer than the source cannot be a prefix of it.
    if (file.size !== undefined && size > file.size) return { offset: 0, token: undefined };
    return { offset: size, token: undefined };
  }
  if (mode === 'token' && file.resumeToken && target.resumeOffset) {
    const offset = await target.resumeOffset(writePath, file.resumeToken, { signal });
    return offset > 0 ? { offset, token: file.resumeToken } : { offset: 0, token: undefined };
  }
  return { offset: 0, token: undefined };
}

/** Whether the source differs from what was planned (then a partial copy of it is worthless). */
async function sourceChanged(ctx: FileTransferContext): Promise<boolean> {
  const { file, source, signal } = ctx;
  const now = await source.stat(file.source, { signal });
  // The hashes too: the resumed copy is verified against what the source holds now.
  if (now.hashes) file.hashes = { ...now.hashes };
  else delete file.hashes;
  const changed =
    now.size !== file.size ||
    (file.modified !== undefined && now.modified !== undefined && now.modified !== file.modified);
  if (changed) {
    if (now.size === undefined) delete file.size;
    else file.size = now.size;
    if (now.modified === undefined) delete file.modified;
    else file.modified = now.modified;
  }
  return changed;
}

/**
 * Removes what a failed or cancelled file left on the target, given what badFinal said of the final name
 * ('replaced': it stays, the error says so). Best effort: the original error matters more.
 */
export async function discardPartial(
  ctx: Pick<FileTransferContext, 'file' | 'target' | 'log'>,
  final: BadFinal = 'none',
): Promise<void> {
  const { file, target } = ctx;
  if (file.resumeToken) await discardToken(ctx);
  const doomed = new Set<string>();
  if (file.tempPath && file.partial) doomed.add(file.tempPath);
  // Written in place, the partial is the final name itself (but an appended final was the user's file).
  const inPlacePartial = target.capabilities.writesInPlace && file.partial && file.plan !== 'append-final';
  if (inPlacePartial && final !== 'replaced') doomed.add(file.target);
  if (final === 'remove' && (writesFinal(target) || file.plan === 'append-final')) doomed.add(file.target);
  for (const path of doomed) {
    try {
      await target.remove(path);
    } catch (error) {
      if (!isFerryError(error, 'NotFound')) ctx.log('warn', `Could not remove ${path}: ${asFerryError(error).message}`);
    }
  }
  file.partial = false;
  delete file.tempPath;
}

async function discardToken(ctx: Pick<FileTransferContext, 'file' | 'target' | 'log'>): Promise<void> {
  const { file, target } = ctx;
  const token = file.resumeToken;
  delete file.resumeToken;
  if (token && target.discardResume) {
    await target.discardResume(file.target, token).catch((error: unknown) => {
      ctx.log('warn', `Could not discard the unfinished upload of ${file.target}: ${asFerryError(error).message}`);
    });
  }
}

/**
 * Passes a stream through, calling `onChunk` for each chunk and `onEnd` once it is exhausted. A plain iterator
 * rather than an async generator: this runs for every chunk of every copy, and a generator adds a promise hop
 * and a queue per chunk. Returning (the consumer stopped early) is passed on, so the source releases its
 * connection; close() does the same for a consumer that never started, or stopped without saying so.
 */
function tapChunks(
  source: AsyncIterable<Uint8Array>,
  onChunk: (chunk: Uint8Array) => void,
  onEnd: () => void,
): AsyncIterable<Uint8Array> & { close(): Promise<void> } {
  let inner: AsyncIterator<Uint8Array> | undefined;
  let ended = false;
  const open = () => (inner ??= source[Symbol.asyncIterator]());
  return {
    [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
      const iterator = open();
      return {
        next: () =>
          iterator.next().then((result) => {
            if (result.done) {
              ended = true;
              onEnd();
            } else onChunk(result.value);
            return result;
          }),
        return: async (value?: unknown) => {
          ended = true;
          await iterator.return?.(value);
          return { done: true, value: undefined };
        },
      };
    },
    async close() {
      if (ended) return;
      ended = true;
      await Promise.resolve(open().return?.()).catch(() => undefined);
    },
  };
}

const SOCKET_ERRORS = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

function isTransient(error: unknown): boolean {
  if (error instanceof FerryError) return error.transient;
  return SOCKET_ERRORS.has((error as NodeJS.ErrnoException)?.code ?? '');
}

export function asFerryError(error: unknown): FerryError {
  if (error instanceof FerryError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ETIMEDOUT') return new FerryError('Timeout', message, { cause: error });
  if (code && SOCKET_ERRORS.has(code)) return new FerryError('Network', message, { cause: error });
  return new FerryError('Protocol', `Unexpected error: ${message}`, { cause: error });
}
