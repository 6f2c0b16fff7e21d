// Merging a few sorted items into many: the rows a pane shows grow page by page as a listing arrives, and
// sorting everything again for each page cost seconds for a folder of 100,000 entries (rows.ts).

/**
 * `rows` and `added`, both sorted by `compare`, as one sorted array. Each added item costs a binary search
 * among the rows (not a pass over them); the rows themselves are only copied. An added item equal to a row
 * goes after it, so what arrived first keeps its place.
 */
export function mergeSorted<T>(rows: readonly T[], added: readonly T[], compare: (a: T, b: T) => number): T[] {
  if (added.length === 0) return rows as T[];
  const merged = new Array<T>(rows.length + added.length);
  let from = 0;
  let out = 0;
  for (const item of added) {
    let low = from;
    let high = rows.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compare(rows[middle]!, item) <= 0) low = middle + 1;
      else high = middle;
    }
    while (from < low) merged[out++] = rows[from++]!;
    merged[out++] = item;
  }
  while (from < rows.length) merged[out++] = rows[from++]!;
  return merged;
}
