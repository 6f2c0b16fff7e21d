// The engine's side of cloud fidelity (issue 19) against s3rver and Azurite: a file's modification time survives
// local → cloud → local (kept in the object's metadata, rclone's convention, and set on the local copy), even
// where a listing gives only the time an object was stored (S3: the engine asks stat()); if-newer compares
// against the kept time; a copy into a bucket store writes a folder marker only for a folder that stays empty.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { ConnectionRef } from '../../shared/connection';
import { TransferEngine } from '../../main/core/transfers';
import { BUCKET, CONTAINER, startClouds, type Clouds } from './cloud-fixtures';
import { localRef, removeDirs, tempDir } from './fixtures';

/** A time with milliseconds, well in the past, that no upload could be mistaken for. */
const KEPT = Date.UTC(2021, 1, 3, 4, 5, 6, 789);

/**
 * The files, the empty folder's marker, and no marker for a folder that holds files (a/, a/b/). The root may
 * have one: mkdir of the empty folder makes the levels above it that do not exist yet, and whether the root's
 * files are there by then depends on timing.
 */
function expectMarkers(keys: string[]): void {
  const files = keys.filter((key) => !key.endsWith('/')).sort();
  assert.deepEqual(files, ['markers/a/b/deep.txt', 'markers/top.txt']);
  assert.ok(keys.includes('markers/empty/'), `the empty folder has its marker: ${keys.join(' ')}`);
  assert.deepEqual(
    keys.filter((key) => key.endsWith('/') && key !== 'markers/' && key !== 'markers/empty/'),
    [],
    'no marker for a folder that holds files',
  );
}

describe('modification times and folder markers across clouds (engine)', () => {
  let clouds: Clouds;
  let engine: TransferEngine;
  const dirs: string[] = [];

  async function copy(source: ConnectionRef, from: string, target: ConnectionRef, to: string, overwrite?: 'if-newer') {
    const job = engine.add({
      source: { connection: source, path: from },
      target: { connection: target, path: to },
      recursive: true,
      ...(overwrite ? { overwrite } : {}),
    });
    const done = await engine.waitFor(job.id);
    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    return done;
  }

  /** A folder holding tree/: top.txt, a/b/deep.txt and an empty folder. */
  async function markerTree(): Promise<string> {
    const src = await tempDir();
    dirs.push(src);
    await mkdir(join(src, 'tree/a/b'), { recursive: true });
    await mkdir(join(src, 'tree/empty'));
    await writeFile(join(src, 'tree/top.txt'), 'top\n');
    await writeFile(join(src, 'tree/a/b/deep.txt'), 'deep\n');
    return src;
  }

  before(async () => {
    clouds = await startClouds();
    const data = await tempDir();
    dirs.push(data);
    engine = await TransferEngine.open({ dataDir: data, openConnection: clouds.openConnection, retryBaseDelayMs: 5 });
  });
  after(async () => {
    await engine?.close();
    await clouds?.stop();
    await removeDirs(...dirs);
  });

  for (const kind of ['s3', 'azure'] as const) {
    it(`${kind}: keeps a file's time up and back down, and compares by it for if-newer`, async () => {
      const src = await tempDir();
      const back = await tempDir();
      dirs.push(src, back);
      await mkdir(join(src, 'tree/sub'), { recursive: true });
      for (const name of ['tree/a.txt', 'tree/sub/b.txt']) {
        await writeFile(join(src, name), `${name}\n`);
        await utimes(join(src, name), new Date(KEPT), new Date(KEPT));
      }
      await copy(localRef(src), '/tree', clouds.ref(kind), `/times-${kind}`);
      const cloud = await clouds.provider(kind);
      const up = await cloud.stat(`/times-${kind}/sub/b.txt`);
      assert.equal(up.modified, KEPT, 'the object keeps the file’s time');

      await copy(clouds.ref(kind), `/times-${kind}`, localRef(back), '/down');
      for (const name of ['down/a.txt', 'down/sub/b.txt'])
        assert.equal((await stat(join(back, name))).mtimeMs, KEPT, `${name} has the original time`);

      // if-newer: the cloud copy is as old as the local one, so nothing is copied down again…
      await writeFile(join(back, 'down/a.txt'), 'changed locally\n');
      await utimes(join(back, 'down/a.txt'), new Date(KEPT + 60_000), new Date(KEPT + 60_000));
      const again = await copy(clouds.ref(kind), `/times-${kind}`, localRef(back), '/down', 'if-newer');
      assert.equal(again.filesDone, 0, 'a newer local file is not replaced by an older cloud one');
      assert.equal(again.filesSkipped, 2);
    });
  }

  it('s3: writes a folder marker only for a folder that stays empty', async () => {
    await copy(localRef(await markerTree()), '/tree', clouds.ref('s3'), '/markers');
    const listed = await clouds.admin.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'markers/' }));
    const keys = (listed.Contents ?? []).map((object) => object.Key!);
    expectMarkers(keys);
  });

  it('azure: writes a folder marker only for a folder that stays empty', async () => {
    await copy(localRef(await markerTree()), '/tree', clouds.ref('azure'), '/markers');
    const names: string[] = [];
    for await (const blob of clouds.blobs.getContainerClient(CONTAINER).listBlobsFlat({ prefix: 'markers' }))
      names.push(blob.name);
    expectMarkers(names);
  });
});
