// The provider conformance suite, in the manner of rclone's fstests: every provider runs the same checks
// against a real server. A provider's test file is a few lines that call runConformance().
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { joinPath, nameProblem } from '../../shared/paths';
import type { Entry, Provider } from '../../shared/provider';
import {
  collect,
  MIXED_CHUNK_SIZES,
  patternBytes,
  patternSha256,
  reusedBufferChunks,
  sha256Of,
} from '../helpers/pattern';
import type { ConformanceTarget } from './target';
import { expectCode } from '../helpers/expect-error';

export type { ConformanceTarget } from './target';

const MiB = 1024 * 1024;

/** Names that have broken real clients: spaces, both unicode normal forms, quotes, URL metacharacters, emoji, a leading dash. */
export const HOSTILE_NAMES = [
  'with space.txt',
  'caf\u00e9 nfc.txt',
  'cafe\u0301 nfd.txt',
  `it's "quoted".txt`,
  '#hash.txt',
  '100% sure.txt',
  'what?.txt',
  'amp & plus+.txt',
  '\u{1F680} rocket.txt',
  '-leading-dash.txt',
  'Hello, 世界.txt',
];

async function listAll(provider: Provider, path: string, pageSize?: number): Promise<Entry[]> {
  const entries: Entry[] = [];
  for await (const page of provider.list(path, pageSize ? { pageSize } : {})) entries.push(...page);
  return entries;
}

async function names(provider: Provider, path: string): Promise<string[]> {
  return (await listAll(provider, path)).map((entry) => entry.name).sort();
}

async function writePattern(provider: Provider, path: string, seed: string, size: number): Promise<void> {
  const result = await provider.write(path, patternBytes(seed, size), { size });
  assert.equal(result.size, size);
}

async function readSha256(provider: Provider, path: string): Promise<string> {
  return sha256Of(await provider.read(path));
}

/** A target whose server counts listing requests, so the paging test can see pages delivered as they arrive. */
export interface CountedListingTarget extends ConformanceTarget {
  /** Listing requests the server has answered so far (S3 ListObjectsV2, Azure List Blobs…). */
  listRequests?: () => Promise<number>;
}

export function runConformance(target: CountedListingTarget): void {
  describe(`provider conformance: ${target.name}`, () => {
    let provider: Provider;
    let root: string;
    let stop: () => Promise<void>;
    let counter = 0;
    /** A fresh folder per test, so tests do not see each other's files. */
    const scratch = async (label: string): Promise<string> => {
      const folder = joinPath(root, `${++counter}-${label}`);
      await provider.mkdir(folder);
      return folder;
    };

    before(async () => {
      ({ provider, root, stop } = await target.setup());
    });
    after(async () => {
      await stop?.();
    });

    it('declares its capabilities', () => {
      const caps = provider.capabilities;
      assert.ok(caps.maxConnections >= 1);
      assert.ok(Array.isArray(caps.hashes));
      assert.ok(['append', 'token', false].includes(caps.resumableWrite));
      assert.equal(typeof provider.siteKey, 'string');
    });

    it('creates empty and nested folders, idempotently', async () => {
      const base = await scratch('folders');
      await provider.mkdir(joinPath(base, 'empty'));
      await provider.mkdir(joinPath(base, 'a/b/c'));
      await provider.mkdir(joinPath(base, 'a/b')); // exists already: no error
      assert.deepEqual(await names(provider, base), ['a', 'empty']);
      assert.deepEqual(await names(provider, joinPath(base, 'empty')), []);
      assert.deepEqual(await names(provider, joinPath(base, 'a/b')), ['c']);
      const entry = await provider.stat(joinPath(base, 'a/b/c'));
      assert.equal(entry.type, 'folder');
      assert.equal(entry.name, 'c');
      assert.equal(entry.path, joinPath(base, 'a/b/c'));
      const listed = await listAll(provider, base);
      assert.ok(listed.every((e) => e.type === 'folder'));
    });

    it('stores a zero-byte file', async () => {
      const base = await scratch('zero');
      const path = joinPath(base, 'empty.bin');
      const result = await provider.write(path, patternBytes('zero', 0), { size: 0 });
      assert.equal(result.size, 0);
      const entry = await provider.stat(path);
      assert.equal(entry.type, 'file');
      assert.equal(entry.size, 0);
      assert.equal((await collect(await provider.read(path))).length, 0);
    });

    it('round-trips files of many sizes byte for byte (SHA-256)', async () => {
      const base = await scratch('sizes');
      const sizes = [1, 1000, 64 * 1024 + 7, MiB + 3, (target.bigFileMiB ?? 64) * MiB];
      for (const size of sizes) {
        const path = joinPath(base, `file-${size}.bin`);
        await writePattern(provider, path, `size-${size}`, size);
        assert.equal((await provider.stat(path)).size, size);
        assert.equal(await readSha256(provider, path), await patternSha256(`size-${size}`, size), `${size} bytes`);
      }
      const listed = await listAll(provider, base);
      assert.equal(listed.length, sizes.length);
      for (const entry of listed) {
        assert.equal(entry.type, 'file');
        assert.equal(entry.size, Number(entry.name.slice(5, -4)));
      }
    });

    it('accepts a write of unknown size', async () => {
      const base = await scratch('unknown-size');
      const path = joinPath(base, 'streamed.bin');
      const size = 3 * MiB + 11;
      await provider.write(path, patternBytes('unknown', size));
      assert.equal((await provider.stat(path)).size, size);
      assert.equal(await readSha256(provider, path), await patternSha256('unknown', size));
    });

    it('stores what a source yields even when it reuses each chunk once asked for the next', async () => {
      // Providers that declare writeReleasesChunks get a source that overwrites every chunk as soon as the
      // next is asked for (what the FTP and local sources do for them); others get the same bytes fresh.
      const base = await scratch('released-chunks');
      const releases = provider.capabilities.writeReleasesChunks === true;
      // One chunk larger than an S3 part or an Azure block, chunks that straddle part boundaries, a 1-byte one.
      const sizes = [...MIXED_CHUNK_SIZES, 6 * MiB + 3];
      for (const [name, size] of [
        ['small.bin', 70_000],
        ['parts.bin', 13 * MiB + 5],
      ] as const) {
        const data = await collect(patternBytes(`released-${size}`, size));
        const source = releases ? reusedBufferChunks(data, sizes) : patternBytes(`released-${size}`, size);
        const path = joinPath(base, name);
        assert.equal((await provider.write(path, source, { size })).size, size);
        assert.equal(await readSha256(provider, path), await patternSha256(`released-${size}`, size), name);
      }
    });

    it('reads byte ranges', async () => {
      const base = await scratch('ranges');
      const path = joinPath(base, 'ranged.bin');
      const size = 2 * MiB + 5;
      await writePattern(provider, path, 'ranged', size);
      const cases: Array<[number, number | undefined]> = [
        [0, 10],
        [1000, 5000],
        [MiB - 1, MiB + 2],
        [size - 7, undefined],
        [123_456, undefined],
      ];
      for (const [offset, length] of cases) {
        const expectedLength = length ?? size - offset;
        const got = await sha256Of(await provider.read(path, length === undefined ? { offset } : { offset, length }));
        assert.equal(got, await patternSha256('ranged', expectedLength, offset), `range ${offset}+${length}`);
      }
    });

    it('overwrites an existing file completely', async () => {
      const base = await scratch('overwrite');
      const path = joinPath(base, 'file.bin');
      await writePattern(provider, path, 'long', 300_000);
      await writePattern(provider, path, 'short', 1234);
      assert.equal((await provider.stat(path)).size, 1234);
      assert.equal(await readSha256(provider, path), await patternSha256('short', 1234));
    });

    it('renames and moves files and folders', async () => {
      const base = await scratch('rename');
      await provider.mkdir(joinPath(base, 'from/inner'));
      await provider.mkdir(joinPath(base, 'to'));
      await writePattern(provider, joinPath(base, 'from/a.bin'), 'a', 5000);
      await writePattern(provider, joinPath(base, 'from/inner/b.bin'), 'b', 7000);

      await provider.rename(joinPath(base, 'from/a.bin'), joinPath(base, 'to/renamed.bin'));
      await expectCode(provider.stat(joinPath(base, 'from/a.bin')), 'NotFound');
      assert.equal(await readSha256(provider, joinPath(base, 'to/renamed.bin')), await patternSha256('a', 5000));

      // Replaces an existing file at the target.
      await writePattern(provider, joinPath(base, 'to/existing.bin'), 'old', 100);
      await provider.rename(joinPath(base, 'to/renamed.bin'), joinPath(base, 'to/existing.bin'));
      assert.equal(await readSha256(provider, joinPath(base, 'to/existing.bin')), await patternSha256('a', 5000));

      await provider.rename(joinPath(base, 'from'), joinPath(base, 'moved'));
      await expectCode(provider.stat(joinPath(base, 'from')), 'NotFound');
      assert.equal(await readSha256(provider, joinPath(base, 'moved/inner/b.bin')), await patternSha256('b', 7000));
    });

    it('removes files, refuses a non-empty folder without recursive, removes trees with it', async () => {
      const base = await scratch('remove');
      await provider.mkdir(joinPath(base, 'tree/x/y'));
      await provider.mkdir(joinPath(base, 'tree/empty'));
      await writePattern(provider, joinPath(base, 'tree/top.bin'), 't', 10);
      await writePattern(provider, joinPath(base, 'tree/x/y/deep.bin'), 'd', 20);
      await writePattern(provider, joinPath(base, 'single.bin'), 's', 30);

      await provider.remove(joinPath(base, 'single.bin'));
      await expectCode(provider.stat(joinPath(base, 'single.bin')), 'NotFound');

      await assert.rejects(provider.remove(joinPath(base, 'tree')));
      assert.equal((await provider.stat(joinPath(base, 'tree/x/y/deep.bin'))).size, 20);

      await provider.remove(joinPath(base, 'tree'), { recursive: true });
      await expectCode(provider.stat(joinPath(base, 'tree')), 'NotFound');
      await expectCode(provider.stat(joinPath(base, 'tree/x/y/deep.bin')), 'NotFound');
      assert.deepEqual(await names(provider, base), []);
    });

    it('reports NotFound for every operation on a missing path', async () => {
      const base = await scratch('missing');
      const missing = joinPath(base, 'no-such-thing');
      await expectCode(provider.stat(missing), 'NotFound');
      await expectCode(provider.read(missing).then(collect), 'NotFound');
      await expectCode(listAll(provider, missing), 'NotFound');
      await expectCode(provider.remove(missing), 'NotFound');
      await expectCode(provider.rename(missing, joinPath(base, 'elsewhere')), 'NotFound');
    });

    it('lists large folders across pages without loss or duplicates, each page as it arrives', async () => {
      const base = await scratch('paging');
      const count = 25;
      for (let i = 0; i < count; i++)
        await provider.write(joinPath(base, `f${String(i).padStart(3, '0')}`), patternBytes(`p${i}`, 3), { size: 3 });
      // Where the server counts listing requests: how many had been made when the first page was yielded.
      const counted = target.listRequests;
      const before = counted ? await counted() : 0;
      let atFirstPage: number | undefined;
      const listed: Entry[] = [];
      for await (const page of provider.list(base, { pageSize: 10 })) {
        if (counted && atFirstPage === undefined) atFirstPage = (await counted()) - before;
        listed.push(...page);
      }
      assert.equal(listed.length, count);
      assert.equal(new Set(listed.map((e) => e.name)).size, count);
      if (counted) {
        const total = (await counted()) - before;
        assert.ok(total >= 3, `pages of 10 of ${count} entries take at least 3 requests, not ${total}`);
        assert.ok(
          atFirstPage !== undefined && atFirstPage < total,
          `the first page came after ${atFirstPage} of ${total} listing requests: pages must be yielded as they arrive`,
        );
      }
    });

    it('keeps hostile names intact', async () => {
      const base = await scratch('hostile');
      const folder = joinPath(base, `dir ${HOSTILE_NAMES.join('')}`.slice(0, 60).replace(/[/]/g, '_'));
      await provider.mkdir(folder);
      for (const [i, name] of HOSTILE_NAMES.entries()) {
        await writePattern(provider, joinPath(folder, name), `hostile-${i}`, 100 + i);
      }
      assert.deepEqual(await names(provider, folder), [...HOSTILE_NAMES].sort());
      for (const [i, name] of HOSTILE_NAMES.entries()) {
        const path = joinPath(folder, name);
        const entry = await provider.stat(path);
        assert.equal(entry.name, name);
        assert.equal(entry.size, 100 + i);
        assert.equal(await readSha256(provider, path), await patternSha256(`hostile-${i}`, 100 + i), name);
      }
      await provider.rename(joinPath(folder, HOSTILE_NAMES[0]!), joinPath(folder, `moved ${HOSTILE_NAMES[8]!}`));
      await provider.stat(joinPath(folder, `moved ${HOSTILE_NAMES[8]!}`));
      await provider.remove(folder, { recursive: true });
      await expectCode(provider.stat(folder), 'NotFound');
    });

    it('keeps "\\" and ":" as parts of a name wherever its nameRules allow them', async () => {
      const legal = ['back\\slash.txt', '..\\..\\up.txt', 'c:drive.txt'].filter(
        (name) => nameProblem(name, provider.capabilities.nameRules) === undefined,
      );
      if (legal.length === 0) return;
      const base = await scratch('separators');
      const folder = joinPath(base, 'a/b');
      await provider.mkdir(folder);
      for (const [i, name] of legal.entries()) await writePattern(provider, joinPath(folder, name), `sep-${i}`, 50 + i);
      assert.deepEqual(await names(provider, folder), [...legal].sort(), 'one entry each, under its own name');
      for (const [i, name] of legal.entries()) {
        const entry = await provider.stat(joinPath(folder, name));
        assert.equal(entry.name, name);
        assert.equal(await readSha256(provider, joinPath(folder, name)), await patternSha256(`sep-${i}`, 50 + i));
      }
      assert.deepEqual(await names(provider, base), ['a'], 'nothing landed above the folder');
      assert.deepEqual(await names(provider, joinPath(base, 'a')), ['b'], 'nothing landed above the folder');
      await provider.remove(base, { recursive: true });
    });

    it('reports modification times when it declares a precision', async () => {
      if (provider.capabilities.modTimePrecisionMs === null) return;
      const base = await scratch('modtime');
      const path = joinPath(base, 'now.bin');
      const before = Date.now();
      await writePattern(provider, path, 'now', 10);
      const entry = await provider.stat(path);
      assert.ok(entry.modified !== undefined, 'modified is set');
      const slack = provider.capabilities.modTimePrecisionMs + 120_000; // clock skew between server and client
      assert.ok(Math.abs(entry.modified - before) < slack, `modified ${entry.modified} near ${before}`);
      if (provider.capabilities.setModTime) {
        const when = Date.UTC(2020, 0, 2, 3, 4, 5);
        await provider.write(path, patternBytes('now', 10), { size: 10, modified: when });
        const after = await provider.stat(path);
        assert.ok(Math.abs((after.modified ?? 0) - when) <= provider.capabilities.modTimePrecisionMs);
      }
    });

    it('resumes an interrupted write where it declares append', async () => {
      if (provider.capabilities.resumableWrite !== 'append') return;
      const base = await scratch('append');
      const path = joinPath(base, 'partial.bin');
      const size = MiB + 99;
      const half = 400_000;
      await provider.write(path, patternBytes('append', half), { size: half });
      await provider.write(path, patternBytes('append', size - half, half), { offset: half });
      assert.equal(await readSha256(provider, path), await patternSha256('append', size));
    });

    it('copies server-side and hashes where it offers to', async () => {
      const base = await scratch('copy-hash');
      const path = joinPath(base, 'orig.bin');
      await writePattern(provider, path, 'copy', 70_000);
      if (provider.copy) {
        await provider.copy(path, joinPath(base, 'copy.bin'));
        assert.equal(await readSha256(provider, joinPath(base, 'copy.bin')), await patternSha256('copy', 70_000));
        assert.equal(await readSha256(provider, path), await patternSha256('copy', 70_000));
      }
      if (provider.hash) {
        for (const algorithm of provider.capabilities.hashes) {
          const { createHash } = await import('node:crypto');
          if (algorithm === 'crc32c') continue;
          const expected = createHash(algorithm)
            .update(await collect(patternBytes('copy', 70_000)))
            .digest('hex');
          assert.equal(await provider.hash(path, algorithm), expected, algorithm);
        }
      }
    });

    it('refuses paths with CR, LF or NUL', async () => {
      const base = await scratch('control-chars');
      for (const bad of ['a\rb', 'a\nb', 'a\0b']) {
        await expectCode(provider.write(`${base}/${bad}`, patternBytes('x', 1), { size: 1 }), 'InvalidInput');
        await expectCode(provider.stat(`${base}/${bad}`), 'InvalidInput');
      }
      assert.deepEqual(await names(provider, base), []);
    });
  });
}
