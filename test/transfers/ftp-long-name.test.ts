// A target name longer than a server's file system allows (issue 14, defect 8). The upload goes to a
// shortened temporary, which the server stores; renaming it to the 256-byte final name is refused. The
// message must say the name is too long, not send the person off to turn temporary names off as if the
// folder were a drop box. Against vsftpd on ext4/tmpfs (255 bytes per name).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ftpSpecSchema } from '../../shared/connection';
import { TransferEngine } from '../../main/core/transfers';
import { startVsftpd, type VsftpdHandle } from '../helpers/vsftpd';
import { localOrFtpOpener, localRef, removeDirs, tempDir } from './fixtures';

describe('FTP upload under a name too long for the server (vsftpd)', () => {
  let server: VsftpdHandle;
  const dirs: string[] = [];

  before(async () => {
    server = await startVsftpd();
  });
  after(async () => {
    await server?.stop();
    await removeDirs(...dirs);
  });

  it('says the name is too long, and nothing of drop boxes', async () => {
    const [src, data] = [await tempDir(), await tempDir()];
    dirs.push(src, data);
    await writeFile(join(src, 'short.txt'), 'twelve bytes');
    const longName = `${'n'.repeat(252)}.txt`; // 256 bytes: one more than ext4 allows
    const engine = await TransferEngine.open({
      dataDir: data,
      openConnection: localOrFtpOpener(() => undefined),
      retries: 0,
    });
    try {
      const job = engine.add({
        source: { connection: localRef(src), path: '/short.txt' },
        target: { connection: { spec: ftpSpecSchema.parse(server.spec()) }, path: `/pub/${longName}` },
      });
      const done = await engine.waitFor(job.id);
      assert.equal(done.state, 'failed');
      const message = done.error?.message ?? '';
      assert.match(message, /256 bytes long/, message);
      assert.match(message, /255/, message);
      assert.doesNotMatch(message, /drop box|temporary names/i, message);
    } finally {
      await engine.close();
    }
  });
});
