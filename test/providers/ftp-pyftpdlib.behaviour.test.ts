// What the conformance suite cannot see against pyftpdlib: that the provider took the RFC 3659 paths
// (MLSD/MLST, MFMT) rather than LIST, that a modification time set on upload lands on the server's file and
// reads back to the second, and that NFC and NFD names stay two different names byte for byte. pyftpdlib's
// command log and its files on disk are the witnesses, not the provider's own reading.
import assert from 'node:assert/strict';
import { readdir, stat as statLocal } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../main/core/log/logger';
import { openFtpProvider } from '../../main/core/providers/ftp';
import { ftpSpecSchema } from '../../shared/connection';
import type { Entry, Provider } from '../../shared/provider';
import { collect, patternBytes } from '../helpers/pattern';
import { startPyftpdlib, type PyftpdlibHandle } from '../helpers/pyftpdlib';

async function listAll(provider: Provider, path: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  for await (const page of provider.list(path)) entries.push(...page);
  return entries;
}

async function* bytesOf(body: Buffer): AsyncGenerator<Uint8Array> {
  yield body;
}

describe('ftp provider against pyftpdlib (RFC 3659, UTF-8)', () => {
  let server: PyftpdlibHandle;
  let provider: Provider;

  before(async () => {
    server = await startPyftpdlib();
    provider = await openFtpProvider(ftpSpecSchema.parse(server.spec()), {
      secrets: async (field) => (field === 'password' ? server.password : undefined),
      log: createLogger({ test: 'ftp-pyftpdlib' }),
    });
  });
  after(async () => {
    await provider?.close();
    await server?.stop();
  });

  it('lists with MLSD and looks up with MLST, never LIST', async () => {
    assert.equal(provider.capabilities.modTimePrecisionMs, 1000);
    assert.equal(provider.capabilities.setModTime, true);
    await provider.mkdir('/mlsd/inner');
    await provider.write('/mlsd/a.bin', patternBytes('a', 10), { size: 10 });
    const names = (await listAll(provider, '/mlsd')).map((entry) => `${entry.type} ${entry.name} ${entry.size}`);
    assert.deepEqual(names.sort(), ['file a.bin 10', 'folder inner undefined']);
    assert.equal((await provider.stat('/mlsd/a.bin')).size, 10);
    assert.equal((await provider.stat('/mlsd/inner')).type, 'folder');

    const verbs = server.commands.map((line) => line.split(' ')[0]!.toUpperCase());
    assert.ok(verbs.includes('MLSD'), `MLSD was sent: ${verbs.join(',')}`);
    assert.ok(server.commands.includes('MLST /mlsd/a.bin'), 'stat asked MLST');
    assert.deepEqual(
      verbs.filter((verb) => verb === 'LIST' || verb === 'NLST'),
      [],
      'no LIST or NLST where the server has MLSD',
    );
  });

  it('sets the modification time on upload with MFMT, read back to the second by stat, listing and disk', async () => {
    const when = Date.UTC(2019, 10, 12, 13, 14, 15);
    await provider.mkdir('/mfmt');
    await provider.write('/mfmt/exact.bin', patternBytes('m', 100), { size: 100, modified: when });
    // A time with milliseconds: MFMT carries whole seconds, truncated (not rounded) as MDTM reports them.
    await provider.write('/mfmt/fraction.bin', patternBytes('f', 100), { size: 100, modified: when + 999 });

    assert.ok(server.commands.includes('MFMT 20191112131415 /mfmt/exact.bin'), 'MFMT sent in UTC');
    for (const name of ['exact.bin', 'fraction.bin']) {
      assert.equal((await provider.stat(`/mfmt/${name}`)).modified, when, `stat ${name}`);
      assert.equal((await statLocal(join(server.root, 'mfmt', name))).mtimeMs, when, `on disk ${name}`);
    }
    const listed = await listAll(provider, '/mfmt');
    assert.deepEqual(listed.map((entry) => [entry.name, entry.modified]).sort(), [
      ['exact.bin', when],
      ['fraction.bin', when],
    ]);
  });

  it('keeps NFC and NFD names apart, byte for byte, in folders and files', async () => {
    const nfcFolder = 'M\u00fcnchen';
    const nfdFolder = 'Mu\u0308nchen';
    const nfcFile = 'caf\u00e9.txt';
    const nfdFile = 'cafe\u0301.txt';
    await provider.mkdir('/utf8');
    for (const folder of [nfcFolder, nfdFolder]) {
      await provider.mkdir(`/utf8/${folder}`);
      for (const file of [nfcFile, nfdFile]) {
        const body = Buffer.from(`${folder}/${file}`);
        await provider.write(`/utf8/${folder}/${file}`, bytesOf(body), { size: body.length });
      }
    }

    assert.deepEqual((await readdir(join(server.root, 'utf8'))).sort(), [nfcFolder, nfdFolder].sort());
    assert.deepEqual(
      (await listAll(provider, '/utf8')).map((entry) => entry.name).sort(),
      [nfcFolder, nfdFolder].sort(),
    );
    for (const folder of [nfcFolder, nfdFolder]) {
      assert.deepEqual((await readdir(join(server.root, 'utf8', folder))).sort(), [nfcFile, nfdFile].sort());
      const listed = await listAll(provider, `/utf8/${folder}`);
      assert.deepEqual(listed.map((entry) => entry.name).sort(), [nfcFile, nfdFile].sort());
      for (const file of [nfcFile, nfdFile]) {
        const path = `/utf8/${folder}/${file}`;
        const expected = `${folder}/${file}`;
        assert.equal((await provider.stat(path)).name, file);
        assert.equal((await collect(await provider.read(path))).toString(), expected, JSON.stringify(path));
      }
    }
  });
});
