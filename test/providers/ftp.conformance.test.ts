// The provider conformance suite against ftp-srv (in-process): plain FTP with LIST, explicit FTPS with
// certificate verification on (the test certificate trusted through caPem), and implicit FTPS with the
// helper's MLSD/MLST/MFMT so the provider's RFC 3659 paths run too.
import { createLogger } from '../../main/core/log/logger';
import { openFtpProvider } from '../../main/core/providers/ftp';
import { ftpSpecSchema } from '../../shared/connection';
import { runConformance } from '../conformance/suite';
import { startFtpServer, type FtpServerOptions } from '../helpers/ftp-server';

function ftpSrvTarget(name: string, options: FtpServerOptions) {
  // Every run uses the suite's default big file (64 MiB): TLS must carry the same sizes as plain FTP.
  runConformance({
    name,
    async setup() {
      const server = await startFtpServer(options);
      const provider = await openFtpProvider(ftpSpecSchema.parse(server.spec()), {
        secrets: async (field) => (field === 'password' ? server.password : undefined),
        log: createLogger({ test: name }),
      });
      return {
        provider,
        root: '/',
        async stop() {
          await provider.close();
          await server.stop();
        },
      };
    },
  });
}

ftpSrvTarget('ftp (ftp-srv, LIST)', {});
ftpSrvTarget('ftps explicit (ftp-srv, verified certificate)', { tls: 'explicit' });
ftpSrvTarget('ftps implicit (ftp-srv with MLSD/MLST/MFMT)', { tls: 'implicit', rfc3659: true });
