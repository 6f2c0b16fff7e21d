// The results of a run: one row per measurement, goals checked against them, printed as compact tables.
export const MB = 1_000_000;

export interface Measurement {
  /** e.g. "FTP→local 1 GiB". */
  case: string;
  tool: string;
  bytes: number;
  files?: number;
  ms: number;
  /** CPU time (user + system) of the measured process, when known. */
  cpuMs?: number;
  peakRssKiB?: number;
  /** Settings that matter for the comparison (parallelism, part sizes). */
  note?: string;
  /** How busy the servers were meanwhile, as a share of one core (e.g. "s3rver 97 %"). */
  serverLoad?: string;
}

export interface Goal {
  what: string;
  met: boolean;
  detail: string;
}

export function fastest(measurements: Measurement[]): Measurement {
  const sorted = [...measurements].sort((a, b) => a.ms - b.ms);
  if (!sorted[0]) throw new Error('No measurement to compare');
  return sorted[0];
}

export function sizeLabel(bytes: number): string {
  const MiB = 1024 * 1024;
  return bytes >= 1024 * MiB && bytes % (1024 * MiB) === 0 ? `${bytes / (1024 * MiB)} GiB` : `${bytes / MiB} MiB`;
}

export const mbPerSecond = (m: Measurement) => m.bytes / MB / (m.ms / 1000);
export const filesPerSecond = (m: Measurement) => (m.files ?? 1) / (m.ms / 1000);
export const rssMiB = (m: Measurement) => (m.peakRssKiB === undefined ? undefined : m.peakRssKiB / 1024);

/**
 * A ratio goal: `ours` at least `factor` × `peer` by `metric`, judged on each tool's fastest round (on shared
 * cores the fastest round is the one least disturbed by outside load, for either tool). With several rounds
 * the detail also gives the ratio of the medians, so one lucky round cannot hide how the rest went.
 */
export function ratioGoal(
  what: string,
  ours: Measurement[],
  peer: Measurement[],
  factor: number,
  metric: (m: Measurement) => number = mbPerSecond,
): Goal {
  const ratio = metric(fastest(ours)) / metric(fastest(peer));
  const rounds = Math.min(ours.length, peer.length);
  const medians =
    rounds > 1
      ? `; medians ${(median(ours.map(metric)) / median(peer.map(metric))).toFixed(2)}×, ${rounds} rounds`
      : '';
  return {
    what,
    met: ratio >= factor,
    detail: `${ratio.toFixed(2)}× ${fastest(peer).tool} (goal ≥ ${Number(factor.toFixed(2))}×)${medians}`,
  };
}

/** The median of some figures (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function rssGoal(what: string, measurements: Measurement[], limitMiB = 150): Goal {
  const peak = Math.max(...measurements.map((m) => rssMiB(m) ?? 0));
  return { what, met: peak < limitMiB, detail: `peak ${peak.toFixed(0)} MiB (goal < ${limitMiB} MiB)` };
}

export function formatTables(measurements: Measurement[], goals: Goal[]): string {
  const rows = measurements.map((m) => [
    m.case,
    m.tool,
    (m.ms / 1000).toFixed(2),
    m.cpuMs === undefined ? '' : (m.cpuMs / 1000).toFixed(2),
    mbPerSecond(m).toFixed(0),
    m.files && m.files > 1 ? filesPerSecond(m).toFixed(0) : '',
    rssMiB(m)?.toFixed(0) ?? '',
    m.serverLoad ?? '',
    m.note ?? '',
  ]);
  const measured = table(
    ['case', 'tool', 's', 'CPU s', 'MB/s', 'files/s', 'peak RSS MiB', 'server load (1 core = 100 %)', 'settings'],
    rows,
    [2, 3, 4, 5, 6],
  );
  const checked = table(
    ['goal', 'met', 'measured'],
    goals.map((g) => [g.what, g.met ? 'yes' : 'NO', g.detail]),
    [],
  );
  return `${measured}\n\n${checked}`;
}

/** Rows under a header, columns padded to their widest cell; `rightAligned` holds the numeric columns. */
export function table(head: string[], rows: string[][], rightAligned: number[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAligned.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
