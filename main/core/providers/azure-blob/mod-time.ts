// A file's own modification time, kept with its blob the way rclone keeps it: metadata `mtime`, an RFC 3339
// time with up to nine fractional digits (Go's time.RFC3339Nano: trailing zeros dropped, "Z" for UTC). A blob
// either tool wrote then shows the same time in both. Blobs without it fall back to their Last-Modified.

/** rclone's metadata key (Azure compares metadata names without regard to case). */
export const MTIME_KEY = 'mtime';

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i;

/** `modified` (ms since the epoch) as rclone writes it: 2021-02-03T03:05:06.12Z. */
export function formatModTime(modified: number): string {
  return new Date(modified).toISOString().replace(/\.?0+Z$/, 'Z');
}

/** The ms since the epoch of an RFC 3339 time with any fraction (truncated to ms); undefined if not one. */
export function parseModTime(text: string): number | undefined {
  const match = RFC3339.exec(text.trim());
  if (!match) return undefined;
  const [, head, fraction = '', zone] = match;
  const seconds = Date.parse(`${head}${zone!.toUpperCase()}`);
  if (Number.isNaN(seconds)) return undefined;
  return seconds + Number(fraction.padEnd(3, '0').slice(0, 3));
}

/** The `mtime` a blob's metadata carries, in ms; undefined when absent or unreadable. */
export function storedModTime(metadata: Record<string, string> | undefined): number | undefined {
  if (!metadata) return undefined;
  for (const [key, value] of Object.entries(metadata)) if (key.toLowerCase() === MTIME_KEY) return parseModTime(value);
  return undefined;
}

/** The metadata that keeps `modified` with a blob, or nothing when no time was given. */
export function modTimeMetadata(modified: number | undefined): Record<string, string> | undefined {
  return modified === undefined || !Number.isFinite(modified) ? undefined : { [MTIME_KEY]: formatModTime(modified) };
}

/** `metadata` without its `mtime`, to be replaced by another. */
export function withoutModTime(metadata: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata ?? {}).filter(([key]) => key.toLowerCase() !== MTIME_KEY));
}
