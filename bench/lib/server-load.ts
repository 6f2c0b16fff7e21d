// How busy the servers were during a measurement, as a share of one core. On two shared cores a server
// that is near 100 % (s3rver and Azurite are single-threaded Node processes) caps every client alike,
// which says more about a ratio between two clients than the ratio itself.
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface ProcStat {
  ppid: number;
  /** utime + stime + the reaped children's cutime + cstime, in ticks. */
  ticks: number;
}

function readStats(): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the parenthesised command name (which may contain spaces): state is field 3.
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
      stats.set(Number(name), { ppid: Number(fields[1]), ticks: utime! + stime! + cutime! + cstime! });
    } catch {
      // The process ended while we looked.
    }
  }
  return stats;
}

/** CPU ticks of a process and its live descendants (children that ended count once their parent reaps them). */
function treeTicks(stats: Map<number, ProcStat>, root: number): number {
  let total = 0;
  const pending = [root];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    total += stats.get(pid)?.ticks ?? 0;
    for (const [child, stat] of stats) if (stat.ppid === pid) pending.push(child);
  }
  return total;
}

/** Starts watching the named server processes; the returned function says how busy each was since. */
export function watchServers(servers: Record<string, number>): () => string {
  const started = performance.now();
  const before = readStats();
  const baseline = Object.fromEntries(Object.entries(servers).map(([name, pid]) => [name, treeTicks(before, pid)]));
  return () => {
    const seconds = (performance.now() - started) / 1000;
    const after = readStats();
    return Object.entries(servers)
      .map(([name, pid]) => {
        const busy = (treeTicks(after, pid) - baseline[name]!) / TICKS_PER_SECOND / seconds;
        return `${name} ${Math.round(busy * 100)} %`;
      })
      .join(', ');
  };
}
