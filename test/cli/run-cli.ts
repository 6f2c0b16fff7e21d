// Spawns the real `fileferry` command as a user would run it, with an environment of the test's choosing:
// the parent's AWS_* and AZURE_* variables are removed first, so a developer's own cloud credentials can
// never reach a test (nor a test's reach a real cloud).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import assert from 'node:assert/strict';

export const CLI = path.resolve(import.meta.dirname, '../../main/cli/fileferry.mjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export type CliEnv = Record<string, string | undefined>;

/** process.env without cloud credentials or FileFerry settings, for the child to start from. */
export function cleanEnv(): CliEnv {
  const env: CliEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(AWS_|AZURE_|FILEFERRY_)/.test(name)) env[name] = value;
  }
  return env;
}

/**
 * No ~/.aws of the machine's and no instance-metadata probe (a non-loopback address): with these, only what
 * a test sets counts. `dir` is a scratch folder; the files named there need not exist.
 */
export function noMachineAws(dir: string): CliEnv {
  return {
    AWS_CONFIG_FILE: path.join(dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Runs `fileferry ARGS…` with FILEFERRY_HOME=home and `env` on top of cleanEnv(); stdin is closed. */
export function runCli(home: string, args: string[], env: CliEnv = {}): Promise<CliResult> {
  return startCli(home, args, env).result;
}

/** A running `fileferry` (as runCli starts it): its process, for signals, and its output so far. */
export interface RunningCli {
  child: ChildProcess;
  stdout: () => string;
  result: Promise<CliResult>;
}

export function startCli(home: string, args: string[], env: CliEnv = {}): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...cleanEnv(), FILEFERRY_HOME: home, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, stdout: () => stdout, result };
}

/** Asserts the exit code, and that no stack trace reached the person. */
export function expectExit(result: CliResult, code: number): void {
  assert.equal(
    result.code,
    code,
    `exit ${result.code}, expected ${code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
  );
  assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace for people');
  assert.doesNotMatch(result.stderr, /\b(TypeError|ReferenceError|SyntaxError)\b/, 'no raw JavaScript error');
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** SHA-256 of every file under `root`, by relative path. */
export async function treeHashes(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (folder: string) => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out[path.relative(root, full)] = sha256(await readFile(full));
    }
  };
  await walk(root);
  return out;
}

/** The JSON lines `ls --json` printed. */
export function jsonLines<T = Record<string, unknown>>(stdout: string): T[] {
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}

/** What to type on the terminal when a prompt appears, in order. */
export type TerminalDialogue = Array<{ prompt: RegExp; reply: string }>;

/**
 * Runs `fileferry ARGS…` on a pseudo-terminal (util-linux `script`), typing each reply when its prompt appears.
 * stdout and stderr arrive mixed, as on a terminal, in `stdout`.
 */
export function runCliOnTerminal(
  home: string,
  args: string[],
  dialogue: TerminalDialogue,
  env: CliEnv = {},
): Promise<CliResult> {
  const quoted = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', quoted, '/dev/null'], {
      env: { ...cleanEnv(), FILEFERRY_HOME: home, TERM: 'dumb', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    const pending = [...dialogue];
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const next = pending[0];
      if (next && next.prompt.test(output)) {
        pending.shift();
        child.stdin.write(next.reply + '\r');
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: output, stderr: '' }));
  });
}
