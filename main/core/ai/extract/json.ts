// JSON and JSON Lines: a structure outline (keys and value types, arrays with their length and the shape of
// their first elements, to a bounded depth) followed by the start of the raw text. A file the slice cut is
// outlined from what parsed (json-partial.ts); text that is no JSON at all is left to the plain-text path.
import { about, count } from './bound';
import { parsePartialJson } from './json-partial';

const MAX_DEPTH = 6;
const MAX_KEYS = 40;
/** Elements of an array whose shapes are merged into one. */
const SHAPE_SAMPLE = 20;
const MAX_OUTLINE_LINES = 400;
/** JSON Lines records read for the outline. */
const MAX_RECORDS = 1000;

export interface JsonInput {
  text: string;
  /** The text stops before the end of the file. */
  cut: boolean;
  bytes: number;
  size: number | undefined;
  /** The name says JSON Lines (.ndjson, .jsonl). */
  lines: boolean;
}

export interface JsonSketch {
  /** The outline; the caller appends the raw start within its bound. */
  outline: string;
  description: string;
  mediaType: string;
}

type Incomplete = WeakSet<object>;

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function plural(n: number, word: string): string {
  return `${count(n)} ${word}${n === 1 ? '' : 's'}`;
}

/** Outline lines for a value, starting on the current line (`lead`) and indenting what is nested. */
function outline(
  value: unknown,
  incomplete: Incomplete,
  depth: number,
  indent: string,
  out: string[],
  lead: string,
): void {
  if (out.length >= MAX_OUTLINE_LINES) return;
  if (Array.isArray(value)) {
    const length = incomplete.has(value)
      ? `at least ${count(value.length)} elements (cut)`
      : plural(value.length, 'element');
    if (value.length === 0) return void out.push(`${lead}array, empty${incomplete.has(value) ? ' (cut)' : ''}`);
    const sample = value.slice(0, SHAPE_SAMPLE);
    const types = typesText(new Set(sample.map(typeName)));
    if (depth >= MAX_DEPTH || (types !== 'object' && types !== 'array')) {
      return void out.push(`${lead}array of ${length}: ${types}`);
    }
    if (types === 'array') {
      out.push(`${lead}array of ${length}, each an array; the first:`);
      return outline(sample[0], incomplete, depth + 1, indent + '  ', out, `${indent}  `);
    }
    out.push(`${lead}array of ${length}, each an object like:`);
    return objectOutline(
      mergeShapes(sample as Array<Record<string, unknown>>),
      incomplete,
      depth + 1,
      indent + '  ',
      out,
      sample.length,
    );
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (depth >= MAX_DEPTH) return void out.push(`${lead}object with ${plural(keys.length, 'key')}`);
    out.push(
      `${lead}object with ${plural(keys.length, 'key')}${incomplete.has(value) ? ' (cut: more may follow)' : ''}:`,
    );
    return objectOutline(mergeShapes([value as Record<string, unknown>]), incomplete, depth + 1, indent + '  ', out, 1);
  }
  out.push(`${lead}${typeName(value)}`);
}

interface Member {
  /** The first value (what a nested object or array is outlined from). */
  value: unknown;
  /** The types of its values across the merged objects. */
  types: Set<string>;
  /** How many of the merged objects have this key. */
  seen: number;
}

/** The union of the objects' keys: each with its first value, the types it takes, and how many objects have it. */
function mergeShapes(objects: Array<Record<string, unknown>>): Map<string, Member> {
  const merged = new Map<string, Member>();
  for (const object of objects) {
    for (const [key, value] of Object.entries(object)) {
      const member = merged.get(key);
      if (member) {
        member.seen++;
        member.types.add(typeName(value));
      } else merged.set(key, { value, types: new Set([typeName(value)]), seen: 1 });
    }
  }
  return merged;
}

/** "number" for integers and fractions alike, "string | null" for a mix. */
function typesText(types: Set<string>): string {
  const names = new Set(types);
  if (names.has('number')) names.delete('integer');
  return [...names].join(' | ');
}

function objectOutline(
  members: Map<string, Member>,
  incomplete: Incomplete,
  depth: number,
  indent: string,
  out: string[],
  of: number,
): void {
  let shown = 0;
  for (const [key, { value, types, seen }] of members) {
    if (shown >= MAX_KEYS || out.length >= MAX_OUTLINE_LINES) {
      out.push(`${indent}… ${plural(members.size - shown, 'more key')}`);
      return;
    }
    shown++;
    const lead = `${indent}${JSON.stringify(key)}${seen < of ? ` (in ${seen} of ${of})` : ''}: `;
    if (types.size > 1) out.push(`${lead}${typesText(types)}`);
    else outline(value, incomplete, depth, indent, out, lead);
  }
}

/** JSON Lines: one value per line. Undefined when the first two lines are not each a JSON value. */
function jsonLines(input: JsonInput): JsonSketch | undefined {
  const lines = input.text.split('\n');
  // The last line of a cut slice is incomplete.
  if (input.cut) lines.pop();
  const records: unknown[] = [];
  let consumed = 0;
  for (const line of lines) {
    consumed += line.length + 1;
    if (line.trim() === '') continue;
    try {
      if (records.length < MAX_RECORDS) records.push(JSON.parse(line));
    } catch {
      if (records.length < 2) return undefined;
      break;
    }
  }
  if (records.length < (input.lines ? 1 : 2)) return undefined;
  const nonEmpty = lines.filter((l) => l.trim() !== '').length;
  let total: string;
  if (!input.cut) total = plural(nonEmpty, 'record');
  else if (input.size === undefined) total = `more than ${plural(nonEmpty, 'record')}`;
  else total = `${about((nonEmpty * input.size) / ((consumed * input.bytes) / input.text.length))} records`;
  const out: string[] = [];
  const objects = records.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r));
  if (objects) {
    out.push(`JSON Lines, ${total}; each record an object like:`);
    objectOutline(
      mergeShapes(records.slice(0, SHAPE_SAMPLE) as Array<Record<string, unknown>>),
      new WeakSet(),
      1,
      '  ',
      out,
      Math.min(records.length, SHAPE_SAMPLE),
    );
  } else {
    out.push(`JSON Lines, ${total}: ${typesText(new Set(records.slice(0, SHAPE_SAMPLE).map(typeName)))}`);
  }
  return { outline: out.join('\n'), description: `JSON Lines, ${total}`, mediaType: 'application/x-ndjson' };
}

/** The outline of a JSON (or JSON Lines) text, or undefined when it is neither. */
export function jsonSketch(input: JsonInput): JsonSketch | undefined {
  if (input.lines) return jsonLines(input);
  let parsed: { value: unknown; incomplete: Incomplete; lastElementEnd: number } | undefined;
  if (!input.cut) {
    try {
      parsed = { value: JSON.parse(input.text), incomplete: new WeakSet(), lastElementEnd: 0 };
    } catch {
      return jsonLines(input);
    }
  } else {
    parsed = parsePartialJson(input.text);
    if (!parsed) return jsonLines(input);
  }
  const { value, incomplete } = parsed;
  const out: string[] = [];
  outline(value, incomplete, 0, '', out, 'JSON: ');
  let description: string;
  if (Array.isArray(value)) {
    const elementType = typesText(new Set(value.slice(0, SHAPE_SAMPLE).map(typeName))) || 'nothing';
    if (!incomplete.has(value)) description = `JSON, array of ${plural(value.length, 'element')} (${elementType})`;
    else if (input.size === undefined || parsed.lastElementEnd === 0)
      description = `JSON, array of more than ${plural(value.length, 'element')} (${elementType})`;
    else {
      // Elements per byte in what was read, over the whole file.
      const bytesPerElement = (parsed.lastElementEnd * input.bytes) / input.text.length / value.length;
      description = `JSON, array of ${about(input.size / bytesPerElement)} elements (${elementType})`;
      out[0] = `${out[0]} — ${about(input.size / bytesPerElement)} in the whole file, estimated`;
    }
  } else if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    description = `JSON, object with ${plural(keys.length, 'key')}${incomplete.has(value) ? ' or more' : ''}`;
  } else description = `JSON, ${typeName(value)}`;
  return { outline: out.join('\n'), description, mediaType: 'application/json' };
}
