// Folder jobs local → local: the tree arrives whole (empty folders, zero-byte files, nested files) with equal
// hashes, no temporaries remain, and hostile names from a listing are refused and reported, never joined.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Entry, ListOptions } from '../../shared/provider';
import {
  exists,
  fileChanges,
  localRef,
  openEngine,
  openLocal,
  removeDirs,
  sha256File,
  tempDir,
  treeOf,
  wrapProvider,
  writeRandomFile,
} from './fixtures';

describe('transfer engine: folder trees (local → local)', () => {
  const dirs: string[] = [];
  after(() => removeDirs(...dirs));

  it('copies a tree with empty folders and a zero-byte file, hashes equal', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    await writeRandomFile(join(src, 'photos', 'a.jpg'), 300_000);
    await writeRandomFile(join(src, 'photos', '2024', 'deep', 'b.raw'), 1_200_000);
    await writeRandomFile(join(src, 'notes, "draft" ≠ final.txt'), 10);
    await writeFile(join(src, 'empty.txt'), '');
    await mkdir(join(src, 'empty-folder', 'also-empty'), { recursive: true });

    const { engine, events } = await openEngine(data);
    const job = engine.add({
      source: { connection: localRef(src), path: '/' },
      target: { connection: localRef(dst), path: '/copy' },
      recursive: true,
    });
    const done = await engine.waitFor(job.id);
    await engine.close();

    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    assert.equal(done.filesTotal, 4);
    assert.equal(done.filesDone, 4);
    assert.equal(done.progress.bytesDone, 300_000 + 1_200_000 + 10);
    assert.equal(done.progress.bytesTotal, 1_500_010);
    assert.deepEqual(await treeOf(join(dst, 'copy')), await treeOf(src));
    for (const file of ['photos/a.jpg', 'photos/2024/deep/b.raw', 'notes, "draft" ≠ final.txt', 'empty.txt']) {
      assert.equal(await sha256File(join(dst, 'copy', file)), await sha256File(join(src, file)), file);
    }
    assert.ok(fileChanges(events).some((e) => e.state === 'done' && e.path === '/empty.txt'));
  });

  it('puts a folder inside the target with intoFolder, and a single file by name', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    await writeRandomFile(join(src, 'album', 'x.bin'), 1000);
    await writeRandomFile(join(src, 'single.bin'), 2000);
    await mkdir(join(dst, 'existing-folder'));
    const { engine } = await openEngine(data);
    const a = engine.add({
      source: { connection: localRef(src), path: '/album' },
      target: { connection: localRef(dst), path: '/into' },
      recursive: true,
      intoFolder: true,
    });
    const b = engine.add({
      source: { connection: localRef(src), path: '/single.bin' },
      target: { connection: localRef(dst), path: '/renamed.bin' },
    });
    // A file copied onto an existing folder lands inside it, like cp.
    const c = engine.add({
      source: { connection: localRef(src), path: '/single.bin' },
      target: { connection: localRef(dst), path: '/existing-folder' },
    });
    for (const id of [a.id, b.id, c.id]) assert.equal((await engine.waitFor(id)).state, 'completed');
    await engine.close();
    assert.ok(await exists(join(dst, 'into', 'album', 'x.bin')));
    assert.equal(await sha256File(join(dst, 'renamed.bin')), await sha256File(join(src, 'single.bin')));
    assert.ok(await exists(join(dst, 'existing-folder', 'single.bin')));
  });

  it('refuses a folder without recursive', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    await mkdir(join(src, 'f'));
    const { engine } = await openEngine(data);
    const job = engine.add({
      source: { connection: localRef(src), path: '/f' },
      target: { connection: localRef(dst), path: '/f' },
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.state, 'failed');
    assert.equal(done.error?.code, 'InvalidInput');
    assert.match(done.error?.message ?? '', /recursive/);
  });

  it('refuses unsafe names a listing returns, reports each, and never writes outside the target folder', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    await writeRandomFile(join(src, 'tree', 'good.txt'), 100);
    // Legal on a POSIX disk: copied under the very same name, never split on "\\" or read as a drive.
    await writeRandomFile(join(src, 'tree', 'C:evil'), 100);
    await writeRandomFile(join(src, 'tree', 'x\\..\\y'), 100);
    await writeRandomFile(join(src, 'escape.txt'), 100);
    const inner = await openLocal(src);
    const hostile = wrapProvider(inner, {
      async *list(path: string, options?: ListOptions): AsyncIterable<Entry[]> {
        for await (const page of inner.list(path, options)) yield page;
        if (path === '/tree') {
          const bad = (name: string): Entry => ({ name, path: `/tree/${name}`, type: 'file', size: 100 });
          yield [bad('..'), bad('../escape.txt'), bad('a/b'), { ...bad('..'), type: 'folder' }];
        }
      },
    });
    const { engine, events } = await openEngine(data, { hostile: async () => hostile });
    const job = engine.add({
      source: { connection: { savedId: 'hostile' }, path: '/tree' },
      target: { connection: localRef(dst), path: '/out' },
      recursive: true,
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.state, 'completed');
    assert.deepEqual([done.filesDone, done.filesSkipped, done.filesFailed], [3, 4, 0]);
    assert.deepEqual(await treeOf(dst), ['out/', 'out/C:evil', 'out/good.txt', 'out/x\\..\\y']);
    assert.equal(await sha256File(join(dst, 'out', 'x\\..\\y')), await sha256File(join(src, 'tree', 'x\\..\\y')));
    // Each refused name is a skipped file with the reason as its error: what the CLI and the job log show.
    const refused = fileChanges(events).filter((e) => e.state === 'skipped' && e.error);
    assert.deepEqual(refused.map((e) => e.path).sort(), ['/tree/..', '/tree/..', '/tree/../escape.txt', '/tree/a/b']);
    assert.ok(refused.every((e) => e.error?.code === 'InvalidInput' && /not copied/.test(e.error.message)));
    assert.match(refused.find((e) => e.path === '/tree/a/b')!.error!.message, /"a\/b" contains "\/"/);
  });

  it('refuses names the target cannot hold (a Windows disk) and copies the rest', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    for (const name of ['ok.txt', 'back\\slash.txt', 'c:drive.txt', 'trailing.', 'NUL.txt'])
      await writeRandomFile(join(src, 'tree', name), 10);
    await writeRandomFile(join(src, 'tree', 'a\\dir', 'inner.txt'), 10);
    const windows = async () => {
      const local = await openLocal(dst);
      return wrapProvider(local, { capabilities: { ...local.capabilities, nameRules: 'windows' } });
    };
    const { engine, events } = await openEngine(data, { windows });
    const job = engine.add({
      source: { connection: localRef(src), path: '/tree' },
      target: { connection: { savedId: 'windows' }, path: '/out' },
      recursive: true,
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.state, 'completed');
    assert.deepEqual(await treeOf(dst), ['out/', 'out/ok.txt']);
    const refused = fileChanges(events).filter((e) => e.state === 'skipped' && e.error);
    assert.deepEqual(refused.map((e) => e.path).sort(), [
      '/tree/NUL.txt',
      '/tree/a\\dir',
      '/tree/back\\slash.txt',
      '/tree/c:drive.txt',
      '/tree/trailing.',
    ]);
    const folder = refused.find((e) => e.path === '/tree/a\\dir')!;
    assert.match(folder.error!.message, /Windows disk takes as a folder separator.*nor anything in that folder/);
  });

  it('validates requests', async () => {
    const data = await tempDir();
    dirs.push(data);
    const { engine } = await openEngine(data);
    assert.throws(
      () =>
        engine.add({
          source: { connection: localRef('/'), path: '/a\nDELE x' },
          target: { connection: localRef('/'), path: '/b' },
        }),
      (e: Error & { code?: string }) => e.code === 'InvalidInput',
    );
    assert.throws(
      () =>
        engine.add({
          source: { connection: localRef('/'), path: '/a' },
          target: { connection: localRef('/'), path: '/b' },
          overwrite: 'explode' as never,
        }),
      (e: Error & { code?: string }) => e.code === 'InvalidInput',
    );
    await engine.close();
  });
});
