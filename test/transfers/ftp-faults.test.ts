// The engine against a real FTP server (ftp-srv) behind the fault proxy: data connections cut, throttled
// and counted on the wire. Resume must use REST/APPE, nothing truncated may appear under a final name,
// cancel must clean the server, retries must stop at the limit, and a restarted engine must finish the job.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ftpSpecSchema, type ConnectionRef } from '../../shared/connection';
import { TransferEngine, type TransferEngineOptions } from '../../main/core/transfers';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';
import { patternBytes, patternSha256 } from '../helpers/pattern';
import {
  exists,
  localOrFtpOpener,
  localRef,
  recordingReadOffsets,
  removeDirs,
  sha256File,
  tempDir,
  treeOf,
} from './fixtures';
import { until } from '../helpers/until';

const MiB = 1024 * 1024;

describe('transfer engine over FTP through the fault proxy', () => {
  let server: FtpServerHandle;
  let proxy: FaultProxy;
  let ftpRef: ConnectionRef;
  const dirs: string[] = [];
  const readOffsets: number[] = [];

  before(async () => {
    server = await startFtpServer();
    proxy = await startFaultProxy({ host: server.host, port: server.port });
    ftpRef = {
      spec: ftpSpecSchema.parse(server.spec({ port: proxy.port, timeoutMs: 4000, maxConnections: 2 })),
      secretsKey: 'test-ftp',
    };
  });
  after(async () => {
    await proxy?.stop();
    await server?.stop();
    await removeDirs(...dirs);
  });

  /** Opens the FTP provider (password from the test server) with reads recorded, or local for local refs. */
  const openConnection = localOrFtpOpener(
    () => server.password,
    (ftp) => recordingReadOffsets(ftp, readOffsets),
  );

  async function engineAt(dataDir: string, options: Partial<TransferEngineOptions> = {}) {
    return TransferEngine.open({ dataDir, openConnection, retryBaseDelayMs: 50, progressIntervalMs: 100, ...options });
  }

  async function serverFile(name: string, seed: string, size: number): Promise<void> {
    await pipeline(Readable.from(patternBytes(seed, size)), createWriteStream(join(server.root, name)));
  }

  async function localFile(dir: string, name: string, seed: string, size: number): Promise<string> {
    const path = join(dir, name);
    await pipeline(Readable.from(patternBytes(seed, size)), createWriteStream(path));
    return path;
  }

  const serverNames = async () => (await readdir(server.root)).sort();

  it('a 24 MiB download cut at 50% resumes with REST and ends identical', async () => {
    const [dst, data] = [await tempDir(), await tempDir()];
    dirs.push(dst, data);
    const size = 24 * MiB;
    await serverFile('down.bin', 'down', size);
    proxy.clearFaults();
    proxy.failDataAfter(size / 2, { direction: 'download', times: 1 });
    const before = { ...proxy.stats.bytes, faults: proxy.stats.faultsFired, commands: proxy.commands.length };
    readOffsets.length = 0;

    const engine = await engineAt(data);
    const job = engine.add({
      source: { connection: ftpRef, path: '/down.bin' },
      target: { connection: localRef(dst), path: '/down.bin' },
    });
    const done = await engine.waitFor(job.id);
    await engine.close();

    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    assert.equal(proxy.stats.faultsFired - before.faults, 1, 'the cut happened');
    assert.equal(await sha256File(join(dst, 'down.bin')), await patternSha256('down', size));
    assert.equal(readOffsets.length, 2);
    assert.ok(readOffsets[1]! > 0 && readOffsets[1]! <= size / 2, `second read from ${readOffsets[1]}`);
    const downloaded = proxy.stats.bytes.download - before.download;
    assert.ok(downloaded < size * 1.5, `${downloaded} bytes crossed the wire for ${size}`);
    assert.ok(
      proxy.commands.slice(before.commands).some((c) => /^REST [1-9]\d*$/.test(c)),
      'a REST with an offset was sent',
    );
    assert.deepEqual(await treeOf(dst), ['down.bin']);
  });

  /** Uploads `size` bytes with one cut half-way; watches that the final name only ever holds the whole file. */
  async function uploadWithCut(name: string, size: number, mode: 'reset' | 'close') {
    const [src, data] = [await tempDir(), await tempDir()];
    dirs.push(src, data);
    await localFile(src, name, name, size);
    proxy.clearFaults();
    proxy.failDataAfter(size / 2, { direction: 'upload', times: 1, mode });
    const firstCommand = proxy.commands.length;
    const faults = proxy.stats.faultsFired;

    const engine = await engineAt(data);
    const job = engine.add({
      source: { connection: localRef(src), path: `/${name}` },
      target: { connection: ftpRef, path: `/${name}` },
    });
    let truncatedSeen = false;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const info = await stat(join(server.root, name)).catch(() => undefined);
        if (info && info.size !== size) truncatedSeen = true;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const done = await engine.waitFor(job.id);
    watching = false;
    await watcher;
    await engine.close();

    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    assert.equal(proxy.stats.faultsFired - faults, 1, 'the cut happened');
    assert.equal(truncatedSeen, false, 'a truncated file appeared under the final name');
    assert.equal(await sha256File(join(server.root, name)), await patternSha256(name, size));
    assert.ok(!(await serverNames()).some((n) => n.endsWith('.ffpart')));
    return proxy.commands.slice(firstCommand).filter((c) => /^(STOR|APPE) /.test(c));
  }

  it('an upload reset half-way never shows a truncated final file and completes', async () => {
    // ftp-srv deletes a partial upload whose data connection failed, so the retry starts over: what matters
    // is that nothing short ever sits under the final name, and that the retry notices the partial is gone.
    const transfers = await uploadWithCut('up-reset.bin', 16 * MiB, 'reset');
    assert.equal(transfers.length, 2, transfers.join(', '));
  });

  it('an upload cut half-way (server keeps the partial) continues with APPE', async () => {
    const transfers = await uploadWithCut('up-close.bin', 16 * MiB, 'close');
    assert.deepEqual(
      transfers.map((c) => c.split(' ')[0]),
      ['STOR', 'APPE'],
    );
  });

  it('an upload that fails for good leaves neither a final file nor a temporary', async () => {
    const [src, data] = [await tempDir(), await tempDir()];
    dirs.push(src, data);
    await localFile(src, 'doomed.bin', 'doomed', 4 * MiB);
    proxy.clearFaults();
    proxy.failDataAfter(1 * MiB, { direction: 'upload', times: Infinity });
    const engine = await engineAt(data, { retries: 1 });
    const job = engine.add({
      source: { connection: localRef(src), path: '/doomed.bin' },
      target: { connection: ftpRef, path: '/doomed.bin' },
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    proxy.clearFaults();
    assert.equal(done.state, 'failed');
    assert.match(done.error?.message ?? '', /2 attempts/);
    const names = await serverNames();
    assert.ok(!names.includes('doomed.bin') && !names.includes('.doomed.bin.ffpart'), names.join());
  });

  it('cancel removes the temporary on the FTP server', async () => {
    const [src, data] = [await tempDir(), await tempDir()];
    dirs.push(src, data);
    await localFile(src, 'cancel.bin', 'cancel', 8 * MiB);
    proxy.clearFaults();
    proxy.throttle(2 * MiB, { direction: 'upload' });
    const engine = await engineAt(data);
    const job = engine.add({
      source: { connection: localRef(src), path: '/cancel.bin' },
      target: { connection: ftpRef, path: '/cancel.bin' },
    });
    await until(
      async () => ((await stat(join(server.root, '.cancel.bin.ffpart')).catch(() => undefined))?.size ?? 0) > 0,
      15_000,
      'temporary on the server',
    );
    engine.cancel(job.id);
    const done = await engine.waitFor(job.id);
    await engine.close();
    proxy.clearFaults();
    assert.equal(done.state, 'cancelled');
    const names = await serverNames();
    assert.ok(!names.includes('cancel.bin') && !names.includes('.cancel.bin.ffpart'), names.join());
  });

  it('retries stop at the configured limit with a clear error', async () => {
    const [dst, data] = [await tempDir(), await tempDir()];
    dirs.push(dst, data);
    await serverFile('flaky.bin', 'flaky', 4 * MiB);
    proxy.clearFaults();
    proxy.failDataAfter(256 * 1024, { direction: 'download', times: Infinity });
    const firstCommand = proxy.commands.length;
    const engine = await engineAt(data, { retries: 2 });
    const job = engine.add({
      source: { connection: ftpRef, path: '/flaky.bin' },
      target: { connection: localRef(dst), path: '/flaky.bin' },
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    proxy.clearFaults();
    assert.equal(done.state, 'failed');
    assert.ok(
      done.error?.code === 'Network' || done.error?.code === 'Protocol' || done.error?.code === 'Timeout',
      done.error?.code,
    );
    assert.match(done.error?.message ?? '', /gave up after 3 attempts/);
    assert.equal(proxy.commands.slice(firstCommand).filter((c) => c.startsWith('RETR ')).length, 3);
    assert.deepEqual(await treeOf(dst), []);
  });

  it('never runs more transfers than the site allows', async () => {
    const [src, data] = [await tempDir(), await tempDir()];
    dirs.push(src, data);
    for (let i = 0; i < 6; i++) await localFile(src, `c${i}.bin`, `c${i}`, 1 * MiB);
    proxy.clearFaults();
    proxy.throttle(4 * MiB, { direction: 'upload' });
    proxy.stats.peakTransfers = 0;
    const engine = await engineAt(data);
    // Two jobs at once: the limit is per site, not per job.
    const a = engine.add({
      source: { connection: localRef(src), path: '/' },
      target: { connection: ftpRef, path: '/many-a' },
      recursive: true,
    });
    const b = engine.add({
      source: { connection: localRef(src), path: '/' },
      target: { connection: ftpRef, path: '/many-b' },
      recursive: true,
    });
    for (const job of [a, b]) assert.equal((await engine.waitFor(job.id)).state, 'completed');
    await engine.close();
    proxy.clearFaults();
    assert.equal(proxy.stats.peakTransfers, 2);
    assert.equal((await readdir(join(server.root, 'many-b'))).length, 6);
  });

  it('a queue persisted mid-run is restored by a restarted engine and completes', async () => {
    const [dst, data] = [await tempDir(), await tempDir()];
    dirs.push(dst, data);
    const size = 16 * MiB;
    await serverFile('restart.bin', 'restart', size);
    proxy.clearFaults();
    proxy.throttle(8 * MiB, { direction: 'download' });
    readOffsets.length = 0;

    const first = await engineAt(data);
    const job = first.add({
      source: { connection: ftpRef, path: '/restart.bin' },
      target: { connection: localRef(dst), path: '/restart.bin' },
    });
    await until(() => (first.get(job.id)?.progress.bytesDone ?? 0) > size / 4, 20_000, 'a quarter downloaded');
    await first.close();
    proxy.clearFaults();
    assert.ok(await exists(join(dst, '.restart.bin.ffpart')));
    assert.equal(await exists(join(dst, 'restart.bin')), false);

    const second = await engineAt(data);
    assert.equal(second.get(job.id)?.state, 'paused');
    second.resume(job.id);
    const done = await second.waitFor(job.id);
    await second.close();
    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    assert.equal(await sha256File(join(dst, 'restart.bin')), await patternSha256('restart', size));
    assert.ok(
      readOffsets[readOffsets.length - 1]! >= size / 4 - 2 * MiB,
      `resumed at ${readOffsets[readOffsets.length - 1]}`,
    );
    assert.deepEqual(await treeOf(dst), ['restart.bin']);
  });

  it('a stalled download times out, and the retry continues from the last byte', async () => {
    const [dst, data] = [await tempDir(), await tempDir()];
    dirs.push(dst, data);
    const size = 8 * MiB;
    await serverFile('stall.bin', 'stall', size);
    proxy.clearFaults();
    proxy.stallDataAfter(3 * MiB, { direction: 'download', times: 1 });
    readOffsets.length = 0;
    const impatient: ConnectionRef = { spec: ftpSpecSchema.parse(server.spec({ port: proxy.port, timeoutMs: 1000 })) };
    const engine = await engineAt(data);
    const job = engine.add({
      source: { connection: impatient, path: '/stall.bin' },
      target: { connection: localRef(dst), path: '/stall.bin' },
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    assert.equal(readOffsets.length, 2);
    assert.ok(readOffsets[1]! > 0, `resumed at ${readOffsets[1]}`);
    assert.equal(await sha256File(join(dst, 'stall.bin')), await patternSha256('stall', size));
  });

  it('a server that refuses connections fails the job after the retries; resume() after it is back completes', async () => {
    const [dst, data] = [await tempDir(), await tempDir()];
    dirs.push(dst, data);
    await serverFile('later.bin', 'later', 1 * MiB);
    proxy.clearFaults();
    await proxy.refuseAll();
    try {
      const engine = await engineAt(data, { retries: 2 });
      const job = engine.add({
        source: { connection: ftpRef, path: '/later.bin' },
        target: { connection: localRef(dst), path: '/later.bin' },
      });
      const failed = await engine.waitFor(job.id);
      assert.equal(failed.state, 'failed');
      assert.equal(failed.error?.code, 'Network');
      assert.match(failed.error?.message ?? '', /gave up after 3 attempts/);

      await proxy.acceptAll();
      engine.resume(job.id);
      const done = await engine.waitFor(job.id);
      await engine.close();
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dst, 'later.bin')), await patternSha256('later', 1 * MiB));
    } finally {
      await proxy.acceptAll();
    }
  });

  it('a folder download copies empty folders and zero-byte files and keeps modification times', async () => {
    const [dst, data] = [await tempDir(), await tempDir()];
    dirs.push(dst, data);
    const when = new Date(Date.UTC(2024, 4, 1, 12, 30, 15));
    await mkdir(join(server.root, 'album', 'empty'), { recursive: true });
    await serverFile('album/photo.bin', 'photo', 300_000);
    await writeFile(join(server.root, 'album', 'zero.bin'), '');
    await utimes(join(server.root, 'album', 'photo.bin'), when, when);
    proxy.clearFaults();
    const engine = await engineAt(data);
    const job = engine.add({
      source: { connection: ftpRef, path: '/album' },
      target: { connection: localRef(dst), path: '/' },
      recursive: true,
      intoFolder: true,
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    assert.deepEqual(await treeOf(dst), ['album/', 'album/empty/', 'album/photo.bin', 'album/zero.bin']);
    assert.equal(await sha256File(join(dst, 'album', 'photo.bin')), await patternSha256('photo', 300_000));
    assert.equal((await stat(join(dst, 'album', 'photo.bin'))).mtimeMs, when.getTime());
  });
});
