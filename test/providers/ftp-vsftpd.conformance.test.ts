// The provider conformance suite against Debian's vsftpd (anonymous, writable /pub), plain and explicit FTPS.
import { createLogger } from '../../main/core/log/logger';
import { openFtpProvider } from '../../main/core/providers/ftp';
import { ftpSpecSchema } from '../../shared/connection';
import { runConformance } from '../conformance/suite';
import { startVsftpd, type VsftpdOptions } from '../helpers/vsftpd';

function vsftpdTarget(name: string, options: VsftpdOptions) {
  // Every run uses the suite's default big file (64 MiB): TLS must carry the same sizes as plain FTP.
  runConformance({
    name,
    async setup() {
      const server = await startVsftpd(options);
      const provider = await openFtpProvider(ftpSpecSchema.parse(server.spec()), {
        secrets: async () => undefined,
        log: createLogger({ test: name }),
      });
      return {
        provider,
        root: server.writablePath,
        async stop() {
          await provider.close();
          await server.stop();
        },
      };
    },
  });
}

vsftpdTarget('ftp (vsftpd)', {});
vsftpdTarget('ftps explicit (vsftpd, verified certificate)', { tls: 'explicit' });
