// What an upload to FTP costs in commands per file, where a folder of small files spends its time: the
// engine checks each stored temporary by SIZE alone (no MDTM, no CWD to tell it from a folder) before the
// rename. Against ftp-srv, which has no MLST, so the full stat would send all three.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ftpSpecSchema } from '../../shared/connection';
import { createLogger } from '../../main/core/log/logger';
import { openFtpProvider } from '../../main/core/providers/ftp';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';
import { localRef, openEngine, removeDirs, sha256File, tempDir, writeRandomFile } from './fixtures';

const FILES = 3;

describe('FTP uploads: commands per file', () => {
  let server: FtpServerHandle;
  const dirs: string[] = [];
  before(async () => {
    server = await startFtpServer();
  });
  after(async () => {
    await server?.stop();
    await removeDirs(...dirs);
  });

  it('checks each stored temporary by SIZE alone, then renames it', async () => {
    const [src, data] = [await tempDir(), await tempDir()];
    dirs.push(src, data);
    const sources = await Promise.all(
      Array.from({ length: FILES }, (_, i) => writeRandomFile(join(src, 'site', `page${i}.html`), 20_000 + i)),
    );
    await mkdir(join(server.root, 'www'));
    const ftp = ftpSpecSchema.parse(server.spec());
    const { engine } = await openEngine(data, {
      ftp: () =>
        openFtpProvider(ftp, {
          secrets: async (field) => (field === 'password' ? server.password : undefined),
          log: createLogger(),
        }),
    });
    const firstCommand = server.commands.length;
    const job = engine.add({
      source: { connection: localRef(src), path: '/site' },
      target: { connection: { savedId: 'ftp' }, path: '/www/site' },
      recursive: true,
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.state, 'completed', JSON.stringify(done.error));

    const onTemporaries = server.commands
      .slice(firstCommand)
      .filter((command) => command.includes('.ffpart'))
      .map((command) => command.split(' ')[0]!.toUpperCase());
    const count = (verb: string) => onTemporaries.filter((sent) => sent === verb).length;
    assert.deepEqual(
      { STOR: count('STOR'), SIZE: count('SIZE'), RNFR: count('RNFR'), MDTM: count('MDTM'), CWD: count('CWD') },
      { STOR: FILES, SIZE: FILES, RNFR: FILES, MDTM: 0, CWD: 0 },
      onTemporaries.join(', '),
    );
    for (let i = 0; i < FILES; i++) {
      const stored = await sha256File(join(server.root, 'www', 'site', `page${i}.html`));
      assert.equal(stored, createHash('sha256').update(sources[i]!).digest('hex'));
    }
  });
});
