// The conformance suite against one FTP server: the FTP test files (ftp-srv, vsftpd, pyftpdlib) differ only
// in how they start theirs.
import { createLogger } from '../../main/core/log/logger';
import { openFtpProvider } from '../../main/core/providers/ftp';
import { ftpSpecSchema } from '../../shared/connection';
import type { FtpTestServer } from '../helpers/ftp-spec';
import { runConformance } from './suite';

export interface StartedFtpServer extends FtpTestServer {
  /** undefined: an anonymous login. */
  password?: string;
  /** A writable, empty folder for the suite (default "/"). */
  writablePath?: string;
}

/** Every run uses the suite's default big file (64 MiB): TLS must carry the same sizes as plain FTP. */
export function runFtpConformance(name: string, start: () => Promise<StartedFtpServer>): void {
  runConformance({
    name,
    async setup() {
      const server = await start();
      const provider = await openFtpProvider(ftpSpecSchema.parse(server.spec()), {
        secrets: async (field) => (field === 'password' ? server.password : undefined),
        log: createLogger({ test: name }),
      });
      return {
        provider,
        root: server.writablePath ?? '/',
        async stop() {
          await provider.close();
          await server.stop();
        },
      };
    },
  });
}
