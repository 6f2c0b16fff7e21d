// What extraction hands the summarizer: either text to send (already bounded and shaped for the model), or
// only what the file is, for types no model call would help (archives, media, binaries).

export type TextKind = 'text' | 'code' | 'markdown' | 'log' | 'csv' | 'json' | 'pdf' | 'docx';

export interface ExtractLimits {
  /** Bytes read from the start of a text-like file (the summaries settings: 256 KiB unless changed). */
  maxBytes: number;
  /** PDF and DOCX are read whole, so only up to this size; a larger one gets a metadata-only answer. */
  documentMaxBytes: number;
}

export interface TextExtraction {
  kind: TextKind;
  /** MIME type, from magic bytes or the name (text/csv, application/pdf…). */
  mediaType: string;
  /** One line for people: "UTF-8 text", "CSV, 12 columns, about 40,000 rows", "PDF, 3 pages". */
  description: string;
  /** What goes to the model: the content, or for CSV/JSON a sketch of it; never more than maxBytes of text. */
  text: string;
  /** Bytes read from the provider. */
  bytesRead: number;
  /** Whether the file holds more than was read or sent. */
  truncated: boolean;
  /** The detected charset of a text file (UTF-8, windows-1252, UTF-16LE…). */
  charset?: string;
}

export interface MetadataExtraction {
  kind: 'metadata';
  mediaType: string;
  /** What the file is, for people: "ZIP archive", "PNG image", "PDF larger than the 10 MiB limit". */
  description: string;
  bytesRead: number;
  /**
   * Why no text is offered: 'empty' (zero bytes), 'binary' (archives, media, executables, other binary data),
   * 'too-large' (a PDF or DOCX over documentMaxBytes), 'unreadable' (a damaged or password-protected
   * document, or one with no text in it), 'folder'.
   */
  reason?: 'empty' | 'binary' | 'too-large' | 'unreadable' | 'folder';
}

export type Extraction = TextExtraction | MetadataExtraction;
