// Text files — plain text, code, logs, Markdown, and CSV or JSON shaped into a sketch — from the decoded slice.
import { boundUtf8 } from './bound';
import { decodeText } from './charset';
import { csvSketch, sniffDelimiter } from './csv';
import { jsonSketch } from './json';
import { extensionOf, namedKind } from './kinds';
import type { TextExtraction } from './types';

export interface TextInput {
  bytes: Uint8Array;
  name: string;
  size: number | undefined;
  /** The bytes stop before the end of the file. */
  cut: boolean;
  maxBytes: number;
  bytesRead: number;
  /** A media type the magic bytes gave (application/xml…), over the name's. */
  sniffedType?: string;
}

const KIND_WORDS = { text: 'text', markdown: 'Markdown', log: 'log' } as const;

export function textExtraction(input: TextInput): TextExtraction {
  const { text: decoded, charset } = decodeText(input.bytes, input.cut);
  const named = namedKind(input.name);
  const ext = extensionOf(input.name);
  const base = { bytesRead: input.bytesRead, charset };

  // A sketch (CSV, JSON) comes first in what is sent; the raw start fills what room the bound leaves.
  const sketched = (kind: 'csv' | 'json', mediaType: string, description: string, sketch: string, raw?: string) => {
    const full = raw === undefined ? sketch : `${sketch}\n\nThe file as written (its start):\n${raw}`;
    const bounded = boundUtf8(full, input.maxBytes);
    return { ...base, kind, mediaType, description, text: bounded.text, truncated: input.cut || bounded.cut };
  };

  if (named?.kind === 'json' || (!named && /^\s*[[{]/.test(decoded))) {
    const json = jsonSketch({
      text: decoded,
      cut: input.cut,
      bytes: input.bytes.length,
      size: input.size,
      lines: ext === 'ndjson' || ext === 'jsonl',
    });
    if (json) return sketched('json', json.mediaType, json.description, json.outline, decoded);
  }
  if (named?.kind === 'csv' || !named || named.kind === 'text') {
    const fallback = named?.kind === 'csv' ? (named.mediaType === 'text/csv' ? ',' : '\t') : undefined;
    const delimiter = sniffDelimiter(decoded, fallback);
    const csv = delimiter
      ? csvSketch({ text: decoded, delimiter, cut: input.cut, bytes: input.bytes.length, size: input.size, charset })
      : undefined;
    if (csv) {
      const mediaType =
        named?.kind === 'csv' ? named.mediaType : delimiter === '\t' ? 'text/tab-separated-values' : 'text/csv';
      return sketched('csv', mediaType, csv.description, csv.text);
    }
  }

  const kind = named?.kind === 'code' || named?.kind === 'markdown' || named?.kind === 'log' ? named.kind : 'text';
  const mediaType = input.sniffedType ?? (kind === named?.kind ? named.mediaType : 'text/plain');
  const what = kind === 'code' ? `${named?.language ?? 'source'} code` : KIND_WORDS[kind];
  const bounded = boundUtf8(decoded, input.maxBytes);
  const truncated = input.cut || bounded.cut;
  return {
    ...base,
    kind,
    mediaType,
    description: `${kind === 'text' ? `${charset} text` : `${what}, ${charset}`}${truncated ? ', the start of a longer file' : ''}`,
    text: bounded.text,
    truncated,
  };
}
