// The provider conformance suite against Debian's pyftpdlib (user/password, full permissions), plain and
// explicit FTPS. pyftpdlib has MLSD/MLST and MFMT, so the provider's RFC 3659 paths run against a server
// that is not ours (ftp-srv's MLSD comes from our own test helper).
import { runFtpConformance } from '../conformance/ftp-target';
import { startPyftpdlib, type PyftpdlibOptions } from '../helpers/pyftpdlib';

function pyftpdlibTarget(name: string, options: PyftpdlibOptions) {
  runFtpConformance(name, () => startPyftpdlib(options));
}

pyftpdlibTarget('ftp (pyftpdlib, MLSD/MLST/MFMT)', {});
pyftpdlibTarget('ftps explicit (pyftpdlib, verified certificate)', { tls: 'explicit' });
