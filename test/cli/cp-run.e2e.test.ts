// What one `fileferry cp` does around the bytes it moves (issue 15): it logs in once — the look at both sides
// before the copy and the copy share the connection — and leaves no queue behind (an empty cli-runs folder
// stays for the next run); and an interrupted copy
// still continues where it stopped (`--overwrite resume` finds the partial file on the target), although
// the run's queue is a scratch queue that nothing reopens.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';
import { until } from '../helpers/until';
import { expectExit, runCli, sha256, startCli, type CliEnv } from './run-cli';

const MiB = 1024 * 1024;

describe('fileferry cp around the transfer', () => {
  let server: FtpServerHandle;
  let proxy: FaultProxy;
  let work: string;
  let home: string;
  let auth: CliEnv;
  let site: string;

  before(async () => {
    server = await startFtpServer();
    proxy = await startFaultProxy({ host: server.host, port: server.port });
    work = await mkdtemp(path.join(tmpdir(), 'ferry-cli-cp-run-'));
    home = path.join(work, 'home');
    auth = { FILEFERRY_PASSWORD: server.password };
    site = `ftp://${server.user}@${server.host}:${server.port}`;
  });

  after(async () => {
    await proxy?.stop();
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('logs in once for a copy either way, and leaves no queue behind', async () => {
    const bytes = randomBytes(300_000);
    await writeFile(path.join(server.root, 'once.bin'), bytes);
    const local = path.join(work, 'once.bin');

    const beforeDown = server.logins;
    expectExit(await runCli(home, ['cp', `${site}/once.bin`, local], auth), 0);
    assert.equal(server.logins - beforeDown, 1, 'FTP→local: one login');
    assert.equal(sha256(await readFile(local)), sha256(bytes));

    const beforeUp = server.logins;
    expectExit(await runCli(home, ['cp', local, `${site}/back.bin`], auth), 0);
    assert.equal(server.logins - beforeUp, 1, 'local→FTP: one login');
    assert.equal(sha256(await readFile(path.join(server.root, 'back.bin'))), sha256(bytes));

    // The runs' folder stays, empty, for the next run (removing it can wait on the file system's journal).
    assert.deepEqual(await readdir(path.join(home, 'cli-runs')), [], "no run's queue left");
    await until(() => server.openConnections === 0, 5000, 'every control connection closed');
  });

  it('an interrupted copy continues from its partial file with --overwrite resume', async () => {
    const bytes = randomBytes(6 * MiB);
    await writeFile(path.join(server.root, 'resumed.bin'), bytes);
    const local = path.join(work, 'resumed.bin');
    const partial = path.join(work, '.resumed.bin.ffpart');
    const slow = `ftp://${server.user}@127.0.0.1:${proxy.port}/resumed.bin`;

    // Slowed to 1 MiB/s, the copy is still under way when it is killed (no chance to clean up).
    proxy.throttle(MiB, { direction: 'download' });
    const first = startCli(home, ['cp', slow, local], auth);
    await until(async () => ((await stat(partial).catch(() => undefined))?.size ?? 0) >= MiB, 20_000, '1 MiB copied');
    first.child.kill('SIGKILL');
    await first.result;
    const kept = (await stat(partial)).size;
    assert.ok(kept > 0 && kept < bytes.length, `a partial file of ${kept} bytes`);
    await assert.rejects(stat(local), { code: 'ENOENT' }, 'nothing under the final name');

    proxy.clearFaults();
    // The killed run's data connection may still drain a few KiB through the proxy; a whole-file copy would
    // fetch all 6 MiB again.
    const downloaded = proxy.stats.bytes.download;
    expectExit(await runCli(home, ['cp', '--overwrite', 'resume', slow, local], auth), 0);
    assert.equal(sha256(await readFile(local)), sha256(bytes), 'the whole file, byte for byte');
    await assert.rejects(stat(partial), { code: 'ENOENT' }, 'the partial became the file');
    const again = proxy.stats.bytes.download - downloaded;
    assert.ok(again < bytes.length - MiB / 2, `the second run fetched ${again} of ${bytes.length} bytes`);
    assert.ok(
      proxy.commands.some((command) => /^REST [1-9]\d*$/.test(command)),
      'the second run asked the server to restart past the partial (REST)',
    );
  });
});
