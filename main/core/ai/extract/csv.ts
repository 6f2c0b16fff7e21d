// CSV and TSV: a sketch instead of the raw slice — header, an estimated row count, a type per column and the
// first rows as written. A small RFC 4180 parser (quoted fields with the delimiter, doubled quotes and line
// breaks inside): the slice is at most maxBytes, and the sketch needs record boundaries and nothing else a
// CSV library would add.
import { about, count } from './bound';

const SAMPLE_ROWS = 20;
const DELIMITERS = [',', '\t', ';', '|'] as const;

export interface Records {
  records: string[][];
  /** The character index just past each record (its line break included). */
  ends: number[];
}

/**
 * Parses records. `cut`: the text stops mid-file, so its last record (possibly incomplete) is left out.
 * Blank lines are skipped. Stops after `limit` records.
 */
export function parseCsv(text: string, delimiter: string, cut: boolean, limit = Infinity): Records {
  const records: string[][] = [];
  const ends: number[] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStart = true;
  let i = 0;
  const n = text.length;
  const finish = (end: number) => {
    record.push(field);
    if (!(record.length === 1 && record[0] === '')) {
      records.push(record);
      ends.push(end);
    }
    record = [];
    field = '';
    fieldStart = true;
  };
  while (i < n && records.length < limit) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      const close = text.indexOf('"', i);
      const stop = close < 0 ? n : close;
      field += text.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === '"' && fieldStart) {
      quoted = true;
      fieldStart = false;
      i++;
    } else if (c === delimiter) {
      record.push(field);
      field = '';
      fieldStart = true;
      i++;
    } else if (c === '\n' || c === '\r') {
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      finish(i);
    } else {
      field += c;
      fieldStart = false;
      i++;
    }
  }
  if (i >= n && !cut && (field !== '' || record.length > 0)) finish(n);
  return { records, ends };
}

/**
 * The delimiter that splits the first lines into the same number (two or more) of fields, the most fields
 * winning; undefined when none does (prose with a comma here and there is no CSV). `fallback` is returned
 * for a file named .csv whose first lines decide nothing.
 */
export function sniffDelimiter(text: string, fallback?: string): string | undefined {
  const head = text.slice(0, 16 * 1024);
  let best: { delimiter: string; fields: number } | undefined;
  for (const delimiter of DELIMITERS) {
    const { records } = parseCsv(head, delimiter, head.length < text.length, 10);
    if (records.length < (fallback ? 1 : 3)) continue;
    const fields = records[0]!.length;
    if (fields < 2 || records.some((r) => r.length !== fields)) continue;
    if (!best || fields > best.fields) best = { delimiter, fields };
  }
  return best?.delimiter ?? fallback;
}

type ColumnType = 'empty' | 'integer' | 'decimal' | 'date' | 'boolean' | 'text';

function valueType(value: string): ColumnType {
  const v = value.trim();
  if (v === '') return 'empty';
  if (/^[+-]?\d+$/.test(v)) return 'integer';
  if (/^[+-]?(\d+[.,]\d*|[.,]\d+|\d+)([eE][+-]?\d+)?$/.test(v)) return 'decimal';
  if (/^(true|false|yes|no)$/i.test(v)) return 'boolean';
  if (
    /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) ||
    /^\d{1,2}[/.]\d{1,2}[/.]\d{4}( \d{1,2}:\d{2}(:\d{2})?)?$/.test(v)
  )
    return 'date';
  return 'text';
}

/** The narrowest type every non-empty value fits (integers fit decimals). */
function columnType(values: string[]): { type: ColumnType; empty: number } {
  const seen = new Set<ColumnType>();
  let empty = 0;
  for (const value of values) {
    const type = valueType(value);
    if (type === 'empty') empty++;
    else seen.add(type);
  }
  if (seen.size === 0) return { type: 'empty', empty };
  if (seen.size === 1) return { type: [...seen][0]!, empty };
  if (seen.size === 2 && seen.has('integer') && seen.has('decimal')) return { type: 'decimal', empty };
  return { type: 'text', empty };
}

export interface CsvInput {
  text: string;
  delimiter: string;
  /** The text stops before the end of the file. */
  cut: boolean;
  /** Bytes the text was decoded from, and the file's size (undefined: the site did not say). */
  bytes: number;
  size: number | undefined;
  charset: string;
}

export interface CsvSketch {
  text: string;
  description: string;
}

const DELIMITER_NAMES: Readonly<Record<string, string>> = { ',': 'comma', '\t': 'tab', ';': 'semicolon', '|': 'pipe' };

export function csvSketch(input: CsvInput): CsvSketch | undefined {
  const { text, delimiter, cut } = input;
  const { records, ends } = parseCsv(text, delimiter, cut);
  if (records.length === 0) return undefined;
  const first = records[0]!;
  const width = Math.max(...records.map((r) => r.length));
  // A first row of names (nothing in it a number, date or boolean) is a header; data would have some.
  const header = first.every((v) => ['text', 'empty'].includes(valueType(v))) && records.length > 1;
  const rows = header ? records.slice(1) : records;
  const names = Array.from({ length: width }, (_, c) => (header ? first[c]?.trim() : undefined) || `column ${c + 1}`);

  let rowCount: string;
  if (!cut) rowCount = `${count(rows.length)} rows`;
  else if (rows.length === 0 || input.size === undefined) rowCount = `more than ${count(rows.length)} rows`;
  else {
    // Bytes per row from the rows read (characters scaled to bytes by the slice's own ratio), over the rest.
    const bytesPerChar = input.bytes / text.length;
    const headerBytes = header ? ends[0]! * bytesPerChar : 0;
    const rowBytes = (ends[ends.length - 1]! * bytesPerChar - headerBytes) / rows.length;
    rowCount = `${about((input.size - headerBytes) / rowBytes)} rows`;
  }

  const lines = [
    `${input.delimiter === '\t' ? 'TSV' : 'CSV'} file (${DELIMITER_NAMES[delimiter] ?? delimiter}-separated, ${input.charset}), ` +
      `${width} columns, ${rowCount}${cut ? ` (estimated from the first ${count(input.bytes)} bytes)` : ''}.`,
    header
      ? 'Columns (from the header row), with the type of their values in the rows read:'
      : 'No header row. Columns:',
  ];
  names.forEach((name, c) => {
    const { type, empty } = columnType(rows.map((r) => r[c] ?? ''));
    lines.push(`- ${name}: ${type}${empty > 0 && type !== 'empty' ? ` (${count(empty)} empty)` : ''}`);
  });
  const shown = Math.min(rows.length, SAMPLE_ROWS) + (header ? 1 : 0);
  lines.push('', `The first ${shown - (header ? 1 : 0)} rows${header ? ' after the header' : ''}, as written:`);
  lines.push(text.slice(0, ends[shown - 1] ?? text.length).replace(/^\uFEFF/, ''));
  return {
    text: lines.join('\n'),
    description: `${input.delimiter === '\t' ? 'TSV' : 'CSV'}, ${width} columns, ${rowCount}`,
  };
}
