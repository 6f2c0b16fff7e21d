// Shared set-up for the transfer engine tests: temporary folders, deterministic content, an engine wired to
// real providers, and test-only provider wrappers (slow reads, corrupting writes, hostile listings, fault
// injection) around a real local provider — the engine's own logic under test, never a fake server.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ConnectionRef } from '../../shared/connection';
import { FerryError } from '../../shared/errors';
import type { Provider, ReadOptions } from '../../shared/provider';
import type { FileChange, JobSnapshot, TransferEvent, TransferRequest } from '../../shared/transfers';
import { openFtpProvider } from '../../main/core/providers/ftp';
import { openLocalProvider } from '../../main/core/providers/local';
import { createLogger } from '../../main/core/log/logger';
import { TransferEngine, type TransferEngineOptions } from '../../main/core/transfers';
import { until } from '../helpers/until';

export async function tempDir(prefix = 'ferry-xfer-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDirs(...dirs: string[]): Promise<void> {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
}

export async function writeRandomFile(path: string, size: number): Promise<Buffer> {
  await mkdir(dirname(path), { recursive: true });
  const bytes = randomBytes(size);
  await writeFile(path, bytes);
  return bytes;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Every file and folder under `root`, relative, sorted ("a/", "a/b.txt"). */
export async function treeOf(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, prefix: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        out.push(`${prefix}${entry.name}/`);
        await walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      } else {
        out.push(`${prefix}${entry.name}`);
      }
    }
  };
  await walk(root, '');
  return out.sort();
}

export const localRef = (root: string): ConnectionRef => ({ spec: { kind: 'local', root } });

export const openLocal = (root: string) =>
  openLocalProvider({ kind: 'local', root }, { secrets: async () => undefined, log: createLogger() });

/**
 * Opens local refs, and FTP refs with `password` (undefined: anonymous), the FTP provider passed through
 * `wrap` (to record or disturb what the engine does with it).
 */
export function localOrFtpOpener(
  password: () => string | undefined,
  wrap: (ftp: Provider) => Provider = (ftp) => ftp,
): TransferEngineOptions['openConnection'] {
  return async (ref, signal) => {
    if ('savedId' in ref) throw new Error('unexpected saved id');
    if (ref.spec.kind === 'local') return openLocal(ref.spec.root ?? '/');
    if (ref.spec.kind !== 'ftp') throw new Error(`unexpected ${ref.spec.kind}`);
    const ftp = await openFtpProvider(ref.spec, {
      secrets: async (field) => (field === 'password' ? password() : undefined),
      log: createLogger(),
      ...(signal ? { signal } : {}),
    });
    return wrap(ftp);
  };
}

/** The provider, with the offset of every read() it is asked for pushed onto `offsets`. */
export function recordingReadOffsets(inner: Provider, offsets: number[]): Provider {
  return wrapProvider(inner, {
    read: (path: string, options?: ReadOptions) => {
      offsets.push(options?.offset ?? 0);
      return inner.read(path, options);
    },
  });
}

/**
 * Opens providers for the engine: inline local specs directly, `{ savedId }` refs through `named`
 * (where tests put their wrapped providers).
 */
export function opener(named: Record<string, () => Promise<Provider>> = {}): TransferEngineOptions['openConnection'] {
  return async (ref) => {
    if ('savedId' in ref) {
      const open = named[ref.savedId];
      if (!open) throw new FerryError('NotFound', `No test connection ${ref.savedId}`);
      return open();
    }
    if (ref.spec.kind !== 'local') throw new FerryError('Unsupported', 'Test opener: local only');
    return openLocal(ref.spec.root ?? '/');
  };
}

export async function openEngine(
  dataDir: string,
  named: Record<string, () => Promise<Provider>> = {},
  options: Partial<TransferEngineOptions> = {},
): Promise<{ engine: TransferEngine; events: TransferEvent[] }> {
  const engine = await TransferEngine.open({
    dataDir,
    openConnection: opener(named),
    retryBaseDelayMs: 5,
    progressIntervalMs: 50,
    ...options,
  });
  const events: TransferEvent[] = [];
  engine.on((event) => events.push(event));
  return { engine, events };
}

/**
 * Runs one request to its end on a fresh engine whose queue lives in a temporary folder (pushed onto `dirs`
 * for removal): the final snapshot, every event, and the warnings the job logged.
 */
export async function runOneJob(
  openConnection: TransferEngineOptions['openConnection'],
  request: TransferRequest,
  dirs: string[],
  options: Partial<TransferEngineOptions> = {},
): Promise<{ done: JobSnapshot; events: TransferEvent[]; warnings: string[] }> {
  const dataDir = await tempDir();
  dirs.push(dataDir);
  const engine = await TransferEngine.open({ dataDir, openConnection, ...options });
  const events: TransferEvent[] = [];
  engine.on((e) => events.push(e));
  try {
    const job = engine.add(request);
    const done = await engine.waitFor(job.id);
    const warnings = events.flatMap((e) => (e.type === 'log' && e.level === 'warn' ? [e.message] : []));
    return { done, events, warnings };
  } finally {
    await engine.close();
  }
}

/** A wait a test's wrapped provider holds on (`held`) until the test calls `release`. */
export function holdUntilReleased(): { held: Promise<void>; release: () => void } {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  return { held, release };
}

/**
 * Runs one request on a fresh engine whose target reports `shown` bytes of a service-side copy and then
 * holds on `hold` (see holdUntilReleased): checks that the running job shows those bytes, releases the
 * target and returns the finished job.
 */
export async function runShowingServiceProgress(
  openConnection: TransferEngineOptions['openConnection'],
  request: TransferRequest,
  dirs: string[],
  shown: number,
  hold: { release: () => void },
): Promise<JobSnapshot> {
  const dataDir = await tempDir();
  dirs.push(dataDir);
  const engine = await TransferEngine.open({ dataDir, openConnection, retryBaseDelayMs: 5 });
  try {
    const job = engine.add(request);
    await until(() => engine.get(job.id)?.progress.bytesDone === shown, 10_000, `${shown} bytes shown`);
    assert.equal(engine.get(job.id)?.state, 'running');
    hold.release();
    return await engine.waitFor(job.id);
  } finally {
    hold.release();
    await engine.close();
  }
}

/**
 * A provider that behaves like `inner` except for the methods given. The engine confines a local target to the
 * folder being filled (Provider.confine); the confined view keeps the overrides, so a test's wrapper stays in
 * the path (its overrides still call the unconfined `inner`).
 */
export function wrapProvider(inner: Provider, overrides: Partial<Provider>): Provider {
  const confine =
    inner.confine && !('confine' in overrides)
      ? { confine: async (folder: string) => wrapProvider(await inner.confine!(folder), overrides) }
      : {};
  const all: Partial<Provider> = { ...confine, ...overrides };
  return new Proxy(inner, {
    get(target, key, receiver) {
      if (key in all) return (all as Record<PropertyKey, unknown>)[key];
      const value = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export interface ReadLog {
  /** Offsets of every read() call, in order. */
  offsets: number[];
  /** Bytes delivered by all reads. */
  bytes: number;
}

/** Wraps reads: delivers `chunkSize` pieces with `delayMs` between them, and records offsets and bytes. */
export function slowReads(inner: Provider, log: ReadLog, chunkSize = 64 * 1024, delayMs = 10): Provider {
  return wrapProvider(inner, {
    async read(path: string, options: ReadOptions = {}) {
      log.offsets.push(options.offset ?? 0);
      const source = await inner.read(path, options);
      return (async function* () {
        for await (const chunk of source) {
          for (let at = 0; at < chunk.byteLength; at += chunkSize) {
            if (options.signal?.aborted) throw new FerryError('Cancelled', 'read cancelled');
            await new Promise((r) => setTimeout(r, delayMs));
            const piece = chunk.subarray(at, at + chunkSize);
            log.bytes += piece.byteLength;
            yield piece;
          }
        }
      })();
    },
  });
}

/** Reads that fail with a transient error after `cutAfter` bytes, the first `failures` times. */
export function flakyReads(
  inner: Provider,
  cutAfter: number,
  failures: number,
  offsets: number[],
  error = () => new FerryError('Network', 'connection reset by peer'),
): Provider {
  let failed = 0;
  return wrapProvider(inner, {
    async read(path: string, options: ReadOptions = {}) {
      offsets.push(options.offset ?? 0);
      const source = await inner.read(path, options);
      const fail = failed < failures;
      if (fail) failed++;
      return (async function* () {
        let sent = 0;
        for await (const chunk of source) {
          if (fail && sent + chunk.byteLength > cutAfter) {
            yield chunk.subarray(0, cutAfter - sent);
            throw error();
          }
          sent += chunk.byteLength;
          yield chunk;
        }
      })();
    },
  });
}

/** Every file change the events carried, batch by batch, in order (the engine sends them in batches). */
export function fileChanges(events: readonly TransferEvent[]): Array<FileChange & { jobId: string }> {
  return events.flatMap((e) => (e.type === 'files' ? e.changes.map((change) => ({ ...change, jobId: e.jobId })) : []));
}
