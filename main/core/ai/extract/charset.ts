// Text or binary, and which charset: a byte-order mark first, then UTF-16 without one (NULs in every other
// byte), then valid UTF-8, else chardet's guess. Decoding uses the platform's TextDecoder (Node has full ICU),
// in streaming mode, so a character split by the cut at the end of a slice is left out instead of ending the
// text with a replacement character.
import { analyse } from 'chardet';

/** How many leading bytes the binary test and chardet look at (git looks at 8000 for its binary test). */
const SAMPLE_BYTES = 64 * 1024;
const BINARY_SAMPLE_BYTES = 8000;

export interface Decoded {
  text: string;
  /** The charset as people know it: UTF-8, UTF-16LE, windows-1252, shift_jis… */
  charset: string;
}

/** The WHATWG encoding a byte-order mark announces, if the bytes start with one. */
function bomEncoding(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}

/** UTF-16 without a byte-order mark: text in Latin scripts has a NUL in nearly every high byte and none in the low. */
function bomlessUtf16(bytes: Uint8Array): string | undefined {
  const n = Math.min(bytes.length, BINARY_SAMPLE_BYTES) & ~1;
  if (n < 16) return undefined;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenNul++;
    if (bytes[i + 1] === 0) oddNul++;
  }
  const pairs = n / 2;
  if (oddNul > pairs * 0.6 && evenNul < pairs * 0.02) return 'utf-16le';
  if (evenNul > pairs * 0.6 && oddNul < pairs * 0.02) return 'utf-16be';
  return undefined;
}

/**
 * Whether the bytes are not text: a NUL (as git decides) or many control characters in the first bytes, unless
 * they are UTF-16, where NULs are normal.
 */
export function looksBinary(bytes: Uint8Array): boolean {
  if (bomEncoding(bytes) || bomlessUtf16(bytes)) return false;
  const n = Math.min(bytes.length, BINARY_SAMPLE_BYTES);
  let controls = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0) return true;
    // C0 controls other than tab, line feed, vertical tab, form feed, carriage return and escape (colour codes
    // in logs), and DEL.
    if ((b < 0x20 && !(b >= 0x09 && b <= 0x0d) && b !== 0x1b) || b === 0x7f) controls++;
  }
  return n > 0 && controls / n > 0.05;
}

function validUtf8(bytes: Uint8Array, cut: boolean): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: cut });
    return true;
  } catch {
    return false;
  }
}

function supported(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

/** chardet's most confident guess that TextDecoder can decode (it never decodes UTF-32, nor chardet's "ISO_2022"). */
function guess(bytes: Uint8Array): string {
  for (const match of analyse(bytes.subarray(0, SAMPLE_BYTES))) {
    if (match.name === 'UTF-8' || match.name.startsWith('UTF-32')) continue;
    if (supported(match.name)) return match.name;
  }
  // Every byte sequence decodes in windows-1252, and it is the commonest single-byte charset.
  return 'windows-1252';
}

function charsetName(encoding: string): string {
  return encoding.startsWith('utf-') ? encoding.toUpperCase() : encoding;
}

/** The charset (a WHATWG encoding name) the bytes are written in. `cut`: the bytes may end mid-character. */
export function detectEncoding(bytes: Uint8Array, cut: boolean): string {
  return bomEncoding(bytes) ?? bomlessUtf16(bytes) ?? (validUtf8(bytes, cut) ? 'utf-8' : guess(bytes));
}

/** Decodes text (byte-order mark removed); `cut`: the bytes stop mid-file, so a split last character is dropped. */
export function decodeText(bytes: Uint8Array, cut: boolean): Decoded {
  const decoder = new TextDecoder(detectEncoding(bytes, cut));
  // decoder.encoding is the name it really decoded with: chardet's ISO-8859-1 is windows-1252 to the WHATWG
  // standard (a superset), and that is what was used.
  // Always through the streaming path, flushed at the end of a whole file: Node 20's one-shot decode of
  // windows-1252 takes a Latin-1 shortcut that turns 0x80–0x9F (€, “ ” and the like) into C1 control codes.
  const text = decoder.decode(bytes, { stream: true }) + (cut ? '' : decoder.decode());
  return { text, charset: charsetName(decoder.encoding) };
}
