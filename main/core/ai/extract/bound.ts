// The bound on what goes to the model: at most maxBytes of UTF-8, cut between characters. A slice of maxBytes in
// a single-byte charset can grow when re-encoded (é is one byte in windows-1252, two in UTF-8), and a PDF's or
// a sketch's text has no bound of its own, so every answer passes through here.

export interface Bounded {
  text: string;
  /** Whether anything was cut off. */
  cut: boolean;
}

export function boundUtf8(text: string, maxBytes: number): Bounded {
  // Three bytes per UTF-16 unit at most: a text this short cannot exceed the bound.
  if (text.length * 3 <= maxBytes) return { text, cut: false };
  const room = new Uint8Array(maxBytes);
  // encodeInto writes whole characters only, and says how many UTF-16 units it took.
  const { read } = new TextEncoder().encodeInto(text, room);
  return read >= text.length ? { text, cut: false } : { text: text.slice(0, read), cut: true };
}

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** "about 41,000": two significant digits, for estimates that are no better than that. */
export function about(count: number): string {
  const rounded = count < 100 ? Math.round(count) : Number(count.toPrecision(2));
  return `about ${rounded.toLocaleString('en-US')}`;
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}
