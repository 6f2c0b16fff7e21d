// Text a server chose (a certificate's subject, a listing's date), on its way to a person.

// Control characters (C0, DEL and C1: ESC and CSI start the sequences that retitle, recolour or clear a
// terminal), line and paragraph separators, and bidirectional overrides and isolates (which reorder what is
// shown, so "txt.exe" can look like "exe.txt").
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * A server's descriptive text reduced to something safe to show anywhere: the unprintable characters
 * removed, spaces trimmed, at most `max` characters. Undefined when nothing is left. (Names are never passed
 * through here: a name must stay exact, and the CLI escapes it instead, see main/cli/format.ts.)
 */
export function serverText(text: string | undefined, max: number): string | undefined {
  const clean = text?.replace(UNPRINTABLE, ' ').replace(/ {2,}/g, ' ').trim().slice(0, max);
  return clean ? clean : undefined;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** "512 B", "1.50 KiB", "12.3 MiB": binary units, three significant figures. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit]}`;
}
