// The local provider's committed copies (CopyOptions.commitAs): a copy to the engine's temporary that is
// size-checked and renamed to its final name in the same call, for a small file in the copier thread
// (small-copies.ts), for a larger one on the main thread, and without confinement. A copy that does not hold
// the size it should leaves nothing behind and the final name keeps what it had; a folder held for an
// earlier copy that is moved away and replaced by a link to the outside is never written through.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openProvider } from '../../main/core/providers';
import type { Provider } from '../../shared/provider';
import { expectCode } from '../helpers/expect-error';
import { collect, patternBytes } from '../helpers/pattern';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const MODIFIED = Date.UTC(2024, 4, 17, 8, 30, 15);

describe('local provider: copies committed to their final name in one call', () => {
  let root: string;
  let plain: Provider;
  let confined: Provider;
  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'ff-local-commit-'));
    await mkdir(path.join(root, 'src'));
    await mkdir(path.join(root, 'dst'));
    plain = await openProvider({ kind: 'local', root });
    confined = await plain.confine!('/dst');
  });
  after(() => rm(root, { recursive: true, force: true }));

  const cases = [
    { label: 'a small file (copier thread)', size: 100, provider: () => confined },
    { label: 'a file over 256 KiB (main thread)', size: 300 * 1024, provider: () => confined },
    { label: 'a small file, unconfined', size: 100, provider: () => plain },
  ];
  for (const [index, { label, size, provider }] of cases.entries()) {
    it(`${label}: lands under the final name with the source's time, replacing what was there; no temporary stays`, async () => {
      const bytes = await collect(patternBytes(`commit-${index}`, size));
      await writeFile(path.join(root, 'src', `f${index}`), bytes);
      await writeFile(path.join(root, 'dst', `f${index}`), 'the old copy');
      await provider().copy!(`/src/f${index}`, `/dst/.f${index}.ffpart`, {
        size,
        modified: MODIFIED,
        commitAs: `/dst/f${index}`,
      });
      const final = path.join(root, 'dst', `f${index}`);
      assert.equal(sha256(await readFile(final)), sha256(bytes));
      assert.equal((await stat(final)).mtimeMs, MODIFIED);
      assert.ok(!(await readdir(path.join(root, 'dst'))).some((name) => name.endsWith('.ffpart')));
    });

    it(`${label}: a copy short of its size fails Integrity, leaves no temporary and keeps the old final`, async () => {
      await writeFile(path.join(root, 'src', `g${index}`), await collect(patternBytes(`short-${index}`, size)));
      await writeFile(path.join(root, 'dst', `g${index}`), 'the old copy');
      // The size the walk saw; the file holds one byte less now (it changed since it was listed).
      const error = await expectCode(
        provider().copy!(`/src/g${index}`, `/dst/.g${index}.ffpart`, { size: size + 1, commitAs: `/dst/g${index}` }),
        'Integrity',
      );
      assert.match(error.message, new RegExp(`/dst/g${index} holds ${size} bytes but ${size + 1} were expected`));
      assert.equal(await readFile(path.join(root, 'dst', `g${index}`), 'utf8'), 'the old copy');
      assert.ok(!(await readdir(path.join(root, 'dst'))).includes(`.g${index}.ffpart`));
    });
  }

  it('a folder moved away and replaced by a link to the outside after a copy into it: the next is refused', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'ff-local-commit-outside-'));
    try {
      await mkdir(path.join(root, 'dst', 'd'));
      await writeFile(path.join(root, 'src', 'x'), 'x');
      await writeFile(path.join(root, 'src', 'y'), 'y');
      await confined.copy!('/src/x', '/dst/d/.x.ffpart', { size: 1, commitAs: '/dst/d/x' }); // holds /dst/d
      await rename(path.join(root, 'dst', 'd'), path.join(root, 'dst', 'd-moved'));
      await symlink(outside, path.join(root, 'dst', 'd'));
      const refused = await expectCode(
        confined.copy!('/src/y', '/dst/d/.y.ffpart', { size: 1, commitAs: '/dst/d/y' }),
        'PermissionDenied',
      );
      assert.match(refused.message, /\/dst\/d is a symbolic link to .*outside the folder chosen/);
      assert.deepEqual(await readdir(outside), [], 'nothing written into the outside');
      assert.deepEqual(await readdir(path.join(root, 'dst', 'd-moved')), ['x']);
      assert.ok((await lstat(path.join(root, 'dst', 'd'))).isSymbolicLink());
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
