// `fileferry serve` as a user types it: its help, and the mistakes it refuses before serving anything.
// (test/server/chromium.e2e.test.ts runs it for real, in a browser, and stops it with Ctrl-C.)
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectExit, runCli } from '../cli/run-cli';
import { removeDirs, tempDir } from '../transfers/fixtures';

describe('fileferry serve', () => {
  const dirs: string[] = [];
  after(() => removeDirs(...dirs));
  const home = async () => {
    const dir = await tempDir('ferry-serve-');
    dirs.push(dir);
    return dir;
  };

  it('is listed in the help and has its own', async () => {
    const data = await home();
    const help = await runCli(data, ['--help']);
    expectExit(help, 0);
    assert.match(help.stdout, /^ {2}serve +web mode/m);
    const own = await runCli(data, ['serve', '--help']);
    expectExit(own, 0);
    assert.match(own.stdout, /--host ADDRESS +the address to listen on \(default 127\.0\.0\.1/);
  });

  it('refuses a bad port or option (usage, exit 2) and a wildcard address (exit 1), serving nothing', async () => {
    const data = await home();
    for (const args of [['--port', 'eighty'], ['--port', '70000'], ['--port', '-1'], ['--nope'], ['extra']]) {
      const result = await runCli(data, ['serve', ...args]);
      expectExit(result, 2);
      assert.equal(result.stdout, '', `nothing served for ${args.join(' ')}`);
    }
    const wildcard = await runCli(data, ['serve', '--host', '0.0.0.0']);
    expectExit(wildcard, 1);
    assert.match(wildcard.stderr, /listens on one address, not on every one/);
    assert.equal(wildcard.stdout, '');
  });
});
