// Runs the measured processes: FileFerry's worker (which reports its own time and peak RSS) and the peers
// (curl, rclone), whose peak RSS comes from GNU time (/usr/bin/time -f %M) and whose time is the wall time
// of the process unless the caller parses the tool's own figure.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { SecretField } from '../../shared/connection';
import { watchServers } from './server-load';
import { RESULT_PREFIX, type WorkerInput, type WorkerResult } from './worker-protocol';

const WORKER = resolve(import.meta.dirname, '../transfer-worker.ts');
const GNU_TIME = '/usr/bin/time';
const NODE_MODULES = resolve(import.meta.dirname, '../../node_modules');

/**
 * The worker runs as the product does: its TypeScript bundled to plain JavaScript with the packages left
 * in node_modules (as electron-vite builds the main process), not through tsx, whose loader thread and
 * in-process compilation would add about 65 MiB to the RSS being measured. BENCH_WORKER=tsx runs the
 * sources with tsx instead.
 */
let bundled: Promise<string> | undefined;

async function workerCommand(workDir: string): Promise<string[]> {
  if (process.env.BENCH_WORKER === 'tsx') return ['--import', 'tsx', WORKER];
  bundled ??= (async () => {
    const { build } = await import('esbuild');
    const outfile = join(workDir, 'transfer-worker.cjs');
    await build({
      entryPoints: [WORKER],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      packages: 'external',
      sourcemap: 'inline',
      logLevel: 'error',
    });
    return outfile;
  })();
  return [await bundled];
}

/** Server processes whose load every measurement reports (name → pid); set by each suite. */
let servers: Record<string, number> = {};

export function reportServerLoad(watched: Record<string, number>): void {
  servers = watched;
}

export type Secrets = Record<string, Partial<Record<SecretField, string>>>;

export interface WorkerOptions {
  /** The run's temporary folder (the bundled worker is written there). */
  workDir: string;
  secrets?: Secrets;
  /** Write a V8 CPU profile of the worker into this folder (node --cpu-prof). */
  cpuProfileDir?: string;
  /** More environment for the worker, e.g. NODE_EXTRA_CA_CERTS for servers with a test certificate. */
  env?: Record<string, string>;
}

/** The worker's result, plus the warnings the engine logged (a fallback from a service copy, retries). */
export async function runWorker(
  input: WorkerInput,
  options: WorkerOptions,
): Promise<WorkerResult & { warnings: string[]; serverLoad: string }> {
  const profile = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [];
  await settleDisk();
  const load = watchServers(servers);
  const { code, stdout, stderr } = await run(
    process.execPath,
    [...profile, ...(await workerCommand(options.workDir)), JSON.stringify(input)],
    // The bundle sits in the run's temporary folder; its packages resolve from the repository's node_modules.
    { ...options.env, BENCH_SECRETS: JSON.stringify(options.secrets ?? {}), NODE_PATH: NODE_MODULES },
  );
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (code !== 0 || !line) throw new Error(`The FileFerry worker failed (exit ${code}): ${stderr.slice(-2000)}`);
  const result = JSON.parse(line.slice(RESULT_PREFIX.length)) as WorkerResult;
  if (result.state !== 'completed') throw new Error(`The FileFerry job ended ${result.state}: ${result.error ?? ''}`);
  const warnings = stderr.split('\n').filter((l) => l.startsWith('[warn]') || l.startsWith('[error]'));
  return { ...result, warnings, serverLoad: load() };
}

export interface PeerResult {
  wallMs: number;
  /** User + system CPU time of the whole process. */
  cpuMs: number;
  peakRssKiB: number;
  stdout: string;
  /** How busy the watched servers were meanwhile, e.g. "s3rver 97 %" (reportServerLoad). */
  serverLoad: string;
}

/** Runs a peer tool under GNU time; throws with its stderr when it fails. */
export async function runPeer(command: string, args: string[], env: Record<string, string | undefined> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-bench-time-'));
  try {
    const timeFile = join(dir, 'time.txt');
    await settleDisk();
    const load = watchServers(servers);
    const started = performance.now();
    const { code, stdout, stderr } = await run(GNU_TIME, ['-f', '%M %U %S', '-o', timeFile, command, ...args], env);
    const wallMs = performance.now() - started;
    if (code !== 0) throw new Error(`${command} failed (exit ${code}): ${stderr.slice(-2000)}`);
    // GNU time's last line: "%M %U %S" (it prefixes a line when the command was killed by a signal).
    const [rss, user, system] = ((await readFile(timeFile, 'utf8')).trim().split('\n').pop() ?? '').split(' ');
    const cpuMs = (Number(user) + Number(system)) * 1000;
    return { wallMs, cpuMs, peakRssKiB: Number(rss), stdout, serverLoad: load() } satisfies PeerResult;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Writes all dirty pages to disk, so a measurement does not start while the kernel is still writing back
 * the previous one's gigabyte (which competes with the next tool for the disk and the two cores).
 */
async function settleDisk(): Promise<void> {
  const { code } = await run('sync', [], {});
  if (code !== 0) throw new Error(`sync failed (exit ${code})`);
}

function run(
  command: string,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const merged: NodeJS.ProcessEnv = { ...process.env };
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined) delete merged[name];
      else merged[name] = value;
    }
    const child = spawn(command, args, { env: merged, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}
