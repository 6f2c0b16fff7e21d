// Every provider to every other through the engine, against real servers (ftp-srv, s3rver, Azurite behind the
// from-URL proxy; one of each shared by all cases): a small tree with an empty folder, a zero-byte file and a
// nested file for each of the 16 ordered pairs (a site to itself included), and a chain FTP → S3 → Azure → local with a multi-part file,
// an empty file and hostile names, compared by SHA-256 at the end. S3 → Azure legs go service to service.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConnectionRef } from '../../shared/connection';
import type { Provider } from '../../shared/provider';
import { TransferEngine } from '../../main/core/transfers';
import { HOSTILE_NAMES } from '../conformance/suite';
import { patternBytes, patternSha256, sha256Of } from '../helpers/pattern';
import { MiB, providerTree, startClouds, writePatternFile, type CloudKind, type Clouds } from './cloud-fixtures';
import { localRef, openLocal, removeDirs, sha256File, tempDir, treeOf } from './fixtures';

const KINDS: CloudKind[] = ['local', 'ftp', 's3', 'azure'];

const HOSTILE_FOLDER = 'dir ? & # 世界 +';

describe('cross-provider copies (real servers)', () => {
  let clouds: Clouds;
  let engine: TransferEngine;
  let localRoot: string;
  let local: Provider;
  const dirs: string[] = [];

  const ref = (kind: CloudKind): ConnectionRef => (kind === 'local' ? localRef(localRoot) : clouds.ref(kind));
  const provider = (kind: CloudKind): Promise<Provider> =>
    kind === 'local' ? Promise.resolve(local) : clouds.provider(kind);

  async function copy(from: CloudKind, fromPath: string, to: CloudKind, toPath: string) {
    const job = engine.add({
      source: { connection: ref(from), path: fromPath },
      target: { connection: ref(to), path: toPath },
      recursive: true,
    });
    const done = await engine.waitFor(job.id);
    assert.equal(done.state, 'completed', `${from} → ${to}: ${JSON.stringify(done.error)}`);
    return done;
  }

  before(async () => {
    clouds = await startClouds({ ftp: true });
    localRoot = await tempDir();
    const data = await tempDir();
    dirs.push(localRoot, data);
    local = await openLocal(localRoot);
    engine = await TransferEngine.open({
      dataDir: data,
      openConnection: clouds.openConnection,
      retryBaseDelayMs: 5,
      progressIntervalMs: 100,
    });
    // The same small tree on every provider, written through the providers themselves.
    for (const kind of KINDS) {
      const p = await provider(kind);
      await p.mkdir('/seed/empty');
      await p.mkdir('/seed/a/b');
      await p.write('/seed/zero.bin', (async function* () {})(), { size: 0 });
      await p.write('/seed/a/b/nested.txt', patternBytes('nested', 3000), { size: 3000 });
    }
  });
  after(async () => {
    await engine?.close();
    await clouds?.stop();
    await local?.close();
    await removeDirs(...dirs);
  });

  // Within one site too: local, S3 and Azure copy by themselves (same-site-copy.test.ts), FTP streams
  // between two of the site's connections.
  for (const from of KINDS) {
    for (const to of KINDS) {
      it(`${from} → ${to}: empty folder, zero-byte file and nested file arrive intact`, async () => {
        const expected = await providerTree(await provider(from), '/seed');
        assert.equal(expected.length, 5, `the seed on ${from}: ${expected.join(', ')}`);
        await copy(from, '/seed', to, `/from-${from}`);
        assert.deepEqual(await providerTree(await provider(to), `/from-${from}`), expected);
      });
    }
  }

  it('chain FTP → S3 → Azure → local keeps every byte and name (SHA-256)', async () => {
    const origin = join(clouds.ftp!.root, 'chain');
    await mkdir(join(origin, HOSTILE_FOLDER, 'deeper'), { recursive: true });
    const bigSize = 11 * MiB + 7; // three S3 parts, three Azure blocks
    await writePatternFile(join(origin, 'big.bin'), 'chain-big', bigSize);
    await writeFile(join(origin, 'empty.bin'), '');
    let bytes = bigSize;
    for (const [i, name] of HOSTILE_NAMES.entries()) {
      await writePatternFile(join(origin, HOSTILE_FOLDER, name), `hostile-${i}`, 1000 + i);
      bytes += 1000 + i;
    }
    await writePatternFile(join(origin, HOSTILE_FOLDER, 'deeper', 'z.txt'), 'z', 10);
    bytes += 10;

    await copy('ftp', '/chain', 's3', '/chain');
    clouds.proxy.resetCounts();
    await copy('s3', '/chain', 'azure', '/chain');
    assert.equal(clouds.proxy.counts.bytesFetched, bytes, 'S3 → Azure went service to service');
    assert.equal(clouds.proxy.counts.putBlock, 0);
    await copy('azure', '/chain', 'local', '/chain');

    const arrived = join(localRoot, 'chain');
    const originTree = await treeOf(origin);
    assert.deepEqual(await treeOf(arrived), originTree);
    for (const path of originTree.filter((p) => !p.endsWith('/'))) {
      assert.equal(await sha256File(join(arrived, path)), await sha256File(join(origin, path)), path);
    }
  });

  // The local disk and Azure copy each chunk out before pulling the next, so the engine lets a plain FTP
  // download reuse its read buffers (ReadOptions.reuseChunks): many chunks, many blocks, every byte checked.
  it('FTP → local and FTP → Azure over reused read buffers keep every byte (SHA-256)', async () => {
    const size = 19 * MiB + 3; // five Azure blocks, about 80 reused-buffer reads
    await writePatternFile(join(clouds.ftp!.root, 'reuse.bin'), 'reuse', size);
    const expected = await patternSha256('reuse', size);
    for (const to of ['local', 'azure'] as const) {
      await copy('ftp', '/reuse.bin', to, `/reuse-${to}.bin`);
      const target = await provider(to);
      assert.equal(await sha256Of(await target.read(`/reuse-${to}.bin`)), expected, `FTP → ${to}`);
    }
  });
});
