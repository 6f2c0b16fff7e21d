// A link planted or forgotten in the local target folder never lets a copy write outside the folder the user
// chose: not through a folder link (target/top/d -> elsewhere), not by a link under a file's own name, not by
// a link swapped in while the copy runs. Links that stay inside the target are followed. Checked through the
// engine (local → local, a slow source to swap a link mid-copy) and through the real command against vsftpd,
// the case the issue found.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TransferEvent } from '../../shared/transfers';
import { startVsftpd, type VsftpdHandle } from '../helpers/vsftpd';
import { expectExit, runCli } from '../cli/run-cli';
import {
  fileChanges,
  localRef,
  openEngine,
  openLocal,
  removeDirs,
  sha256File,
  slowReads,
  tempDir,
  treeOf,
  writeRandomFile,
} from './fixtures';
import { until } from '../helpers/until';

const SECRET = 'the file outside the target, which must survive\n';

/** A folder outside every target, holding one file whose bytes are checked after each copy. */
async function outsideFolder(dirs: string[]): Promise<string> {
  const outside = await tempDir('ferry-outside-');
  dirs.push(outside);
  await writeFile(join(outside, 'f'), SECRET);
  return outside;
}

function failures(events: TransferEvent[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of fileChanges(events)) if (e.state === 'failed') out.set(e.path, e.error?.message ?? '');
  return out;
}

describe('local targets: links that lead outside the chosen folder', () => {
  const dirs: string[] = [];
  after(() => removeDirs(...dirs));

  it('a folder link in the target that leads outside is not written through; the rest is copied', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    const outside = await outsideFolder(dirs);
    await writeRandomFile(join(src, 'top', 'd', 'f'), 5000);
    await writeRandomFile(join(src, 'top', 'd', 'deeper', 'g'), 100);
    await writeRandomFile(join(src, 'top', 'h'), 2000);
    await mkdir(join(dst, 'top'));
    await symlink(outside, join(dst, 'top', 'd'));

    const { engine, events } = await openEngine(data);
    const job = engine.add({
      source: { connection: localRef(src), path: '/top' },
      target: { connection: localRef(dst), path: '/' },
      intoFolder: true,
      recursive: true,
    });
    const done = await engine.waitFor(job.id);
    await engine.close();

    assert.equal(await readFile(join(outside, 'f'), 'utf8'), SECRET, 'the file outside is untouched');
    assert.deepEqual((await readdir(outside)).sort(), ['f'], 'nothing was created outside');
    assert.equal(await sha256File(join(dst, 'top', 'h')), await sha256File(join(src, 'top', 'h')));
    assert.equal(done.state, 'failed');
    assert.equal(done.filesDone, 1, 'h was copied');
    assert.equal(done.filesFailed, 2, 'f and deeper/g failed, each counted');
    const failed = failures(events);
    assert.deepEqual([...failed.keys()].sort(), ['/top/d/deeper/g', '/top/d/f']);
    for (const message of failed.values())
      assert.match(message, /\/top\/d is a symbolic link to .*outside the folder chosen/);
  });

  it('follows a link that stays inside the target folder', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    await writeRandomFile(join(src, 'top', 'd', 'f'), 3000);
    await mkdir(join(dst, 'top', 'real-d'), { recursive: true });
    await symlink(join(dst, 'top', 'real-d'), join(dst, 'top', 'd'));

    const { engine } = await openEngine(data);
    const job = engine.add({
      source: { connection: localRef(src), path: '/top' },
      target: { connection: localRef(dst), path: '/' },
      intoFolder: true,
      recursive: true,
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    assert.equal(await sha256File(join(dst, 'top', 'real-d', 'f')), await sha256File(join(src, 'top', 'd', 'f')));
  });

  it('follows links in the path the user named, such as a target folder that is itself a link', async () => {
    const [src, real, links, data] = [await tempDir(), await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, real, links, data);
    await writeRandomFile(join(src, 'a.bin'), 1000);
    await symlink(real, join(links, 'chosen'));

    const { engine } = await openEngine(data);
    const job = engine.add({
      source: { connection: localRef(src), path: '/a.bin' },
      target: { connection: localRef(links), path: '/chosen' },
      intoFolder: true,
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    assert.equal(await sha256File(join(real, 'a.bin')), await sha256File(join(src, 'a.bin')));
  });

  it('replaces a link under the file name itself instead of writing through it (streamed and site copy)', async () => {
    for (const sameSite of [false, true]) {
      const [root, data] = [await tempDir(), await tempDir()];
      dirs.push(root, data);
      const outside = await outsideFolder(dirs);
      await writeRandomFile(join(root, 'src', 'f'), 4000);
      await mkdir(join(root, 'dst'));
      await symlink(join(outside, 'f'), join(root, 'dst', 'f'));
      // One connection for both sides makes the engine ask the site to copy (a local file copy).
      const [srcRef, dstRef] = sameSite
        ? [localRef(root), localRef(root)]
        : [localRef(join(root, 'src')), localRef(join(root, 'dst'))];
      const { engine } = await openEngine(data);
      const job = engine.add({
        source: { connection: srcRef, path: sameSite ? '/src/f' : '/f' },
        target: { connection: dstRef, path: sameSite ? '/dst' : '/' },
        intoFolder: true,
      });
      const done = await engine.waitFor(job.id);
      await engine.close();
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await readFile(join(outside, 'f'), 'utf8'), SECRET, `outside untouched (same site: ${sameSite})`);
      assert.equal(await sha256File(join(root, 'dst', 'f')), await sha256File(join(root, 'src', 'f')));
      assert.deepEqual(await treeOf(join(root, 'dst')), ['f'], 'a file now, no temporaries');
    }
  });

  it('replaces a link planted under the temporary name instead of truncating what it points to', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    const outside = await outsideFolder(dirs);
    await writeRandomFile(join(src, 'f'), 4000);
    await symlink(join(outside, 'f'), join(dst, '.f.ffpart'));

    const { engine } = await openEngine(data);
    const job = engine.add({
      source: { connection: localRef(src), path: '/f' },
      target: { connection: localRef(dst), path: '/' },
      intoFolder: true,
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    assert.equal(await readFile(join(outside, 'f'), 'utf8'), SECRET, 'the file the link pointed to is untouched');
    assert.equal(await sha256File(join(dst, 'f')), await sha256File(join(src, 'f')));
    assert.deepEqual(await treeOf(dst), ['f']);
  });

  it('a link swapped in while the copy runs is not followed by the files written after it', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    const outside = await outsideFolder(dirs);
    await writeRandomFile(join(src, 'd', 'one.bin'), 1024 * 1024);
    await writeRandomFile(join(src, 'd', 'two.bin'), 1024 * 1024);
    await mkdir(join(dst, 'd'));

    const log = { offsets: [] as number[], bytes: 0 };
    // One file at a time, each read slowly: the swap lands while the first is written, before the second opens.
    const { engine, events } = await openEngine(
      data,
      { slow: async () => slowReads(await openLocal(src), log, 64 * 1024, 5) },
      { retries: 0, perSiteConcurrency: 1 },
    );
    const job = engine.add({
      source: { connection: { savedId: 'slow' }, path: '/d' },
      target: { connection: localRef(dst), path: '/' },
      intoFolder: true,
      recursive: true,
    });
    await until(() => log.bytes > 128 * 1024, 20_000, 'the first file is under way');
    assert.ok(log.bytes < 1024 * 1024, 'the swap comes before the second file starts');
    // The folder being written into moves away and a link to the outside takes its name.
    await rename(join(dst, 'd'), join(dst, 'd-moved'));
    await symlink(outside, join(dst, 'd'));
    const done = await engine.waitFor(job.id);
    await engine.close();

    assert.deepEqual((await readdir(outside)).sort(), ['f'], 'nothing was written or renamed into the outside');
    assert.equal(await readFile(join(outside, 'f'), 'utf8'), SECRET);
    assert.equal(done.state, 'failed');
    assert.equal(done.filesFailed, 2);
    assert.ok(
      [...failures(events).values()].some((message) => /\/d is a symbolic link to .*outside/.test(message)),
      [...failures(events).values()].join('\n'),
    );
  });
});

describe('fileferry cp -r from vsftpd into a target holding a link that leads outside', () => {
  let server: VsftpdHandle;
  const dirs: string[] = [];
  before(async () => {
    server = await startVsftpd();
  });
  after(async () => {
    await server?.stop();
    await removeDirs(...dirs);
  });

  it('leaves the outside untouched, names the link, exits 3 (some copied, some failed)', async () => {
    const pub = join(server.root, 'pub');
    await mkdir(join(pub, 'top', 'd'), { recursive: true });
    await writeFile(join(pub, 'top', 'd', 'f'), 'planted payload\n');
    await writeFile(join(pub, 'top', 'g'), 'fine\n');
    const [home, target] = [await tempDir(), await tempDir()];
    dirs.push(home, target);
    const outside = await outsideFolder(dirs);
    await mkdir(join(target, 'top'));
    await symlink(outside, join(target, 'top', 'd'));

    const result = await runCli(home, ['cp', '-r', `ftp://${server.host}:${server.port}/pub/top`, `${target}/`]);
    expectExit(result, 3);
    assert.equal(await readFile(join(outside, 'f'), 'utf8'), SECRET);
    assert.deepEqual((await readdir(outside)).sort(), ['f']);
    assert.equal(await readFile(join(target, 'top', 'g'), 'utf8'), 'fine\n');
    assert.match(result.stderr, /symbolic link/);
  });
});
