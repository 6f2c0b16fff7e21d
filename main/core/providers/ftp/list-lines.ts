// Splits the bytes of a listing's data connection into lines as they arrive, giving each line the text
// basic-ftp's buffered path gives it (Client._requestListWithCommand: the whole reply decoded at once, then
// split on /\r?\n/). Decoding line by line is the same as decoding the whole: in UTF-8 and the single-byte
// encodings the LF byte is never part of another character, and a decoder replaces an incomplete or invalid
// sequence before an ASCII byte the same way wherever the text is cut there.
//
// Why lines are cut from the bytes and not from a decoded stream: each line becomes one short string of its
// own, with no listing-sized string behind it (a slice of a split keeps its whole source alive).
import { FerryError } from '../../../../shared/errors';

const LF = 0x0a;
const CR = 0x0d;

/**
 * The longest line FileFerry reads: a listing line is a name (255 bytes on common file systems), a link's
 * target (4,096 at most) and some fields. A longer one is a faulty or hostile server's, and unbounded it would
 * hold any amount of memory.
 */
export const MAX_LINE_BYTES = 64 * 1024;

/**
 * The most a listing may send in all: basic-ftp's own bound on a buffered listing (maxListingBytes), kept so
 * that a server that sends entries without end cannot fill the memory of whoever keeps them (a pane, `ls`).
 */
export const MAX_LISTING_BYTES = 40 * 1024 * 1024;

export class ListingLines {
  /** The start of a line whose end has not arrived yet, in the pieces it came in. */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private received = 0;

  constructor(
    private readonly encoding: BufferEncoding,
    /** Names the server and the folder in errors. */
    private readonly describe: { site: string; folder: string },
    private readonly onLine: (line: string) => void,
  ) {}

  /** Bytes received so far. */
  get bytes(): number {
    return this.received;
  }

  /** Takes the next bytes; calls onLine for each line they complete. Throws a Protocol FerryError past a bound. */
  push(chunk: Buffer): void {
    this.received += chunk.byteLength;
    if (this.received > MAX_LISTING_BYTES) throw this.tooLarge();
    let start = 0;
    for (let end = chunk.indexOf(LF); end >= 0; end = chunk.indexOf(LF, start)) {
      if (this.partialBytes > 0) this.completePartial(chunk.subarray(0, end));
      else this.line(chunk, start, end);
      start = end + 1;
    }
    if (start < chunk.byteLength) {
      this.partialBytes += chunk.byteLength - start;
      if (this.partialBytes > MAX_LINE_BYTES) throw this.tooLong();
      this.partial.push(start === 0 ? chunk : chunk.subarray(start));
    }
  }

  /** The listing ended: its last line may have come without a line break (kept as sent, "\r" and all). */
  end(): void {
    if (this.partialBytes === 0) return;
    const rest = Buffer.concat(this.partial, this.partialBytes);
    this.partial = [];
    this.partialBytes = 0;
    this.onLine(rest.toString(this.encoding));
  }

  private completePartial(head: Buffer): void {
    if (this.partialBytes + head.byteLength > MAX_LINE_BYTES) throw this.tooLong();
    this.partial.push(head);
    const line = Buffer.concat(this.partial, this.partialBytes + head.byteLength);
    this.partial = [];
    this.partialBytes = 0;
    this.line(line, 0, line.byteLength);
  }

  /** The line in bytes [start, end) of `buffer`, where `end` is its LF; one CR before the LF is no part of it. */
  private line(buffer: Buffer, start: number, end: number): void {
    if (end - start > MAX_LINE_BYTES) throw this.tooLong();
    const last = end > start && buffer[end - 1] === CR ? end - 1 : end;
    this.onLine(buffer.toString(this.encoding, start, last));
  }

  private tooLong(): FerryError {
    const { site, folder } = this.describe;
    return new FerryError(
      'Protocol',
      `The FTP server ${site} sent a line longer than ${MAX_LINE_BYTES / 1024} KiB in the listing of ${folder}, ` +
        'which no file name needs, so FileFerry stopped reading it. The server is faulty or hostile.',
      { details: { site } },
    );
  }

  private tooLarge(): FerryError {
    const { site, folder } = this.describe;
    return new FerryError(
      'Protocol',
      `The listing of ${folder} on ${site} is larger than ${MAX_LISTING_BYTES / 1024 / 1024} MiB, the most ` +
        'FileFerry reads for one folder. Split the folder into smaller ones, or list it with another client.',
      { details: { site } },
    );
  }
}
