// The queue survives a crash, not only a clean close: an engine killed mid-download (SIGKILL, nothing
// flushed) leaves a queue that a new engine restores, paused, and completes from the partial it left. The
// queue is saved at most once a second while bytes flow, so the kill comes once the saved queue shows the
// partial: what a crash can lose is the last second's progress, never the bytes or the copy's integrity.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ftpSpecSchema, type FtpSpec } from '../../shared/connection';
import { TransferEngine } from '../../main/core/transfers';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';
import { patternBytes, patternSha256 } from '../helpers/pattern';
import { exists, localOrFtpOpener, recordingReadOffsets, removeDirs, sha256File, tempDir, treeOf } from './fixtures';

const MiB = 1024 * 1024;
const CHILD = resolve(import.meta.dirname, 'crash-restore-child.ts');

/** Starts the child engine and resolves with its job id once a quarter of the file is in; then kills it. */
function runAndKill(env: Record<string, string>): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const started = /^started (\S+)$/m.exec(stdout);
      if (!started) return;
      child.kill('SIGKILL');
      child.once('exit', () => done(started[1]!));
    });
    child.once('exit', (code, signal) => {
      if (signal !== 'SIGKILL') fail(new Error(`the child engine exited ${code}: ${stdout}${stderr.slice(-2000)}`));
    });
  });
}

describe('a queue left by a crashed engine', () => {
  let server: FtpServerHandle;
  let proxy: FaultProxy;
  let spec: FtpSpec;
  const dirs: string[] = [];

  before(async () => {
    server = await startFtpServer();
    proxy = await startFaultProxy({ host: server.host, port: server.port });
    spec = ftpSpecSchema.parse(server.spec({ port: proxy.port, timeoutMs: 4000 }));
  });
  after(async () => {
    await proxy?.stop();
    await server?.stop();
    await removeDirs(...dirs);
  });

  it('is restored paused by a new engine, which continues the partial to an identical file', async () => {
    const [dst, data] = [await tempDir(), await tempDir()];
    dirs.push(dst, data);
    const size = 16 * MiB;
    await pipeline(Readable.from(patternBytes('crash', size)), createWriteStream(join(server.root, 'crash.bin')));
    proxy.throttle(4 * MiB, { direction: 'download' });

    const jobId = await runAndKill({
      FERRY_DATA_DIR: data,
      FERRY_TARGET_DIR: dst,
      FERRY_FTP_SPEC: JSON.stringify(spec),
      FERRY_FTP_PASSWORD: server.password,
      FERRY_SIZE: String(size),
    });
    proxy.clearFaults();
    assert.ok(await exists(join(dst, '.crash.bin.ffpart')), 'the killed engine left its temporary');
    assert.equal(await exists(join(dst, 'crash.bin')), false, 'nothing under the final name');

    const offsets: number[] = [];
    const engine = await TransferEngine.open({
      dataDir: data,
      retryBaseDelayMs: 20,
      openConnection: localOrFtpOpener(
        () => server.password,
        (ftp) => recordingReadOffsets(ftp, offsets),
      ),
    });
    try {
      assert.equal(engine.get(jobId)?.state, 'paused', 'restored, paused, after the crash');
      engine.resume(jobId);
      const done = await engine.waitFor(jobId);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
    } finally {
      await engine.close();
    }
    assert.equal(await sha256File(join(dst, 'crash.bin')), await patternSha256('crash', size));
    assert.equal(offsets.length, 1);
    assert.ok(offsets[0]! >= size / 4 - 2 * MiB, `continued from byte ${offsets[0]}, not from the start`);
    assert.deepEqual(await treeOf(dst), ['crash.bin']);
  });
});
