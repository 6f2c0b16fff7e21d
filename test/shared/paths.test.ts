import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FerryError } from '../../shared/errors';
import {
  baseName,
  isInside,
  joinPath,
  nameProblem,
  normalizePath,
  parentPath,
  relativeSegments,
  unsafeNameReason,
} from '../../shared/paths';

describe('paths', () => {
  it('normalises without climbing above the root', () => {
    assert.equal(normalizePath(''), '/');
    assert.equal(normalizePath('a//b/./c/'), '/a/b/c');
    assert.equal(normalizePath('/../../etc/passwd'), '/etc/passwd');
    assert.equal(joinPath('/x', '..', '..', 'y'), '/y');
  });

  it('keeps a backslash as part of a name, never as a separator', () => {
    assert.equal(normalizePath('a\\b'), '/a\\b');
    assert.equal(normalizePath('/dir/..\\..\\x'), '/dir/..\\..\\x');
    assert.equal(joinPath('/in', '..\\..\\etc'), '/in/..\\..\\etc');
    assert.equal(baseName('/a/back\\slash.txt'), 'back\\slash.txt');
    assert.equal(parentPath('/a/back\\slash.txt'), '/a');
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

  it('recognises names that would escape a folder on any site', () => {
    for (const bad of ['', '.', '..', '../x', 'a/b', '/etc', 'x\ny', 'cr\r', 'nul\0'])
      assert.ok(unsafeNameReason(bad), JSON.stringify(bad));
    // "\\" and ":" are ordinary characters on POSIX disks, most FTP servers and S3: the target decides.
    for (const good of ['a', '.hidden', '..dots', 'with space', '-dash', 'caf\u00e9', 'a\\b', 'C:evil', '..\\x'])
      assert.equal(unsafeNameReason(good), undefined, good);
  });

  it('judges a name by the rules of the site that stores it', () => {
    for (const name of [
      'back\\slash.txt',
      '..\\..\\x',
      'c:drive.txt',
      'esc\x1b.txt',
      'trailing.',
      'CON',
      'nul.txt',
      'a?b',
      'a|b',
    ])
      assert.equal(nameProblem(name), undefined, `any name goes where no rules are given: ${name}`);
    for (const name of [
      'back\\slash.txt',
      '..\\..\\x',
      'c:drive.txt',
      'stream:x',
      'esc\x1b.txt',
      'trailing.',
      'space ',
      'CON',
      'nul.txt',
      'com1',
      'a?b',
      'a|b',
      'a"b',
      'a<b',
      'a*b',
    ])
      assert.match(nameProblem(name, 'windows') ?? '', /Windows/, `refused on a Windows disk: ${JSON.stringify(name)}`);
    for (const name of ['report.txt', 'console.txt', 'com10', 'caf\u00e9', '.hidden'])
      assert.equal(nameProblem(name, 'windows'), undefined, `allowed on a Windows disk: ${name}`);
    assert.match(nameProblem('back\\slash.txt', 'no-backslash') ?? '', /separator/);
    for (const name of ['c:drive.txt', 'esc\x1b.txt', 'trailing.', 'CON'])
      assert.equal(nameProblem(name, 'no-backslash'), undefined, name);
    for (const rules of [undefined, 'windows', 'no-backslash'] as const)
      for (const bad of ['', '.', '..', 'a/b', 'x\ny'])
        assert.ok(nameProblem(bad, rules), `never safe: ${JSON.stringify(bad)} (${rules})`);
  });

  it('tells inside from outside', () => {
    assert.ok(isInside('/a', '/a/b'));
    assert.ok(!isInside('/a', '/ab'));
    assert.deepEqual(relativeSegments('/a', '/a/b/c'), ['b', 'c']);
    assert.throws(() => relativeSegments('/a', '/b'));
  });
});
