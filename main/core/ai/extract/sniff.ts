// What a file is, from its first bytes (file-type's magic numbers) and its name: a document to extract, text
// to decode, or anything else, named for people ("PNG image") with no model call. Magic bytes win over the
// name: a "report.txt" that is a ZIP is a ZIP.
import { fileTypeFromBuffer } from 'file-type';
import { looksBinary } from './charset';
import { extensionOf, type DocumentType } from './kinds';

/** What file-type needs to see (its documented minimum sample). */
export const SNIFF_BYTES = 4100;

export type Sniffed =
  | { family: 'document'; document: DocumentType; mediaType: string }
  | { family: 'text'; mediaType?: string }
  | { family: 'binary'; mediaType: string; description: string; encrypted?: boolean };

export const PDF_TYPE = 'application/pdf';
export const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** Types file-type knows that are text all the same (a model reads them as such). */
const TEXT_TYPES = new Set(['application/xml', 'application/rtf', 'text/calendar', 'text/vcard', 'text/vtt']);

const NAMES: Readonly<Record<string, string>> = {
  zip: 'ZIP archive',
  gz: 'gzip archive',
  bz2: 'bzip2 archive',
  xz: 'xz archive',
  zst: 'Zstandard archive',
  '7z': '7-Zip archive',
  rar: 'RAR archive',
  tar: 'tar archive',
  cab: 'Cabinet archive',
  deb: 'Debian package',
  rpm: 'RPM package',
  jar: 'Java archive',
  apk: 'Android package',
  exe: 'Windows executable',
  elf: 'ELF executable',
  macho: 'Mach-O executable',
  wasm: 'WebAssembly module',
  class: 'Java class file',
  sqlite: 'SQLite database',
  parquet: 'Parquet file',
  xlsx: 'Excel workbook (XLSX)',
  pptx: 'PowerPoint presentation (PPTX)',
  docx: 'Word document (DOCX)',
  cfb: 'Microsoft Office document (old binary format)',
  epub: 'EPUB e-book',
  iso: 'ISO disk image',
  jpg: 'JPEG image',
  ttf: 'TrueType font',
  otf: 'OpenType font',
  woff: 'WOFF font',
  woff2: 'WOFF2 font',
};

function describe(ext: string, mime: string): string {
  const known = NAMES[ext];
  if (known) return known;
  const upper = ext.toUpperCase();
  for (const family of ['image', 'audio', 'video', 'font'] as const) {
    if (mime.startsWith(`${family}/`)) return `${upper} ${family}`;
  }
  return `${upper} file`;
}

function startsWith(bytes: Uint8Array, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (bytes[i] !== text.charCodeAt(i)) return false;
  return true;
}

/** "%PDF-" within the first KiB: readers accept a PDF with a few bytes of junk before its header. */
function pdfHeader(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, 1024)).includes('%PDF-');
}

function hasBom(bytes: Uint8Array): boolean {
  return (
    (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) ||
    (bytes[0] === 0xff && bytes[1] === 0xfe) ||
    (bytes[0] === 0xfe && bytes[1] === 0xff)
  );
}

export async function sniff(head: Uint8Array, name: string): Promise<Sniffed> {
  const ext = extensionOf(name);
  // A byte-order mark is text, whatever a magic number might read into its first bytes.
  if (hasBom(head)) return { family: 'text' };
  const found = await fileTypeFromBuffer(head.subarray(0, SNIFF_BYTES)).catch(() => undefined);
  if (found?.mime === PDF_TYPE || (!found && ext === 'pdf' && pdfHeader(head)))
    return { family: 'document', document: 'pdf', mediaType: PDF_TYPE };
  // file-type names a DOCX by the names of its first ZIP entries; one written in another order reads as a ZIP.
  if (
    found?.ext === 'docx' ||
    (found?.ext === 'zip' && ext === 'docx') ||
    (!found && ext === 'docx' && startsWith(head, 'PK'))
  )
    return { family: 'document', document: 'docx', mediaType: DOCX_TYPE };
  // Word saves a password-protected DOCX inside an OLE compound file.
  if (found?.ext === 'cfb' && ext === 'docx')
    return {
      family: 'binary',
      mediaType: DOCX_TYPE,
      description: 'Word document protected by a password',
      encrypted: true,
    };
  if (found && TEXT_TYPES.has(found.mime)) return { family: 'text', mediaType: found.mime };
  if (found) return { family: 'binary', mediaType: found.mime, description: describe(found.ext, found.mime) };
  if (looksBinary(head))
    return {
      family: 'binary',
      mediaType: 'application/octet-stream',
      description: ext ? `binary file (.${ext})` : 'binary file',
    };
  return { family: 'text' };
}
