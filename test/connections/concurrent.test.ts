// Two FileFerry processes (the app and a CLI run) saving connections at the same moment: each change is a
// read-modify-write of connections.json, so without a lock one process's write would drop the other's new
// connection. Real processes, started together, against one data folder; every connection must survive.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConnectionStore } from '../../main/core/connections';
import { SessionCredentialStore } from '../../main/core/credentials';

const WRITERS = 4;
const EACH = 8;
const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function startWriter(dataDir: string, prefix: string): { go(): void; done: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/connections/concurrent-writer-child.ts'], {
    env: { ...process.env, FERRY_DATA_DIR: dataDir, FERRY_PREFIX: prefix, FERRY_COUNT: String(EACH) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`writer ${prefix} exited ${code}: ${stderr.slice(-2000)}`)),
    );
  });
  return { go: () => child.stdin.end('go\n'), done };
}

describe('connections saved by several processes at once', () => {
  it('keeps every connection each process saved, and leaves no lock behind', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ferry-conn-concurrent-'));
    dirs.push(dataDir);
    const writers = Array.from({ length: WRITERS }, (_, i) => startWriter(dataDir, `w${i}`));
    // Let every process load its modules before any of them starts writing.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    for (const writer of writers) writer.go();
    await Promise.all(writers.map((writer) => writer.done));

    const store = new ConnectionStore({ dataDir, credentials: new SessionCredentialStore('check') });
    const names = (await store.list()).map((connection) => connection.name).sort();
    const expected = Array.from({ length: WRITERS }, (_, i) => Array.from({ length: EACH }, (_, n) => `w${i} ${n}`))
      .flat()
      .sort();
    assert.deepEqual(names, expected);
    assert.deepEqual(
      (await readdir(dataDir)).filter((name) => name !== 'connections.json'),
      [],
      'no lock or temporary file left',
    );
  });
});
