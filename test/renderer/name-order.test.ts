// The grid's name order: the fast keys (name-order.ts) must order names exactly as the collator does, or a
// folder's rows would sort differently depending on which names it holds. Random names from a small alphabet
// heavy in digits, punctuation and case make most pairs share long prefixes, where a wrong weight would show.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareNames, nameKey } from '../../renderer/src/panes/name-order';
import { mergeSorted } from '../../renderer/src/panes/sorted-merge';

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
const sign = (n: number) => Math.sign(n);

/** A seeded generator, so a failure can be run again. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function names(count: number, alphabet: string, seed: number): string[] {
  const next = random(seed);
  return Array.from({ length: count }, () => {
    const length = 1 + Math.floor(next() * 8);
    return Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
  });
}

const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');

describe('name order (keys in the collator order)', () => {
  it('has a key for every printable ASCII name and none for others', () => {
    assert.equal(typeof nameKey('Report 2024-03_final (2).PDF'), 'string');
    assert.equal(nameKey('café.txt'), undefined);
    assert.equal(nameKey('日本.txt'), undefined);
  });

  it('orders every pair of printable ASCII names as the collator does', () => {
    for (const [alphabet, seed] of [
      ['a0B1._- 9', 1],
      ['09', 2],
      [PRINTABLE, 3],
      ['aA0.-_~(', 4],
    ] as const) {
      const sample = names(400, alphabet, seed);
      for (const a of sample) {
        for (const b of sample) {
          assert.equal(
            sign(compareNames(a, b)),
            sign(collator.compare(a, b)),
            `${JSON.stringify(a)} vs ${JSON.stringify(b)}`,
          );
        }
      }
    }
  });

  it('numbers by value, leading zeros ignored; case ignored', () => {
    const sorted = ['file10', 'File2', 'file1', 'file002x', 'file-3', 'file 4', 'file007'].sort(compareNames);
    assert.deepEqual(sorted, ['file 4', 'file-3', 'file1', 'File2', 'file002x', 'file007', 'file10']);
    assert.deepEqual(sorted, [...sorted].sort(collator.compare));
  });

  it('sorts mixed ASCII and other names as the collator does', () => {
    const sample = [...names(300, 'aé0.Z', 5), ...names(300, 'ab9-', 6)];
    const fast = [...sample].sort(compareNames);
    const slow = [...sample].sort(collator.compare);
    for (let i = 0; i < fast.length; i++) assert.equal(collator.compare(fast[i]!, slow[i]!), 0, `at ${i}`);
  });
});

describe('rows merged page by page (mergeSorted)', () => {
  it('gives what sorting everything at once gives, page by page, ties after what came first', () => {
    const next = random(7);
    // Folders first, then names; "size" ties are many, so equal items must keep their arrival order.
    type Item = { name: string; folder: boolean; size: number; arrived: number };
    const all: Item[] = names(3000, 'ab.0123xyZ', 8).map((name, arrived) => ({
      name,
      folder: next() < 0.2,
      size: Math.floor(next() * 20),
      arrived,
    }));
    const orders: Array<(a: Item, b: Item) => number> = [
      (a, b) => (a.folder === b.folder ? compareNames(a.name, b.name) : a.folder ? -1 : 1),
      (a, b) => -compareNames(a.name, b.name),
      (a, b) => a.size - b.size,
    ];
    for (const compare of orders) {
      for (const pageSize of [1, 170, 3000]) {
        let rows: Item[] = [];
        for (let at = 0; at < all.length; at += pageSize) {
          rows = mergeSorted(rows, all.slice(at, at + pageSize).sort(compare), compare);
        }
        // Array.prototype.sort is stable: equal items stay in arrival order, as mergeSorted must keep them.
        const expected = [...all].sort(compare);
        assert.deepEqual(
          rows.map((row) => row.arrived),
          expected.map((row) => row.arrived),
          `page size ${pageSize}`,
        );
      }
    }
  });
});
