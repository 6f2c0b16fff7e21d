// How sizes, dates, rates and times read everywhere in the window: binary units with one decimal, dates in
// the user's locale (the full timestamp in a tooltip), tabular figures from the stylesheet.
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatSize(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '—';
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${UNITS[unit]}`;
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatSize(Math.round(bytesPerSecond))}/s`;
}

// A list column's dates are short, as `ls -l` writes them: this year's with the time ("Nov 20, 09:14"), older
// ones with the year ("Nov 20, 2025"). The full timestamp is in the cell's tooltip.
const thisYearFormat = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const otherYearFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', year: 'numeric' });
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' });

/** A date for a list column: short, the year only when it is not this one. */
export function formatListDate(ms: number | undefined, now = Date.now()): string {
  if (ms === undefined) return '—';
  const sameYear = new Date(ms).getFullYear() === new Date(now).getFullYear();
  return (sameYear ? thisYearFormat : otherYearFormat).format(ms);
}

export function formatDate(ms: number | undefined): string {
  return ms === undefined ? '—' : dateFormat.format(ms);
}

export function formatFullDate(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : fullFormat.format(ms);
}

/** "0:12", "3:04", "1:02:03". */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString()} ${count === 1 ? one : many}`;
}
