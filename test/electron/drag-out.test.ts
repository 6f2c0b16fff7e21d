// Dragging rows out to the desktop (main/electron/drag-out.ts) over the real service: a local file is handed
// over where it is; a file on an FTP server (ftp-srv on loopback) is downloaded by the engine into a temporary
// folder first, byte for byte, and that folder goes when the app quits. What the renderer sends is validated.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createApiService } from '../../main/core/api/service';
import type { ApiService } from '../../main/core/api/types';
import { ConnectionStore } from '../../main/core/connections';
import { SessionCredentialStore } from '../../main/core/credentials';
import { DragOut } from '../../main/electron/drag-out';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';
import { removeDirs, sha256File, tempDir, writeRandomFile } from '../transfers/fixtures';

describe('dragging files out to the desktop', () => {
  const dirs: string[] = [];
  let ftp: FtpServerHandle;
  let service: ApiService;
  let dragOut: DragOut;
  let disk: string;
  let ftpId: string;

  before(async () => {
    ftp = await startFtpServer();
    const dataDir = await tempDir('ferry-drag-data-');
    disk = await tempDir('ferry-drag-disk-');
    const temp = await tempDir('ferry-drag-tmp-');
    dirs.push(dataDir, disk, temp);
    const store = new ConnectionStore({ dataDir, credentials: new SessionCredentialStore('test') });
    service = await createApiService({ dataDir, version: '0.0.0', shell: 'desktop', connections: store });
    const saved = (await service.call(
      'connections.add',
      { draft: { name: 'drop', spec: ftp.spec() }, secrets: { password: ftp.password } },
      { emit: () => {} },
    )) as { connection: { id: string } };
    ftpId = saved.connection.id;
    dragOut = new DragOut({ service, tempRoot: temp });
  });
  after(async () => {
    await service?.close();
    await ftp?.stop();
    await removeDirs(...dirs);
  });

  it('drags a local file as it is, without copying it', async () => {
    await writeFile(join(disk, 'notes.txt'), 'local');
    const files = await dragOut.prepare([{ connection: { spec: { kind: 'local', root: disk } }, path: '/notes.txt' }]);
    assert.deepEqual(files, [join(disk, 'notes.txt')]);
  });

  it('downloads a remote file to a temporary folder first, then removes it at quit', async () => {
    const original = await writeRandomFile(join(ftp.root, 'report.bin'), 300_000);
    const [file] = await dragOut.prepare([{ connection: { savedId: ftpId }, path: '/report.bin' }]);
    assert.ok(file && file.endsWith('report.bin'), file);
    assert.notEqual(dirname(file), ftp.root);
    assert.deepEqual(await readFile(file), original);
    assert.equal(await sha256File(file), await sha256File(join(ftp.root, 'report.bin')));
    await dragOut.cleanup();
    await assert.rejects(stat(dirname(file)), { code: 'ENOENT' });
  });

  it('fails with the reason when the remote file is not there', async () => {
    await assert.rejects(
      dragOut.prepare([{ connection: { savedId: ftpId }, path: '/missing.bin' }]),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'NotFound', error.message);
        assert.match(error.message, /missing\.bin/);
        return true;
      },
    );
  });

  it('refuses what is not a list of locations', async () => {
    for (const input of [
      undefined,
      [],
      'file:///etc/passwd',
      [{ path: '/x' }],
      [{ connection: { spec: { kind: 'local' } }, path: 'a\nb' }],
    ]) {
      await assert.rejects(dragOut.prepare(input), { code: 'InvalidInput' }, JSON.stringify(input));
    }
  });
});
