import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FerryError } from '../../shared/errors';
import {
  baseName,
  isInside,
  isSafeChildName,
  joinPath,
  normalizePath,
  parentPath,
  relativeSegments,
} from '../../shared/paths';

describe('paths', () => {
  it('normalises without climbing above the root', () => {
    assert.equal(normalizePath(''), '/');
    assert.equal(normalizePath('a//b/./c/'), '/a/b/c');
    assert.equal(normalizePath('/../../etc/passwd'), '/etc/passwd');
    assert.equal(normalizePath('a\\b'), '/a/b');
    assert.equal(joinPath('/x', '..', '..', 'y'), '/y');
  });

  it('splits into parent and base name', () => {
    assert.equal(parentPath('/a/b/c.txt'), '/a/b');
    assert.equal(parentPath('/a'), '/');
    assert.equal(baseName('/a/b/c.txt'), 'c.txt');
  });

  it('refuses CR, LF and NUL', () => {
    for (const bad of ['/a\rb', '/a\nb', '/a\0b']) {
      assert.throws(
        () => normalizePath(bad),
        (e: unknown) => e instanceof FerryError && e.code === 'InvalidInput',
      );
    }
  });

  it('recognises names that would escape a folder', () => {
    for (const bad of ['', '.', '..', '../x', 'a/b', '/etc', 'a\\b', 'C:evil', 'x\ny'])
      assert.equal(isSafeChildName(bad), false, bad);
    for (const good of ['a', '.hidden', '..dots', 'with space', '-dash', 'caf\u00e9'])
      assert.equal(isSafeChildName(good), true, good);
  });

  it('tells inside from outside', () => {
    assert.ok(isInside('/a', '/a/b'));
    assert.ok(!isInside('/a', '/ab'));
    assert.deepEqual(relativeSegments('/a', '/a/b/c'), ['b', 'c']);
    assert.throws(() => relativeSegments('/a', '/b'));
  });
});
