// `fileferry history`: the transfers recorded in the data folder's history (the app's and every command line
// run's), as a table for people or as JSON / CSV for scripts and spreadsheets; `history device` names this
// device. `history remote …` and `history sync` (replication to Cosmos DB) live in history-remote.ts.
//
// Listing only reads: with no history.db yet it says so and creates neither a history.db nor a device.json,
// so that looking never makes a data folder a device or starts a history in it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isFerryError } from '../../../shared/errors';
import {
  HISTORY_RESULTS,
  type HistoryExportFormat,
  type HistoryFilter,
  type HistoryRecord,
  type HistoryResult,
} from '../../../shared/history';
import { dataDir, defaultDataDir } from '../../core/app-paths';
import { HISTORY_FILE, HistoryStore, readDevice, setDeviceName } from '../../core/history';
import { writeHistoryExport } from '../../core/history/export';
import { EXIT, UsageError } from '../exit-codes';
import { formatBytes, formatDate, formatDuration, printable } from '../format';
import { parseCommandArgs, type Command, type CommandContext } from './common';

/** Records the table shows without --limit: a screenful or two. Exports take everything unless limited. */
const TABLE_LIMIT = 50;

const DATE_FORMS =
  'YYYY-MM-DD (midnight, local time) or an ISO 8601 time such as 2026-12-08T14:30, 2026-12-08T14:30:00Z or 2026-12-08T14:30+01:00';

const LIST_OPTIONS = {
  result: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  search: { type: 'string' },
  device: { type: 'string' },
  connection: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
  csv: { type: 'boolean' },
} as const;

const USAGE = `fileferry history [--result RESULT] [--since DATE] [--until DATE] [--search TEXT] [--device NAME]
                  [--connection NAME] [--limit N] [--json | --csv]
fileferry history device [NAME]
fileferry history remote …       replication to an Azure Cosmos DB account (history remote --help)
fileferry history sync           one replication cycle now

Lists the transfers recorded in this data folder's history, one record per file, newest first: when it
started, how it ended, size, average rate, duration, device, and where from and to. The desktop app and
every cp or mv record theirs; history sync adds those of your other devices.

  --result RESULT     only ${HISTORY_RESULTS.filter((r) => r !== 'running').join(', ')} or running
  --since DATE        started at or after DATE
  --until DATE        started before DATE
                      DATE: YYYY-MM-DD (midnight, local time) or an ISO 8601 time (2026-12-08T14:30,
                      2026-12-08T14:30:00Z, 2026-12-08T14:30+01:00)
  --search TEXT       TEXT in the source, the destination or the error message (any case)
  --device NAME       recorded on that device (its name or id)
  --connection NAME   from or to that connection: a saved connection's name, local, ftp://host…, s3://bucket
  --limit N           at most N records (the table: 50 unless set; --json and --csv: all unless set)
  --json              one JSON array of records (times in ms since the epoch)
  --csv               CSV with a header row (times in ISO 8601, UTC)

  device              this device's name and id (each data folder is one device)
  device NAME         names this device; records made from now on carry the name ("" : the host name)

Examples:
  fileferry history --result failed --since 2026-12-01
  fileferry history --search report.pdf --json
  fileferry history --csv > transfers.csv
  fileferry history device "Work laptop"`;

type Subcommand = (args: string[], context: CommandContext) => Promise<number>;

export const history: Command = {
  usage: USAGE,
  async run(args, context) {
    switch (args[0]) {
      case 'device':
        return device(args.slice(1), context);
      case 'remote':
        return (await replication('historyRemote', 'history remote'))(args.slice(1), context);
      case 'sync':
        return (await replication('historySync', 'history sync'))(args.slice(1), context);
      default:
        return list(args, context);
    }
  },
};

async function list(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals, help } = parseCommandArgs(args, LIST_OPTIONS, { min: 0, max: 1, names: '' }, context);
  if (help) return (context.stdout.write(USAGE + '\n'), EXIT.ok);
  if (positionals.length > 0) {
    throw new UsageError(`unknown history command "${positionals[0]}": history takes options, device, remote or sync.`);
  }
  if (values.json && values.csv) throw new UsageError('choose one of --json and --csv.');
  const filter = parseFilter(values);
  const format: HistoryExportFormat | undefined = values.json ? 'json' : values.csv ? 'csv' : undefined;
  const limit = values.limit === undefined ? (format ? undefined : TABLE_LIMIT) : parseLimit(values.limit);

  const store = await openExisting(context);
  try {
    const records = store ? take(store.all(filter), limit) : [];
    if (format) {
      // On a terminal a CSV's names are escaped as in the table: the raw bytes of a hostile name would drive
      // it. (JSON escapes control characters itself; redirected output stays exact either way.)
      const shown = format === 'csv' && context.stdout.isTTY ? mapIterable(records, printableRecord) : records;
      await writeHistoryExport(shown, format, context.stdout).catch(endOfPipe);
      return EXIT.ok;
    }
    const page = [...records];
    if (page.length === 0) {
      const empty = !store || store.count() === 0;
      context.stdout.write(empty ? 'No transfers recorded yet.\n' : 'No transfers match.\n');
      return EXIT.ok;
    }
    context.stdout.write(table(page));
    const total = limit !== undefined && page.length === limit ? store!.count(filter) : page.length;
    if (total > page.length) context.stdout.write(`${page.length} of ${total} records (--limit N shows more)\n`);
    return EXIT.ok;
  } finally {
    store?.close();
  }
}

/** The history as it is, or none when this data folder has never recorded one (nothing is created). */
async function openExisting(context: CommandContext): Promise<HistoryStore | undefined> {
  const dir = defaultDataDir();
  if (!existsSync(join(dir, HISTORY_FILE))) return undefined;
  const { store, setAside } = await HistoryStore.open(dir);
  if (setAside) {
    context.stderr.write(
      `fileferry: warning: ${printable(`the transfer history could not be read and was set aside as ${setAside}; a new one was started.`)}\n`,
    );
  }
  return store;
}

/** A reader that stopped reading (`history --csv | head`) is not a failure of the command. */
function endOfPipe(error: unknown): void {
  if ((error as NodeJS.ErrnoException)?.code !== 'EPIPE') throw error;
}

function parseFilter(values: {
  result?: string;
  since?: string;
  until?: string;
  search?: string;
  device?: string;
  connection?: string;
}): HistoryFilter {
  const filter: HistoryFilter = {};
  if (values.result !== undefined) {
    if (!(HISTORY_RESULTS as readonly string[]).includes(values.result)) {
      throw new UsageError(`--result must be one of ${HISTORY_RESULTS.join(', ')} (got "${values.result}").`);
    }
    filter.result = values.result as HistoryResult;
  }
  if (values.since !== undefined) filter.since = parseHistoryDate('--since', values.since);
  if (values.until !== undefined) filter.until = parseHistoryDate('--until', values.until);
  if (filter.since !== undefined && filter.until !== undefined && filter.since >= filter.until) {
    throw new UsageError('--since must be earlier than --until.');
  }
  if (values.search !== undefined) filter.text = values.search;
  if (values.device !== undefined) filter.device = values.device;
  if (values.connection !== undefined) filter.connection = values.connection;
  return filter;
}

/**
 * A DATE of --since / --until as ms since the epoch: YYYY-MM-DD is that day's local midnight; a time without
 * an offset is local time, as ISO 8601 has it. Impossible dates (02-30, 24:00) are refused, not rolled over.
 */
export function parseHistoryDate(option: string, value: string): number {
  const match =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/i.exec(
      value.trim(),
    );
  const refuse = () => new UsageError(`${option} "${value}" is not a date. Use ${DATE_FORMS}.`);
  if (!match) throw refuse();
  const [, year, month, day, hour = '0', minute = '0', second = '0', offset] = match;
  const daysInMonth = new Date(Number(year), Number(month), 0).getDate();
  const valid =
    Number(month) >= 1 &&
    Number(month) <= 12 &&
    Number(day) >= 1 &&
    Number(day) <= daysInMonth &&
    Number(hour) <= 23 &&
    Number(minute) <= 59 &&
    Number(second) <= 59 &&
    (offset === undefined || /^(Z|[+-](0\d|1[0-4]):[0-5]\d)$/i.test(offset));
  if (!valid) throw refuse();
  if (match[4] === undefined) return new Date(Number(year), Number(month) - 1, Number(day)).getTime();
  const ms = Date.parse(value.trim().replace(' ', 'T'));
  if (!Number.isFinite(ms)) throw refuse();
  return ms;
}

function parseLimit(value: string): number {
  const limit = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new UsageError(`--limit must be a whole number of records, 1 or more (got "${value}").`);
  }
  return limit;
}

/** The first `limit` of `items` (all without one), read lazily: the store pages on behind it. */
function* take<T>(items: Iterable<T>, limit: number | undefined): Generator<T> {
  if (limit === undefined) return yield* items;
  let count = 0;
  for (const item of items) {
    if (count++ >= limit) return;
    yield item;
  }
}

function* mapIterable<T, U>(items: Iterable<T>, map: (item: T) => U): Generator<U> {
  for (const item of items) yield map(item);
}

/** A record with every text field that may come from outside (names, messages, devices) escaped. */
function printableRecord(record: HistoryRecord): HistoryRecord {
  const shown = { ...record };
  for (const key of ['source', 'destination', 'sourceConnection', 'destinationConnection', 'deviceName'] as const)
    shown[key] = printable(record[key]);
  if (record.errorMessage !== undefined) shown.errorMessage = printable(record.errorMessage);
  return shown;
}

/**
 * The table: fixed columns first, then the device (padded to the longest shown) and the variable-width
 * `source → destination` last, so every column lines up however long a path is. A failed or skipped file's
 * reason follows on a line of its own.
 */
function table(records: HistoryRecord[]): string {
  const rows = records.map((record) => ({
    started: formatDate(record.startedAt),
    result: record.result,
    size: formatBytes(record.size ?? record.bytesDone),
    rate: record.rate === undefined ? '-' : `${formatBytes(record.rate)}/s`,
    duration: record.durationMs === undefined ? '-' : formatDuration(record.durationMs / 1000),
    device: printable(record.deviceName),
    route: `${printable(record.source)} → ${printable(record.destination)}`,
    reason: record.result !== 'done' && record.errorMessage ? printable(record.errorMessage) : undefined,
  }));
  const header = {
    started: 'STARTED',
    result: 'RESULT',
    size: 'SIZE',
    rate: 'RATE',
    duration: 'DURATION',
    device: 'DEVICE',
    route: 'SOURCE → DESTINATION',
  };
  // A reduce, not Math.max(...spread): --limit may ask for more rows than a call takes arguments.
  const width = (key: keyof typeof header) =>
    rows.reduce((widest, row) => Math.max(widest, row[key].length), header[key].length);
  const widths = {
    started: width('started'),
    result: width('result'),
    size: width('size'),
    rate: width('rate'),
    duration: width('duration'),
    device: width('device'),
  };
  const line = (row: typeof header) =>
    [
      row.started.padEnd(widths.started),
      row.result.padEnd(widths.result),
      row.size.padStart(widths.size),
      row.rate.padStart(widths.rate),
      row.duration.padStart(widths.duration),
      row.device.padEnd(widths.device),
      row.route,
    ].join('  ') + '\n';
  let text = line(header);
  for (const row of rows) {
    text += line(row);
    if (row.reason) text += `${' '.repeat(widths.started + 2)}${row.reason}\n`;
  }
  return text;
}

async function device(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals, help } = parseCommandArgs(
    args,
    { json: { type: 'boolean' } },
    { min: 0, max: 1, names: 'at most one NAME (quote a name with spaces)' },
    context,
  );
  if (help) return (context.stdout.write(USAGE + '\n'), EXIT.ok);
  const name = positionals[0];
  let current;
  try {
    // Reading the device creates its id on first use: an id shown once must be the one records will carry.
    current = name === undefined ? await readDevice(dataDir()) : await setDeviceName(dataDir(), name);
  } catch (error) {
    if (isFerryError(error) && error.code === 'InvalidInput') throw new UsageError(error.message);
    throw error;
  }
  if (values.json) context.stdout.write(JSON.stringify(current) + '\n');
  else if (name === undefined) context.stdout.write(`${printable(current.name)}\nid: ${current.id}\n`);
  else {
    context.stdout.write(
      `This device is now named ${printable(current.name)} (id ${current.id}). Transfers from now on are recorded with this name; earlier records keep theirs.\n`,
    );
  }
  return EXIT.ok;
}

/**
 * `history remote` and `history sync`, from history-remote.ts. They are loaded by a pattern, not a fixed
 * name, so that this file builds (tsc, and esbuild's bundle, which takes in whatever history-*.ts exists) while
 * that module is still being written; a build without it says so instead of failing.
 */
async function replication(name: 'historyRemote' | 'historySync', words: string): Promise<Subcommand> {
  const module = (await loadCommandModule('remote')) as Partial<Record<typeof name, Subcommand>> | undefined;
  const run = module?.[name];
  if (typeof run !== 'function') throw new UsageError(`${words} is not available in this build of fileferry.`);
  return run;
}

/** history-SUFFIX.ts, or undefined when there is none (any other failure to load it is thrown). */
async function loadCommandModule(suffix: string): Promise<unknown> {
  try {
    return (await import(`./history-${suffix}.ts`)) as unknown;
  } catch (error) {
    // Not there: esbuild's bundle says "Module not found in bundle: ./history-remote.ts"; Node (the sources,
    // through tsx) ERR_MODULE_NOT_FOUND naming the file. A module of its own that fails to import is a bug.
    const message = (error as Error)?.message ?? '';
    const file = `history-${suffix}\\.ts`;
    const missing = new RegExp(
      `^(Module not found in bundle: \\./${file}|Cannot find module '[^']*/${file}'( imported from .*)?)$`,
    );
    if (missing.test(message.split('\n')[0] ?? '')) return undefined;
    throw error;
  }
}
