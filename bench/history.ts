// The transfer history at scale (issue 17): 100,000 records inserted as the engine's recorder writes them
// (batches, one transaction each), then the history view's queries: each filter's first page, and a page
// deep in the list through the paging cursor. Goal: a first page in under 50 ms at 100,000 records.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { HistoryQuery, HistoryRecord, HistoryResult } from '../shared/history';
import { HistoryApi } from '../main/core/api/history';
import { HistoryStore } from '../main/core/history/store';
import type { BenchContext } from './lib/context';
import { median, type Goal, type Measurement } from './lib/report';

const RECORDS = 100_000;
/** About a quarter second of a busy engine's ends: what one recorder transaction holds. */
const BATCH = 1000;
const QUERY_ROUNDS = 15;
const FIRST_PAGE_GOAL_MS = 50;
const DAY = 86_400_000;

const CONNECTIONS = ['local', 'ftp://ferry@files.example.com', 's3://photos', 'az://acct/backups'];
const DEVICES = [
  { id: '6f1c1f4e-0000-4000-8000-000000000001', name: 'laptop' },
  { id: '6f1c1f4e-0000-4000-8000-000000000002', name: 'studio' },
];
const WORDS = ['invoice', 'photo', 'report', 'backup', 'draft', 'scan', 'notes', 'video', 'export', 'mail'];

/** A deterministic mix: mostly done, some failed, skipped and cancelled, spread over 90 days, four connections. */
function recordAt(i: number, now: number): HistoryRecord {
  const roll = (i * 7919) % 100;
  const result: HistoryResult = roll < 90 ? 'done' : roll < 95 ? 'failed' : roll < 98 ? 'skipped' : 'cancelled';
  const source = CONNECTIONS[i % CONNECTIONS.length]!;
  const destination = CONNECTIONS[(i + 1) % CONNECTIONS.length]!;
  const device = DEVICES[i % 7 === 0 ? 1 : 0]!;
  const name = `${WORDS[i % WORDS.length]}-${WORDS[(i >> 3) % WORDS.length]}-${i}.dat`;
  const startedAt = now - Math.floor(((RECORDS - i) / RECORDS) * 90 * DAY);
  const size = 1000 + ((i * 104729) % 50_000_000);
  const record: HistoryRecord = {
    id: `job-${Math.floor(i / 500)}:${i % 500}`,
    jobId: `job-${Math.floor(i / 500)}`,
    source: `${source}/projects/${name}`,
    destination: `${destination}/archive/${name}`,
    sourceConnection: source,
    destinationConnection: destination,
    size,
    bytesDone: result === 'done' ? size : Math.floor(size / 3),
    startedAt,
    endedAt: startedAt + 1500,
    durationMs: 1500,
    rate: Math.round(size / 1.5),
    result,
    deviceId: device.id,
    deviceName: device.name,
    appVersion: '0.1.0',
    updatedAt: startedAt + 1500,
  };
  if (result === 'failed') {
    record.errorCode = 'Network';
    record.errorMessage = 'The connection to files.example.com was reset.';
  }
  if (result === 'done') record.verification = { check: 'sha256', value: 'ab'.repeat(32) };
  return record;
}

export async function historyBench(
  ctx: BenchContext,
): Promise<{ measurements: Measurement[]; goals: Goal[]; tables: string[] }> {
  const dir = join(ctx.workDir, 'history');
  const { store } = await HistoryStore.open(dir);
  const now = Date.now();
  try {
    ctx.say(`history: inserting ${RECORDS} records in batches of ${BATCH}`);
    const started = performance.now();
    for (let from = 0; from < RECORDS; from += BATCH) {
      const batch: HistoryRecord[] = [];
      for (let i = from; i < Math.min(RECORDS, from + BATCH); i++) batch.push(recordAt(i, now));
      store.write(batch);
    }
    const insertMs = performance.now() - started;
    const fileBytes =
      (await stat(join(dir, 'history.db'))).size +
      ((await stat(join(dir, 'history.db-wal')).catch(() => undefined))?.size ?? 0);

    // The view's queries as the API answers them (a first page comes with the count of all matches): what its
    // filters send, first page of 100.
    const device = { id: DEVICES[0]!.id, name: DEVICES[0]!.name };
    const options = { store, device, appVersion: 'bench' };
    const view = new HistoryApi({ store, options, close: () => store.close() }, dir, async () => ({
      state: 'off',
      pending: 0,
    }));
    const deep = (() => {
      let after: string | undefined;
      for (let page = 0; page < 50; page++) after = store.query({ limit: 100, ...(after ? { after } : {}) }).next;
      return after!;
    })();
    const queries: Array<[string, HistoryQuery]> = [
      ['newest first, no filter', {}],
      ['result = failed', { result: 'failed' }],
      ['text "report-scan"', { text: 'report-scan' }],
      ['last 7 days, one connection', { since: now - 7 * DAY, connection: 's3://photos' }],
      ['device "studio"', { device: 'studio' }],
      ['text that matches nothing', { text: 'no-such-name' }],
      ['page 51 (cursor)', { after: deep }],
    ];
    const rows: string[] = [];
    let worst = 0;
    let worstCount = 0;
    const timed = (work: () => unknown): number[] => {
      const times: number[] = [];
      for (let round = 0; round < QUERY_ROUNDS; round++) {
        const t = performance.now();
        work();
        times.push(performance.now() - t);
      }
      return times;
    };
    for (const [label, query] of queries) {
      let count = 0;
      const times = timed(() => (count = view.query({ limit: 100, ...query }).records.length));
      // The count the view asks beside a first page (not for a later page: it has it already).
      const { after, ...filter } = query;
      const counts = after === undefined ? timed(() => view.count(filter)) : [];
      const mid = median(times);
      worst = Math.max(worst, mid);
      if (counts.length) worstCount = Math.max(worstCount, median(counts));
      const countText = counts.length ? `${median(counts).toFixed(1).padStart(6)} ms` : '     —   ';
      const max = Math.max(...times)
        .toFixed(2)
        .padStart(8);
      rows.push(
        `  ${label.padEnd(30)} ${mid.toFixed(2).padStart(8)} ms median  ${max} ms max  ${String(count).padStart(4)} records   count ${countText}`,
      );
    }
    const rate = RECORDS / (insertMs / 1000);
    const table = [
      `History (issue 17): ${RECORDS} records, ${(fileBytes / 1024 / 1024).toFixed(1)} MiB on disk; inserted in ${insertMs.toFixed(0)} ms = ${Math.round(rate)} records/s (batches of ${BATCH})`,
      `First page (100 records) of each of the view's queries, and the count of all matches it asks beside it, ${QUERY_ROUNDS} rounds:`,
      ...rows,
    ].join('\n');
    ctx.say(table);
    return {
      measurements: [],
      goals: [
        {
          what: `history: first page at ${RECORDS} records < ${FIRST_PAGE_GOAL_MS} ms`,
          met: worst < FIRST_PAGE_GOAL_MS,
          detail: `slowest first page's median ${worst.toFixed(1)} ms (the count asked beside it: up to ${worstCount.toFixed(0)} ms); insert ${Math.round(rate)} records/s`,
        },
      ],
      tables: [table],
    };
  } finally {
    store.close();
  }
}
