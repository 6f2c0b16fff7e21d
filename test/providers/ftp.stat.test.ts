// stat() on a server without MLST (ftp-srv here, vsftpd in the conformance suite): a file is described by
// SIZE and MDTM, so its cost does not grow with the number of files beside it (the engine stats every file
// it writes, to check its size); a folder, which ftp-srv also answers SIZE for, is still a folder.
import assert from 'node:assert/strict';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../main/core/log/logger';
import { openFtpProvider } from '../../main/core/providers/ftp';
import { ftpSpecSchema } from '../../shared/connection';
import type { Provider } from '../../shared/provider';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';

const FILES = 500;

describe('ftp stat without MLST', () => {
  let server: FtpServerHandle;
  let provider: Provider;
  before(async () => {
    server = await startFtpServer();
    await mkdir(join(server.root, 'big', 'sub'), { recursive: true });
    for (let i = 0; i < FILES; i++) await writeFile(join(server.root, 'big', `f${i}.txt`), 'x'.repeat(i));
    const when = new Date('2024-05-06T07:08:09Z');
    await utimes(join(server.root, 'big', 'f250.txt'), when, when);
    provider = await openFtpProvider(ftpSpecSchema.parse(server.spec()), {
      secrets: async (field) => (field === 'password' ? server.password : undefined),
      log: createLogger({ test: 'ftp.stat' }),
    });
  });
  after(async () => {
    await provider?.close();
    await server?.stop();
  });

  const commandsDuring = async (work: () => Promise<unknown>): Promise<string[]> => {
    const before = server.commands.length;
    await work();
    return server.commands.slice(before).map((command) => command.split(' ')[0]!.toUpperCase());
  };

  it('describes a file by SIZE and MDTM without listing its folder', async () => {
    let entry;
    const sent = await commandsDuring(async () => (entry = await provider.stat('/big/f250.txt')));
    assert.deepEqual(entry, {
      name: 'f250.txt',
      path: '/big/f250.txt',
      type: 'file',
      size: 250,
      modified: Date.parse('2024-05-06T07:08:09Z'),
    });
    assert.ok(!sent.includes('LIST') && !sent.includes('MLSD'), `stat sent ${sent.join(', ')}`);
  });

  it('checks a file it just wrote by SIZE alone', async () => {
    let entry;
    const sent = await commandsDuring(
      async () => (entry = await provider.stat('/big/f250.txt', { justWritten: true })),
    );
    assert.deepEqual(entry, { name: 'f250.txt', path: '/big/f250.txt', type: 'file', size: 250 });
    assert.deepEqual(sent, ['SIZE']);
  });

  it('still calls a folder a folder, and a missing path NotFound', async () => {
    assert.equal((await provider.stat('/big/sub')).type, 'folder');
    await assert.rejects(provider.stat('/big/absent.txt'), { code: 'NotFound' });
  });
});
