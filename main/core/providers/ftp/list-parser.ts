// basic-ftp's parseList (dist/parseList.js), made to work on a listing as its lines arrive. The buffered
// parseList drops blank lines and "total …" lines, picks ONE parser (DOS, Unix, then MLSD: the first whose
// testLine accepts the listing's LAST line), parses every line with it, dropping the lines it cannot read, and
// ends with that parser's transformList. Its parsers are used here as they are, so every FileInfo is the one
// the buffered path makes.
//
// The last line is known only at the end, and a long listing must go out before that. So lines are held until
// there are `commitAfter` of them, and the parser is then chosen as parseList would choose it were the
// listing to end at the newest line a parser accepts; every later line is parsed with it as it comes. At the
// end the choice is checked against the real last line. A server sends its listing in one format, so the two
// agree; where they do not (lines in two formats, or a last line in none) the buffered path used a parser that
// misreads the rest, or failed: this fails too, with an error saying why. A listing of fewer lines is parsed
// at its end, exactly as parseList does.
//
// transformList runs on each batch of lines instead of the whole listing: for Unix and DOS it returns its
// input; MLSD's drops names holding "/" (per entry) and fills in FileInfo.link of a symlink from another entry
// with the same "unique" fact, which FileFerry neither asks for (OPTS MLST) nor reads (toEntry).
import type { FileInfo } from 'basic-ftp';
import * as dosParser from 'basic-ftp/dist/parseListDOS.js';
import * as mlsdParser from 'basic-ftp/dist/parseListMLSD.js';
import * as unixParser from 'basic-ftp/dist/parseListUnix.js';
import { FerryError } from '../../../../shared/errors';
import { serverText } from '../../../../shared/text';

interface LineParser {
  testLine(line: string): boolean;
  parseLine(line: string): FileInfo | undefined;
  transformList(files: FileInfo[]): FileInfo[];
}

/** parseList's candidates, in its order ("Keep MLSD last, may accept filename only"). */
const PARSERS: readonly LineParser[] = [dosParser, unixParser, mlsdParser];

function parserFor(line: string): LineParser | undefined {
  return PARSERS.find((parser) => parser.testLine(line));
}

/** parseList's filters (isNotBlank, isNotMeta), which basic-ftp does not export. */
function isListed(line: string): boolean {
  return line.trim() !== '' && !line.startsWith('total');
}

export class ListingParser {
  private parser: LineParser | undefined;
  private held: string[] = [];
  private lastLine: string | undefined;
  private parsed: FileInfo[] = [];

  constructor(
    /** Lines held before the parser is chosen: a page's worth, so the first page waits for no more. */
    private readonly commitAfter: number,
    /** Names the server and the folder in errors. */
    private readonly describe: { site: string; folder: string },
  ) {}

  /** One line of the listing, as ListingLines gives it. */
  add(line: string): void {
    if (!isListed(line)) return;
    this.lastLine = line;
    if (this.parser) {
      this.parse(this.parser, line);
      return;
    }
    this.held.push(line);
    if (this.held.length < this.commitAfter) return;
    const parser = parserFor(line);
    if (parser) this.commit(parser);
  }

  /** The listing ended. Throws a Protocol FerryError where parseList would have failed or read it otherwise. */
  end(): void {
    if (this.lastLine === undefined) return;
    const parser = parserFor(this.lastLine);
    if (!this.parser && parser) this.commit(parser);
    if (parser && parser === this.parser) return;
    const { site, folder } = this.describe;
    const shown = serverText(this.lastLine, 120) ?? '';
    throw new FerryError(
      'Protocol',
      parser
        ? `The FTP server ${site} sent the listing of ${folder} in more than one format (its last line, "${shown}", ` +
            'reads differently from those before it), so FileFerry cannot tell its entries apart. The server is faulty.'
        : `The FTP server ${site} sent the listing of ${folder} in a format FileFerry cannot read (its last line: ` +
            `"${shown}"). FileFerry reads MLSD, Unix-style and DOS-style listings.`,
      { details: { site } },
    );
  }

  /** The entries parsed since the last call, in listing order. */
  take(): FileInfo[] {
    if (!this.parser || this.parsed.length === 0) return [];
    const batch = this.parsed;
    this.parsed = [];
    return this.parser.transformList(batch);
  }

  private commit(parser: LineParser): void {
    this.parser = parser;
    for (const line of this.held) this.parse(parser, line);
    this.held = [];
  }

  private parse(parser: LineParser, line: string): void {
    const info = parser.parseLine(line);
    if (info !== undefined) this.parsed.push(info);
  }
}
