// A folder listing read page by page as its data connection delivers it. basic-ftp's client.list() buffers
// the whole LIST/MLSD reply into one string and parses it at the end: a 100,000-entry folder showed nothing
// for over a second, and held the listing two or three times over in memory. Here the data connection is
// opened and the command sent as client.list() does (the session's passive mode, its TLS checks, basic-ftp's
// downloadTo with its timeouts), but the bytes go to a stream that cuts them into lines (list-lines.ts),
// parses each with basic-ftp's own parsers (list-parser.ts) and hands out pages of Entries (toEntries).
//
// Backpressure: with PAGES_AHEAD pages waiting for the consumer, the stream stops taking bytes, so the data
// socket pauses (basic-ftp's watchdog then knows the wait is ours, and so does the operation deadline, which
// is paused too). Memory is bounded by those pages and a socket read, whatever the size of the folder —
// unless drain() lifts the bound, because someone needs the connection more than the listing needs to wait.
import { Writable } from 'node:stream';
import { FTPError, type Client } from 'basic-ftp';
import { downloadTo, type TransferConfig } from 'basic-ftp/dist/transfer.js';
import type { NameRules } from '../../../../shared/paths';
import type { Entry, ListOptions } from '../../../../shared/provider';
import type { Logger } from '../../log/logger';
import type { OperationDeadline } from './deadline';
import { ListingLines } from './list-lines';
import { ListingParser } from './list-parser';
import { toEntries } from './listing';

/** Full pages parsed ahead of the consumer before the data connection pauses. */
const PAGES_AHEAD = 2;

/** Encodings in which the LF byte only ever means LF, so lines can be cut from the bytes (list-lines.ts). */
const BYTE_SPLITTABLE = new Set(['utf8', 'utf-8', 'ascii', 'latin1', 'binary']);

export interface ListingStreamOptions extends Pick<ListOptions, 'onSkipped'> {
  /** The folder listed (the session's working folder): the entries' paths are in it. */
  folder: string;
  /** host:port, for errors. */
  site: string;
  /** Entries per page; the last page may have fewer. */
  pageSize: number;
  log: Logger;
  rules: NameRules | undefined;
  /** The operation's deadline: paused while the consumer holds the listing up, stopped once it is complete. */
  deadline: OperationDeadline;
  /** Called once the listing is complete (see `complete`), whatever pages the consumer has still to take. */
  onComplete?: () => void;
}

export class ListingStream {
  private readonly lines: ListingLines;
  private readonly parser: ListingParser;
  private ready: Entry[][] = [];
  private building: Entry[] = [];
  private pagesMade = 0;
  /** The callback of the data the stream took last, kept while the consumer is behind (backpressure). */
  private held: (() => void) | undefined;
  /** Set by drain(): no more backpressure. */
  private draining = false;
  private confirmed = false;
  private failure: { error: unknown } | undefined;
  private wake: (() => void) | undefined;

  /**
   * Sends the listing command on `client`, which must be in the folder (CWD) with no other command running,
   * and starts reading. The session must not be used for anything else until `complete`, or closed.
   */
  static start(client: Client, options: ListingStreamOptions): ListingStream {
    const stream = new ListingStream(client, options);
    stream.request().then(
      () => stream.confirm(),
      (error: unknown) => stream.fail(error),
    );
    return stream;
  }

  private constructor(
    private readonly client: Client,
    private readonly options: ListingStreamOptions,
  ) {
    const encoding = client.ftp.encoding ?? 'utf8';
    if (!BYTE_SPLITTABLE.has(encoding)) throw new Error(`Listings cannot be read in the ${encoding} encoding.`);
    const describe = { site: options.site, folder: options.folder };
    this.parser = new ListingParser(options.pageSize, describe);
    this.lines = new ListingLines(encoding as BufferEncoding, describe, (line) => this.parser.add(line));
  }

  /** The server confirmed the listing (226) after all of it arrived: the session is free for other commands. */
  get complete(): boolean {
    return this.confirmed;
  }

  /** The next page, in listing order; undefined after the last. Rejects with what ended the listing. */
  async next(): Promise<Entry[] | undefined> {
    for (;;) {
      if (this.failure) throw this.failure.error;
      const page = this.ready.shift();
      if (page) {
        if (this.ready.length < PAGES_AHEAD) this.release();
        return page;
      }
      if (this.confirmed) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /**
   * Reads the rest of the listing as fast as the server sends it, keeping every page in memory until the
   * consumer takes it: for when the connection is wanted elsewhere (it is free once the listing is complete).
   */
  drain(): void {
    this.draining = true;
    this.release();
  }

  /** As client.list(): the first listing command the server accepts is the one used from then on. */
  private async request(): Promise<void> {
    const { client } = this;
    const tracker = (client as unknown as { _progressTracker: TransferConfig['tracker'] })._progressTracker;
    let refused: FTPError | undefined;
    for (const command of client.availableListCommands) {
      await client.prepareTransfer(client.ftp);
      try {
        await downloadTo(this.sink(), { ftp: client.ftp, tracker, command, remotePath: '', type: 'list' });
        client.availableListCommands = [command];
        return;
      } catch (error) {
        // Another command is worth a try only while nothing of this one's listing has been read.
        if (!(error instanceof FTPError) || this.lines.bytes > 0) throw error;
        refused = error;
      }
    }
    throw refused ?? new Error('The FTP session has no listing command to send.');
  }

  /** Where one listing command's data connection is piped (a fresh one per command: a failed pipe ends it). */
  private sink(): Writable {
    // Held callbacks are safe with basic-ftp's watchdog even after the socket's end: pipeline() unpipes an
    // ended socket, which pauses it, and a paused socket counts as waiting for us.
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => this.receive(chunk, callback),
      final: (callback) => this.finish(callback),
    });
  }

  private receive(chunk: Buffer, callback: (error?: Error | null) => void): void {
    try {
      this.lines.push(chunk);
      this.collect();
    } catch (error) {
      callback(error as Error);
      return;
    }
    if (this.ready.length >= PAGES_AHEAD && !this.draining) {
      this.held = callback;
      this.options.deadline.pause();
    } else callback();
    this.notify();
  }

  /** The data connection ended: its last line, and the check of how the listing was parsed. */
  private finish(callback: (error?: Error | null) => void): void {
    try {
      this.lines.end();
      this.parser.end();
      this.collect();
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback();
  }

  private collect(): void {
    const infos = this.parser.take();
    if (infos.length === 0) return;
    const { folder, log, rules, pageSize } = this.options;
    for (const entry of toEntries(infos, folder, log, rules, this.options)) {
      this.building.push(entry);
      if (this.building.length < pageSize) continue;
      this.ready.push(this.building);
      this.building = [];
      this.pagesMade += 1;
    }
  }

  private release(): void {
    const callback = this.held;
    if (!callback) return;
    this.held = undefined;
    this.options.deadline.resume();
    callback();
  }

  private confirm(): void {
    // The server has done its part; the consumer may take as long as it likes over the last pages.
    this.options.deadline.stop();
    // An empty folder still gives one (empty) page, as every provider's list() does.
    if (this.building.length > 0 || this.pagesMade === 0) this.ready.push(this.building);
    this.building = [];
    this.confirmed = true;
    this.options.onComplete?.();
    this.notify();
  }

  private fail(error: unknown): void {
    this.failure = { error };
    this.ready = [];
    this.building = [];
    this.held = undefined;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
