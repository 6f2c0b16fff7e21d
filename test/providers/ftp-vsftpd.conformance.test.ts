// The provider conformance suite against Debian's vsftpd (anonymous, writable /pub), plain and explicit FTPS.
import { runFtpConformance } from '../conformance/ftp-target';
import { startVsftpd, type VsftpdOptions } from '../helpers/vsftpd';

function vsftpdTarget(name: string, options: VsftpdOptions) {
  runFtpConformance(name, () => startVsftpd(options));
}

vsftpdTarget('ftp (vsftpd)', {});
vsftpdTarget('ftps explicit (vsftpd, verified certificate)', { tls: 'explicit' });
