// The order names sort in, as people read them: digits by their value ("file 2" before "file 10"), case and
// accents ignored (Intl.Collator with numeric and base sensitivity). The collator's compare costs ~0.5 µs a
// call from JavaScript, and a folder of 100,000 names takes millions of them, so names made only of printable
// ASCII (nearly all of them) are compared by a key instead: a string whose plain code-unit order is the
// collator's order. Each character of the key is its primary weight in the collator's own order (ranked at
// start-up by the collator itself, so the key follows whatever collation tables the runtime has), and each run
// of digits becomes a marker, its length without leading zeros, and the digits, so longer numbers sort after
// shorter ones. Any name with another character is compared by the collator, so the whole order stays the
// collator's (test/renderer/name-order.test.ts checks the two agree).
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
const isDigit = (char: string) => char >= '0' && char <= '9';

interface KeyTable {
  /** Key characters for each printable ASCII character but digits (equal weights share one). */
  weights: ReadonlyMap<string, string>;
  /** Where a run of digits starts: above every weight sorting before "0", below every one after "9". */
  digits: string;
}

/** Undefined when the collator's table is not what this code expects (then every name goes to it). */
const TABLE: KeyTable | undefined = rankCharacters();

function rankCharacters(): KeyTable | undefined {
  // A character the collator ignores has no weight (names holding it go to the collator).
  const chars = PRINTABLE.filter((char) => !isDigit(char) && collator.compare(`a${char}a`, 'aa') !== 0).sort(
    collator.compare,
  );
  const weights = new Map<string, string>();
  let rank = 0;
  chars.forEach((char, index) => {
    if (index > 0 && collator.compare(chars[index - 1]!, char) !== 0) rank += 2;
    weights.set(char, String.fromCharCode(0x100 + rank));
  });
  const below = chars.filter((char) => collator.compare(char, '0') < 0);
  const above = chars.filter((char) => collator.compare(char, '9') > 0);
  if (below.length + above.length !== chars.length) return undefined;
  // Weights step by 2: the code between the last one below "0" and the next is free.
  const last = below.length > 0 ? weights.get(below[below.length - 1]!)!.charCodeAt(0) : 0xff;
  return { weights, digits: String.fromCharCode(last + 1) };
}

/** The name's sort key, or undefined when only the collator can place it. */
export function nameKey(name: string): string | undefined {
  if (!TABLE) return undefined;
  let key = '';
  for (let at = 0; at < name.length;) {
    const char = name[at]!;
    if (isDigit(char)) {
      let end = at;
      while (end < name.length && isDigit(name[end]!)) end++;
      let start = at;
      while (start < end - 1 && name[start] === '0') start++;
      const digits = name.slice(start, end);
      key += TABLE.digits + String.fromCharCode(0x100 + Math.min(digits.length, 0xfeff)) + digits;
      at = end;
      continue;
    }
    const weight = TABLE.weights.get(char);
    if (weight === undefined) return undefined;
    key += weight;
    at++;
  }
  return key;
}

/** Where a named object keeps its key once made: on itself, so a compare is two property reads. */
const KEY = Symbol('name sort key');
type Keyed = { readonly name: string; [KEY]?: string | null };

/** Compares two named objects (entries) by name in the collator's order; each keeps its key for next time. */
export function compareNamed(a: { readonly name: string }, b: { readonly name: string }): number {
  return compareByKeys(a.name, keyOf(a as Keyed), b.name, keyOf(b as Keyed));
}

/** Compares two names in the collator's order. */
export function compareNames(a: string, b: string): number {
  return compareByKeys(a, nameKey(a) ?? null, b, nameKey(b) ?? null);
}

/** By the keys when both names have one, else by the collator. */
function compareByKeys(a: string, keyA: string | null, b: string, keyB: string | null): number {
  if (keyA !== null && keyB !== null) return keyA < keyB ? -1 : keyA > keyB ? 1 : 0;
  return collator.compare(a, b);
}

function keyOf(named: Keyed): string | null {
  let key = named[KEY];
  if (key === undefined) {
    key = nameKey(named.name) ?? null;
    // A symbol-keyed property: JSON and structured clones leave it out, so the entry travels as it came.
    Object.defineProperty(named, KEY, { value: key, enumerable: false });
  }
  return key;
}
