// Whether an FTP server takes "\" as a folder separator. Most servers (vsftpd, proftpd, pure-ftpd, pyftpdlib)
// store it as an ordinary character of a name, as POSIX does; others (ftp-srv, IIS, many servers on Windows)
// turn it into "/", so that "a\b" lands as a/b and "..\x" in the folder above the one FileFerry chose. Asking to
// enter "/\" tells the two apart without changing anything: a server that separates on "\" enters "/", one that
// does not finds no folder of that name. A folder really named "\" at the root would make the answer "yes",
// which only costs refusing names with "\" on that server.
import type { Client } from 'basic-ftp';

export async function backslashSeparates(client: Client): Promise<boolean> {
  // A probe that fails for another reason (the connection dropped) answers "yes": refusing "\" is safe.
  const reply = await client.sendIgnoringError('CWD /\\').catch(() => undefined);
  return reply === undefined || (reply.code >= 200 && reply.code < 300);
}
