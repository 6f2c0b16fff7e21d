// Runs a TypeScript script in a child process (tsx), for tests that need a process of its own: one started
// with NODE_EXTRA_CA_CERTS, or a fresh process that must find state another one left. Resolves with the
// last line the child printed; rejects with the end of its stderr when it exits non-zero.
import { spawn } from 'node:child_process';

export function runChildScript(script: string, env: Record<string, string>, stdin = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(stdout.trim().split('\n').at(-1) ?? '')
        : reject(new Error(`child exited ${code}: ${stderr.slice(-2000)}`)),
    );
    child.stdin.end(stdin);
  });
}
