// Human-readable sizes, rates, durations and dates for CLI output, and names made safe to print (printable).
import { UNPRINTABLE } from '../../shared/text';

export { formatBytes } from '../../shared/text';

/** "0:07", "12:03", "1:02:03". */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** "2026-11-26 09:41" in local time. */
export function formatDate(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text that may come from a server (a name, an error message naming a file), made safe to print for a person:
 * what UNPRINTABLE matches is written as an escape ("\x1b", "\u202e", "\n"), as GNU ls escapes names on a
 * terminal, so a hostile name can neither drive the terminal nor forge a line. Everything else is left as it is,
 * a backslash too ("back\slash.txt" stays readable). `lines` keeps line feeds, for messages of several lines.
 * Every human-readable output of the CLI passes names through here; --json output keeps them exact.
 */
export function printable(text: string, options: { lines?: boolean } = {}): string {
  return text.replace(UNPRINTABLE, (char) => {
    if (char === '\n' && options.lines) return char;
    const code = char.charCodeAt(0);
    return (
      NAMED_ESCAPES[char] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`)
    );
  });
}
