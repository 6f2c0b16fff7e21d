// A bound on the size of one reply on the control connection. basic-ftp (6.2) caps only an unfinished
// multi-line reply (64 KiB): text after "220 " without a line break already counts as a whole reply, and
// lines that are no reply at all are dropped without being counted. A server that sends "220 " and then
// bytes without end therefore kept a command waiting forever — every byte restarts the idle timeout — while
// FileFerry read tens of gigabytes a minute. curl gives up on such a server within a few KiB; so do we.
import type { Client } from 'basic-ftp';
import { FerryError } from '../../../../shared/errors';

/**
 * Characters one reply may take, from the end of the previous one. The longest reply FileFerry asks for
 * is an MLST of a deep path (~4 KiB for a 4,096-byte path); FEAT lists run to about 1 KiB.
 */
export const MAX_REPLY_CHARS = 16 * 1024;

/** The parts of basic-ftp's FTPContext this wraps (basic-ftp is pinned to an exact version). */
interface ControlParser {
  _onControlSocketData(chunk: string): void;
  _passToHandler(response: unknown): void;
  closeWithError(error: Error): void;
}

/**
 * Closes the connection with a Protocol error naming `site` once the server has sent more than
 * MAX_REPLY_CHARS without completing a reply. The command waiting for it fails with that error.
 */
export function boundControlReplies(client: Client, site: string): void {
  const context = client.ftp as unknown as ControlParser;
  const parse = context._onControlSocketData.bind(context);
  const pass = context._passToHandler.bind(context);
  let replied = false;
  /** Received since the last complete reply. */
  let pending = 0;
  context._passToHandler = (response) => {
    replied = true;
    pass(response);
  };
  context._onControlSocketData = (chunk) => {
    if (pending + chunk.length > MAX_REPLY_CHARS) {
      context.closeWithError(
        new FerryError(
          'Protocol',
          `The FTP server ${site} sent more than ${MAX_REPLY_CHARS / 1024} KiB without completing a reply, which ` +
            'no working FTP server does, so FileFerry closed the connection. Check that the address and port ' +
            "are an FTP server's; if they are, the server is faulty or hostile.",
          { details: { site } },
        ),
      );
      return;
    }
    replied = false;
    parse(chunk);
    // After a complete reply only the text after its last line break can belong to the next one.
    pending = replied ? chunk.length - (chunk.lastIndexOf('\n') + 1) : pending + chunk.length;
  };
}
