// The provider conformance suite against ftp-srv (in-process): plain FTP with LIST, explicit FTPS with
// certificate verification on (the test certificate trusted through caPem), and implicit FTPS with the
// helper's MLSD/MLST/MFMT so the provider's RFC 3659 paths run too.
import { runFtpConformance } from '../conformance/ftp-target';
import { startFtpServer, type FtpServerOptions } from '../helpers/ftp-server';

function ftpSrvTarget(name: string, options: FtpServerOptions) {
  runFtpConformance(name, () => startFtpServer(options));
}

ftpSrvTarget('ftp (ftp-srv, LIST)', {});
ftpSrvTarget('ftps explicit (ftp-srv, verified certificate)', { tls: 'explicit' });
ftpSrvTarget('ftps implicit (ftp-srv with MLSD/MLST/MFMT)', { tls: 'implicit', rfc3659: true });
