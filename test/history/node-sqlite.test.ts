// The desktop app runs the engine on Electron's Node (22), whose SQLite is the built-in node:sqlite; the
// command line and these tests run on Node 20 with better-sqlite3. The same data folder is used by both (the
// app and a command line on one machine), so each must read and write what the other wrote. Node 22 comes
// from the npm registry: test/run.mjs installs it and passes its path in FILEFERRY_TEST_NODE22.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('./sqlite-runtime-child.ts', import.meta.url));

interface ChildResult {
  driver: string;
  state: string;
  records: Array<{ source: string; result: string; appVersion: string }>;
}

async function copyWith(node: string, folder: string, label: string): Promise<ChildResult> {
  const { stdout } = await run(node, ['--import', 'tsx', CHILD, folder, label], { cwd: ROOT, timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult;
}

describe('the history on both SQLite drivers (node:sqlite on Node 22, better-sqlite3 on Node 20)', () => {
  const node22 = process.env.FILEFERRY_TEST_NODE22;
  let folder: string;

  before(async () => {
    assert.ok(
      node22 && existsSync(node22),
      'Node 22 is missing: run the tests with `npm test`, which installs it (npm install --prefix .tmp/node22 node@22.23.3)',
    );
    folder = await mkdtemp(join(tmpdir(), 'ferry-node-sqlite-'));
  });
  after(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('records on one runtime, then on the other, into one data folder, each seeing the other’s records', async () => {
    const first = await copyWith(process.execPath, folder, 'node20');
    assert.equal(first.driver, 'better-sqlite3');
    assert.equal(first.state, 'completed');
    assert.equal(first.records.length, 2);

    const second = await copyWith(node22!, folder, 'node22');
    assert.equal(second.driver, 'node:sqlite');
    assert.equal(second.state, 'completed');
    assert.deepEqual(second.records.map((r) => r.appVersion).sort(), [
      'test-node20',
      'test-node20',
      'test-node22',
      'test-node22',
    ]);
    assert.ok(second.records.every((r) => r.result === 'done'));

    const third = await copyWith(process.execPath, folder, 'again');
    assert.equal(third.driver, 'better-sqlite3');
    assert.equal(third.records.length, 6);
  });
});
