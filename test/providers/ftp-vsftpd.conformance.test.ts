// The provider conformance suite against Debian's vsftpd (anonymous, writable /pub), plain and explicit FTPS.
import { createLogger } from '../../main/core/log/logger';
import { openFtpProvider } from '../../main/core/providers/ftp';
import { ftpSpecSchema } from '../../shared/connection';
import { runConformance } from '../conformance/suite';
import { startVsftpd, type VsftpdOptions } from '../helpers/vsftpd';

function vsftpdTarget(name: string, options: VsftpdOptions, bigFileMiB: number) {
  runConformance({
    name,
    bigFileMiB,
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

vsftpdTarget('ftp (vsftpd)', {}, 64);
vsftpdTarget('ftps explicit (vsftpd, verified certificate)', { tls: 'explicit' }, 16);
