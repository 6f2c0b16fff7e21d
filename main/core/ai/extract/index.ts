// Extraction: a file on any provider turned into what a summary needs — bounded text shaped for the model, or
// only what the file is. Reads go through SliceReader, which never asks for a byte past the bound in force:
//   - text (plain, code, logs, Markdown, CSV, JSON): at most maxBytes from the start;
//   - PDF and DOCX: the whole file, only when it is at most documentMaxBytes (else a metadata answer);
//   - anything else (archives, media, executables, binary data): the first SNIFF_BYTES, to name its type.
// The name plans the first read (a ".png" asks for SNIFF_BYTES only); the magic bytes decide what the file is,
// and a read planned too short for that is continued from where it stopped.
import type { CancelSignal, Entry, Provider } from '../../../../shared/provider';
import { throwIfAborted } from '../../util/abort';
import { formatBytes } from '../../../../shared/text';
import { boundUtf8 } from './bound';
import { docxText } from './docx';
import { namedBinary, namedDocument } from './kinds';
import { pdfText, type DocumentText } from './pdf';
import { SliceReader } from './read-slice';
import { DOCX_TYPE, PDF_TYPE, sniff, SNIFF_BYTES } from './sniff';
import { textExtraction } from './text';
import type { Extraction, ExtractLimits, MetadataExtraction } from './types';

export type { Extraction, ExtractLimits, MetadataExtraction, TextExtraction, TextKind } from './types';

function metadata(
  mediaType: string,
  description: string,
  bytesRead: number,
  reason: MetadataExtraction['reason'],
): MetadataExtraction {
  return { kind: 'metadata', mediaType, description, bytesRead, ...(reason ? { reason } : {}) };
}

/** How much the first read asks for, from what the name and size say. */
function plan(entry: Entry, limits: ExtractLimits): number {
  const document = namedDocument(entry.name);
  if (document) {
    if (entry.size !== undefined && entry.size > limits.documentMaxBytes) return SNIFF_BYTES;
    // Size unknown: one byte over the cap tells a document that is too large.
    return entry.size ?? limits.documentMaxBytes + 1;
  }
  if (namedBinary(entry.name)) return SNIFF_BYTES;
  return limits.maxBytes;
}

/**
 * Extracts what a summary of `entry` (a file's stat, as list() or stat() gave it) needs, reading it through
 * `provider`. Provider errors (NotFound, AuthFailed, Network…) propagate as the FerryErrors they are; a
 * document that cannot be parsed is a metadata answer, never an error. `signal` cancels the read (Cancelled).
 */
export async function extractFile(
  provider: Provider,
  entry: Entry,
  limits: ExtractLimits,
  signal?: CancelSignal,
): Promise<Extraction> {
  throwIfAborted(signal, 'Reading the file');
  if (entry.type === 'folder') return metadata('inode/directory', 'folder', 0, 'folder');
  if (entry.size === 0) return metadata('application/octet-stream', 'empty file', 0, 'empty');
  const maxBytes = Math.max(1, Math.floor(limits.maxBytes));
  const slice = new SliceReader(provider, entry.path, entry.size, plan(entry, { ...limits, maxBytes }), signal);
  try {
    await slice.readTo(Math.min(SNIFF_BYTES, maxBytes));
    if (slice.length === 0) return metadata('application/octet-stream', 'empty file', slice.delivered, 'empty');
    const sniffed = await sniff(slice.bytes(), entry.name);

    if (sniffed.family === 'binary') {
      return metadata(
        sniffed.mediaType,
        sniffed.description,
        slice.delivered,
        sniffed.encrypted ? 'unreadable' : 'binary',
      );
    }
    if (sniffed.family === 'document') {
      const what = sniffed.document === 'pdf' ? 'PDF' : 'Word document (DOCX)';
      const tooLarge = () =>
        metadata(
          sniffed.mediaType,
          `${what} larger than the ${formatBytes(limits.documentMaxBytes)} limit for reading documents`,
          slice.delivered,
          'too-large',
        );
      if (entry.size !== undefined && entry.size > limits.documentMaxBytes) return tooLarge();
      await slice.readTo(limits.documentMaxBytes + 1);
      if (slice.length > limits.documentMaxBytes) return tooLarge();
      await slice.close();
      const data = slice.bytes();
      const result: DocumentText =
        sniffed.document === 'pdf' ? await pdfText(data, maxBytes, signal) : await docxText(data);
      throwIfAborted(signal, 'Reading the file');
      if (!result.ok) return metadata(sniffed.mediaType, result.reason, slice.delivered, 'unreadable');
      if (result.text.trim() === '') {
        const scanned = sniffed.document === 'pdf' ? ' (scanned pages, perhaps)' : '';
        return metadata(sniffed.mediaType, `${what} with no text to read${scanned}`, slice.delivered, 'unreadable');
      }
      const bounded = boundUtf8(result.text, maxBytes);
      const pages = result.pages === undefined ? '' : `, ${result.pages} page${result.pages === 1 ? '' : 's'}`;
      return {
        kind: sniffed.document,
        mediaType: sniffed.document === 'pdf' ? PDF_TYPE : DOCX_TYPE,
        description: `${what}${pages}`,
        text: bounded.text,
        bytesRead: slice.delivered,
        truncated: result.cut || bounded.cut,
      };
    }

    await slice.readTo(maxBytes);
    await slice.close();
    return textExtraction({
      bytes: slice.bytes(),
      name: entry.name,
      size: entry.size,
      cut: !slice.complete,
      maxBytes,
      bytesRead: slice.delivered,
      ...(sniffed.mediaType ? { sniffedType: sniffed.mediaType } : {}),
    });
  } finally {
    await slice.close();
  }
}
