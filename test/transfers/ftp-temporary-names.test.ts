// FTP connections with temporary names turned off (temporaryNames: false, for drop boxes): uploads are
// written under their final names, continued there after a cut, and removed when they fail or are
// cancelled. Against vsftpd set up as a drop box (uploads allowed, renames and deletes refused): with
// temporary names an upload fails with an error that says what to do; without them it arrives whole.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ftpSpecSchema, type ConnectionRef } from '../../shared/connection';
import type { TransferEvent } from '../../shared/transfers';
import { TransferEngine } from '../../main/core/transfers';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';
import { patternBytes, patternSha256 } from '../helpers/pattern';
import { startVsftpd, type VsftpdHandle } from '../helpers/vsftpd';
import { localOrFtpOpener, localRef, removeDirs, sha256File, tempDir } from './fixtures';
import { until } from '../helpers/until';

const MiB = 1024 * 1024;

async function localFile(dir: string, name: string, size: number): Promise<void> {
  await pipeline(Readable.from(patternBytes(name, size)), createWriteStream(join(dir, name)));
}

describe('FTP uploads without temporary names (ftp-srv behind the fault proxy)', () => {
  let server: FtpServerHandle;
  let proxy: FaultProxy;
  let inPlace: ConnectionRef;
  const dirs: string[] = [];

  before(async () => {
    server = await startFtpServer();
    proxy = await startFaultProxy({ host: server.host, port: server.port });
    inPlace = {
      spec: ftpSpecSchema.parse(server.spec({ port: proxy.port, timeoutMs: 4000, temporaryNames: false })),
    };
  });
  after(async () => {
    await proxy?.stop();
    await server?.stop();
    await removeDirs(...dirs);
  });

  async function upload(name: string, size: number, retries = 3) {
    const [src, data] = [await tempDir(), await tempDir()];
    dirs.push(src, data);
    await localFile(src, name, size);
    const engine = await TransferEngine.open({
      dataDir: data,
      openConnection: localOrFtpOpener(() => server.password),
      retries,
      retryBaseDelayMs: 50,
    });
    const job = engine.add({
      source: { connection: localRef(src), path: `/${name}` },
      target: { connection: inPlace, path: `/${name}` },
    });
    return { engine, job };
  }

  const serverNames = async () => (await readdir(server.root)).sort();

  it('writes under the final name and continues there with APPE after a cut', async () => {
    const size = 16 * MiB;
    proxy.clearFaults();
    proxy.failDataAfter(size / 2, { direction: 'upload', times: 1, mode: 'close' });
    const firstCommand = proxy.commands.length;
    const { engine, job } = await upload('in-place.bin', size);
    const done = await engine.waitFor(job.id);
    await engine.close();

    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    const commands = proxy.commands.slice(firstCommand);
    assert.deepEqual(
      commands.filter((c) => /^(STOR|APPE|RNFR|RNTO) /.test(c)),
      ['STOR /in-place.bin', 'APPE /in-place.bin'],
    );
    assert.ok(!commands.some((c) => c.includes('.ffpart')), commands.join(', '));
    assert.equal(await sha256File(join(server.root, 'in-place.bin')), await patternSha256('in-place.bin', size));
  });

  it('removes the partial under the final name when the upload fails for good', async () => {
    proxy.clearFaults();
    // 'close': ftp-srv keeps what arrived (on a reset it deletes the partial itself).
    proxy.failDataAfter(1 * MiB, { direction: 'upload', times: Infinity, mode: 'close' });
    const firstCommand = proxy.commands.length;
    const { engine, job } = await upload('doomed-in-place.bin', 4 * MiB, 1);
    const done = await engine.waitFor(job.id);
    await engine.close();
    proxy.clearFaults();
    assert.equal(done.state, 'failed');
    const commands = proxy.commands.slice(firstCommand);
    assert.ok(commands.includes('STOR /doomed-in-place.bin'), commands.join(', '));
    assert.ok(commands.includes('DELE /doomed-in-place.bin'), commands.join(', '));
    assert.ok(!(await serverNames()).includes('doomed-in-place.bin'), (await serverNames()).join());
  });

  it('cancel removes the partial under the final name', async () => {
    proxy.clearFaults();
    proxy.throttle(2 * MiB, { direction: 'upload' });
    const { engine, job } = await upload('cancel-in-place.bin', 8 * MiB);
    await until(
      async () => ((await stat(join(server.root, 'cancel-in-place.bin')).catch(() => undefined))?.size ?? 0) > 0,
      15_000,
      'the partial under its final name',
    );
    engine.cancel(job.id);
    const done = await engine.waitFor(job.id);
    await engine.close();
    proxy.clearFaults();
    assert.equal(done.state, 'cancelled');
    assert.ok(!(await serverNames()).includes('cancel-in-place.bin'), (await serverNames()).join());
  });
});

describe('FTP uploads into a drop box (vsftpd: uploads allowed, renames and deletes refused)', () => {
  let server: VsftpdHandle;
  const dirs: string[] = [];

  before(async () => {
    server = await startVsftpd({ dropBox: true });
  });
  after(async () => {
    await server?.stop();
    await removeDirs(...dirs);
  });

  async function uploadInto(name: string, size: number, temporaryNames: boolean) {
    const [src, data] = [await tempDir(), await tempDir()];
    dirs.push(src, data);
    await localFile(src, name, size);
    const engine = await TransferEngine.open({
      dataDir: data,
      openConnection: localOrFtpOpener(() => undefined),
      retries: 1,
      retryBaseDelayMs: 20,
    });
    const events: TransferEvent[] = [];
    engine.on((event) => events.push(event));
    const job = engine.add({
      source: { connection: localRef(src), path: `/${name}` },
      target: { connection: { spec: ftpSpecSchema.parse(server.spec({ temporaryNames })) }, path: `/pub/${name}` },
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    return { done, events };
  }

  const pubNames = async () => (await readdir(join(server.root, 'pub'))).sort();

  it('with temporary names: fails saying to turn them off, and nothing sits under the final name', async () => {
    const { done, events } = await uploadInto('refused.bin', 1 * MiB, true);
    assert.equal(done.state, 'failed');
    assert.equal(done.error?.code, 'PermissionDenied');
    assert.match(done.error?.message ?? '', /refused to rename .*\.refused\.bin\.ffpart/);
    assert.match(done.error?.message ?? '', /temporary names turned off in the connection's settings/);
    assert.ok(!(await pubNames()).includes('refused.bin'), (await pubNames()).join());
    // The server refuses to delete the temporary too: the job's log says so, naming it.
    const logs = events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
    assert.ok(
      logs.some((m) => /Could not remove \/pub\/\.refused\.bin\.ffpart/.test(m)),
      logs.join('\n'),
    );
  });

  it('without temporary names: the upload arrives whole under its final name', async () => {
    const size = 3 * MiB + 17;
    const { done } = await uploadInto('delivered.bin', size, false);
    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    assert.equal(
      await sha256File(join(server.root, 'pub', 'delivered.bin')),
      await patternSha256('delivered.bin', size),
    );
    assert.ok(!(await pubNames()).some((n) => n.includes('delivered.bin.ffpart')), (await pubNames()).join());
  });
});
