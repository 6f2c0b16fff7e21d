// --timeout and --idle-timeout on the real `fileferry` command (issue 14, defect 5), against an FTP server
// whose listing drips one line every 500 ms (test/helpers/hostile-ftp.ts): no idle timeout ever fires, so
// only the operation deadline ends `ls`, and the options (or a saved connection's settings) set it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDrippingListServer, type HostileFtpServer } from '../helpers/hostile-ftp';
import { expectExit, runCli, type CliResult } from './run-cli';

describe('fileferry --timeout and --idle-timeout', () => {
  let dripping: HostileFtpServer;
  let stalling: HostileFtpServer;
  let trickling: HostileFtpServer;
  let work: string;
  let home: string;

  before(async () => {
    dripping = await startDrippingListServer(500);
    // A line every 4 s: slower than the idle timeout asked for below.
    stalling = await startDrippingListServer(4000);
    // A byte every 500 ms: not even the first entry of its listing arrives within a second.
    trickling = await startDrippingListServer(500, 'byte');
    work = await mkdtemp(path.join(tmpdir(), 'ferry-cli-timeouts-'));
    home = path.join(work, 'home');
  });
  after(async () => {
    await dripping?.stop();
    await stalling?.stop();
    await trickling?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** Runs the command and how long it took (from spawn: node and tsx start-up included). */
  async function timed(args: string[]): Promise<{ result: CliResult; ms: number }> {
    const started = Date.now();
    const result = await runCli(home, args);
    return { result, ms: Date.now() - started };
  }

  const pub = (server: HostileFtpServer) => `ftp://127.0.0.1:${server.port}/pub`;

  it('ends a dripping listing at --timeout, saying how to wait longer; a longer --timeout waits longer', async () => {
    const short = await timed(['ls', pub(dripping), '--timeout', '1']);
    expectExit(short.result, 1);
    assert.match(short.result.stderr, /had not finished after 1 s/);
    assert.match(short.result.stderr, /--timeout SECONDS/);
    assert.ok(short.result.stderr.includes(`127.0.0.1:${dripping.port}`), short.result.stderr);

    const longer = await timed(['ls', '--timeout', '4', pub(dripping)]);
    expectExit(longer.result, 1);
    assert.match(longer.result.stderr, /had not finished after 4 s/);
    assert.ok(longer.ms - short.ms >= 2500, `--timeout 1 took ${short.ms} ms, --timeout 4 ${longer.ms} ms`);
  });

  it('--idle-timeout ends a server that goes quiet, without an operation deadline', async () => {
    const { result, ms } = await timed(['ls', pub(stalling), '--timeout', '0', '--idle-timeout', '1']);
    expectExit(result, 1);
    assert.match(result.stderr, /did not answer in time/);
    assert.match(result.stderr, /--idle-timeout SECONDS/);
    assert.ok(ms < 15_000, `took ${ms} ms`);
  });

  it('keeps both with a saved connection; the command line overrides them for one run', async () => {
    const added = await runCli(home, [
      'connections',
      'add',
      'drip',
      '--kind',
      'ftp',
      '--host',
      '127.0.0.1',
      '--port',
      String(dripping.port),
      '--timeout',
      '1.5',
      '--idle-timeout',
      '20',
      '--remote-folder',
      '/pub',
    ]);
    expectExit(added, 0);
    const saved = JSON.parse(await readFile(path.join(home, 'connections.json'), 'utf8')) as {
      connections: Array<{ name: string; spec: Record<string, unknown> }>;
    };
    const spec = saved.connections.find((connection) => connection.name === 'drip')?.spec;
    assert.equal(spec?.operationTimeoutMs, 1500);
    assert.equal(spec?.timeoutMs, 20_000);

    const fromSaved = await runCli(home, ['ls', 'drip:/pub']);
    expectExit(fromSaved, 1);
    assert.match(fromSaved.stderr, /had not finished after 1\.5 s/);

    const overridden = await runCli(home, ['ls', 'drip:/pub', '--timeout', '1']);
    expectExit(overridden, 1);
    assert.match(overridden.stderr, /had not finished after 1 s/);

    // `connections test` lists the connection's default folder, /pub, up to its first entry (which "drip" sends
    // at once): against a server that sends not even that in time, the deadline ends the test.
    const trickle = [
      '--kind',
      'ftp',
      '--host',
      '127.0.0.1',
      '--port',
      String(trickling.port),
      '--remote-folder',
      '/pub',
    ];
    expectExit(await runCli(home, ['connections', 'add', 'trickle', ...trickle]), 0);
    const tested = await runCli(home, ['connections', 'test', 'trickle', '--timeout', '1']);
    expectExit(tested, 1);
    assert.match(tested.stderr, /FAILED: "trickle": Timeout: .*had not finished after 1 s/);
  });

  it('refuses values it cannot use, and settings a kind does not have', async () => {
    const bad = await runCli(home, ['ls', pub(dripping), '--timeout', 'soon']);
    expectExit(bad, 2);
    assert.match(bad.stderr, /--timeout takes a number of seconds/);
    const tooShort = await runCli(home, ['mkdir', `${pub(dripping)}/x`, '--idle-timeout', '0']);
    expectExit(tooShort, 2);
    const azure = await runCli(home, ['connections', 'add', 'blob', '--kind', 'azure-blob', '--timeout', '5']);
    expectExit(azure, 2);
    assert.match(azure.stderr, /--timeout is a setting of FTP connections/);
  });

  it('every command that opens a connection documents both options', async () => {
    for (const command of ['ls', 'cp', 'mv', 'rm', 'mkdir', 'tier']) {
      const help = await runCli(home, [command, '--help']);
      expectExit(help, 0);
      assert.match(help.stdout, /--idle-timeout SECONDS/, command);
      assert.match(help.stdout, /--timeout/, command);
    }
    const connections = await runCli(home, ['connections', '--help']);
    assert.match(connections.stdout, /test NAME \[--timeout S\] \[--idle-timeout S\]/);
  });
});
