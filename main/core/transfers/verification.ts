// Checks after each file: the target holds exactly the bytes sent, and the same content by the strongest hash
// both sides offer. The source offers a hash it already knows (its listing's or stat's Entry.hashes) or can
// compute (capabilities.hashes); the target one it reports for free (WriteResult.hashes, announced by
// capabilities.reportedHashes, for files up to reportedHashesUpTo) or can compute. Nothing is hashed that
// will not be compared: a copy between sides without a common hash (FTP, which offers none, to or from
// anything) is checked on its size alone, and so is an S3 multipart upload, whose ETag is no MD5.
// Where the bytes pass through the engine from byte 0, their digest stands for the source's hash, so the
// source is never read twice; the target is read again (hash()) only when it reports nothing for free.
// A target that hashes the bytes it is handed (reportedHashesFromStream: Azure) reports that digest, and
// the engine takes it instead of hashing the same bytes a second time.
// A mismatch is an Integrity error; the runner then removes the bad bytes where it may.
import { FerryError } from '../../../shared/errors';
import {
  HASH_STRENGTH,
  type CancelSignal,
  type Capabilities,
  type Entry,
  type HashAlgorithm,
  type Provider,
  type WriteResult,
} from '../../../shared/provider';
import type { FileRecord } from './job-model';

export type KnownHashes = Partial<Record<HashAlgorithm, string>>;

/** What one side can say about a file's hash. */
export interface HashOffer {
  /** Hashes known without further I/O. */
  known: KnownHashes;
  /** Algorithms the side's hash() may be asked for (empty when asking would defeat the purpose, e.g. a service copy). */
  computable: readonly HashAlgorithm[];
}

/** The strongest algorithm both sides can name, if any. */
export function chooseHash(source: HashOffer, target: HashOffer): HashAlgorithm | undefined {
  const offers = (side: HashOffer, algorithm: HashAlgorithm) =>
    side.known[algorithm] !== undefined || side.computable.includes(algorithm);
  return HASH_STRENGTH.find((algorithm) => offers(source, algorithm) && offers(target, algorithm));
}

/** How a streamed copy will be verified, decided before its bytes flow. */
export interface VerificationPlan {
  /** The hash to compare; undefined: the size alone (the sides have no hash in common). */
  algorithm?: HashAlgorithm;
  /** Hash the bytes as they pass: the digest stands for the source's hash and checks what it already named. */
  inline: boolean;
  /** The target's reported hash is its digest of the bytes it was handed: it stands for the inline digest. */
  digestFromTarget?: boolean;
}

/** What the target can say about a file's hash once written. */
export interface TargetOffer {
  /** Hashes write() will report for this file. */
  reported: readonly HashAlgorithm[];
  /** Hashes hash() can compute. */
  computable: readonly HashAlgorithm[];
  /** The reported hashes are the target's digest of the bytes it was handed (reportedHashesFromStream). */
  fromStream?: boolean;
}

/** The target's offer for a file of `size` bytes (undefined: not known before the copy). */
export function targetOffer(capabilities: Capabilities, size: number | undefined): TargetOffer {
  const limit = capabilities.reportedHashesUpTo;
  const reports = limit === undefined || size === undefined || size <= limit;
  return {
    reported: reports ? (capabilities.reportedHashes ?? []) : [],
    computable: capabilities.hashes,
    fromStream: capabilities.reportedHashesFromStream === true,
  };
}

/**
 * Chooses the hash for a streamed copy. `fromStart`: every byte will pass through the engine (not a resumed
 * copy). The bytes are hashed inline when that spares reading the source again (the source only offers to
 * compute the hash), or when the source names the hash but the target does not report it: then the digest
 * tells bytes damaged while read (it differs from the source's hash) from bytes damaged while written (it
 * differs from the target's). When the source names the hash and the target reports it, those two are
 * compared directly and nothing is hashed here. A target that reports its own digest of the bytes it was
 * handed has hashed them already: that digest is the inline one.
 */
export function planVerification(
  source: { known: KnownHashes; computable: readonly HashAlgorithm[] },
  target: TargetOffer,
  fromStart: boolean,
): VerificationPlan {
  const algorithm = chooseHash(source, { known: {}, computable: [...target.reported, ...target.computable] });
  if (!algorithm) return { inline: false };
  if (fromStart && target.fromStream === true && target.reported.includes(algorithm)) {
    return { algorithm, inline: false, digestFromTarget: true };
  }
  const inline =
    fromStart &&
    COMPUTABLE_HERE.has(algorithm) &&
    (source.known[algorithm] === undefined || !target.reported.includes(algorithm));
  return { algorithm, inline };
}

const COMPUTABLE_HERE: ReadonlySet<HashAlgorithm> = new Set<HashAlgorithm>(['sha256', 'sha1', 'md5']);

export interface CopyToVerify {
  file: FileRecord;
  source: Provider;
  target: Provider;
  /** Where the bytes went (the final name, or the temporary of a non-atomic target). */
  writePath: string;
  /** Bytes the source delivered in total (including a resumed copy's first `offset` bytes). */
  received: number;
  /** What target.write() returned; undefined when nothing was left to write. */
  written: WriteResult | undefined;
  plan: VerificationPlan;
  /** The inline digest of plan.algorithm, when plan.inline (plan.digestFromTarget: taken from `written`). */
  digest: string | undefined;
  /**
   * The write was handed the source's MD5 (WriteOptions.md5), which the target may keep as its own (Azure's
   * Content-MD5 after a resume): an MD5 the target gives back later is then no word on the bytes it holds.
   */
  handedMd5?: boolean;
  signal: CancelSignal;
}

/**
 * Verifies a streamed copy: its size, then its hash where the plan chose one. An atomic target's own count of
 * what it committed (WriteResult.size) is trusted, as its provider checks each request it makes; a non-atomic
 * target's file is stat'ed (cheap, and the only word from a server that does not answer for its writes).
 */
/** What a copy's check compared: a hash both sides agreed on (and its value), or the size alone. */
export interface Verified {
  check: HashAlgorithm | 'size';
  value?: string;
}

export async function verifyCopy(copy: CopyToVerify): Promise<Verified> {
  const { file, source, target, writePath, received, written, plan, signal } = copy;
  const digest = plan.digestFromTarget && plan.algorithm ? lower(written?.hashes?.[plan.algorithm]) : copy.digest;
  const stored: Entry | undefined =
    written === undefined || !target.capabilities.atomicWrite
      ? await target.stat(writePath, { signal, justWritten: true })
      : undefined;
  checkSize(writePath, stored ? stored.size : written!.size, received);

  const bySize: Verified = { check: 'size' };
  const algorithm = plan.algorithm;
  if (!algorithm) return bySize;
  // The target was to hash what it was handed and did not: there is no digest to compare.
  if (plan.digestFromTarget && digest === undefined) return bySize;
  if (digest !== undefined) await checkSourceRead(copy, algorithm, digest);
  const echoed = copy.handedMd5 === true && algorithm === 'md5';
  const targetHash =
    lower(written?.hashes?.[algorithm]) ??
    (echoed
      ? undefined
      : (lower(stored?.hashes?.[algorithm]) ??
        (target.capabilities.hashes.includes(algorithm)
          ? await requireHash(target, writePath, algorithm, signal)
          : undefined)));
  // A target that announced the hash but did not report it this time (an S3 multipart upload) has none.
  if (targetHash === undefined) return bySize;
  const agreed: Verified = { check: algorithm, value: targetHash.toLowerCase() };
  const listed = lower(file.hashes?.[algorithm]);
  const sourceHash = digest ?? listed ?? (await requireHash(source, file.source, algorithm, signal));
  if (digest === undefined && listed !== undefined && listed !== targetHash.toLowerCase()) {
    // Compared with what the listing said: the source may have changed since (then its fresh hash agrees).
    const now = lower((await source.stat(file.source, { signal })).hashes?.[algorithm]);
    if (now !== undefined && now === targetHash.toLowerCase()) {
      file.hashes = { ...file.hashes, [algorithm]: now };
      return agreed;
    }
  }
  checkHash(file.target, algorithm, sourceHash, targetHash);
  return agreed;
}

/**
 * Compares what was read with the hash the source's listing named. A difference means either the source
 * changed since it was listed (a fresh stat then agrees with the bytes read) or the bytes were damaged on
 * the way in (it does not): the latter is an Integrity error, caught although the target got the same bytes.
 */
async function checkSourceRead(copy: CopyToVerify, algorithm: HashAlgorithm, digest: string): Promise<void> {
  const { file, source, signal } = copy;
  const listed = lower(file.hashes?.[algorithm]);
  if (listed === undefined || listed === digest) return;
  const now = mergeHashes((await source.stat(file.source, { signal })).hashes);
  if (now[algorithm] === undefined || now[algorithm] === digest) {
    file.hashes = now;
    return;
  }
  throw new FerryError(
    'Integrity',
    `The bytes read from ${file.source} are not what the source holds: their ${algorithm} is ${digest}, the source's is ${now[algorithm]}.`,
    { details: { algorithm, source: now[algorithm]!, read: digest } },
  );
}

async function requireHash(
  provider: Provider,
  path: string,
  algorithm: HashAlgorithm,
  signal: CancelSignal,
): Promise<string> {
  if (!provider.hash) throw new FerryError('Unsupported', `The provider lists ${algorithm} but cannot compute it.`);
  return (await provider.hash(path, algorithm, { signal })).toLowerCase();
}

function lower(value: string | undefined): string | undefined {
  return value?.toLowerCase();
}

/** Hashes from several places, the first that names an algorithm winning (undefined entries ignored). */
export function mergeHashes(...sources: Array<KnownHashes | undefined>): KnownHashes {
  const merged: KnownHashes = {};
  for (const source of sources) {
    for (const [algorithm, value] of Object.entries(source ?? {}) as Array<[HashAlgorithm, string | undefined]>) {
      if (value !== undefined && merged[algorithm] === undefined) merged[algorithm] = value.toLowerCase();
    }
  }
  return merged;
}

/**
 * Compares the target's stored size with the bytes expected. A shorter file is a transfer cut short
 * without an error (transient: a retry continues it); a longer one is corruption.
 */
export function checkSize(path: string, stored: number | undefined, expected: number): void {
  if (stored === expected) return;
  if (stored === undefined)
    throw new FerryError('Integrity', `The target did not report the size of ${path}, so the copy cannot be verified.`);
  if (stored < expected) {
    // Integrity, as every mismatch, but marked: a short copy is what a connection cut mid-way leaves, so
    // the engine retries it (continuing from what arrived) where it gives up on other mismatches.
    throw new FerryError(
      'Integrity',
      `The target holds ${stored} of ${expected} bytes of ${path}: the transfer was cut short.`,
      { details: { cutShort: true, stored, expected } },
    );
  }
  throw new FerryError('Integrity', `The target holds ${stored} bytes of ${path} but ${expected} were sent.`);
}

export function checkHash(path: string, algorithm: HashAlgorithm, source: string, target: string): void {
  if (source.toLowerCase() === target.toLowerCase()) return;
  throw new FerryError(
    'Integrity',
    `The copy of ${path} is corrupt: its ${algorithm} is ${target} on the target but ${source} on the source.`,
    { details: { algorithm, source, target } },
  );
}
