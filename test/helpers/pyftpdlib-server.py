"""pyftpdlib (Debian's python3-pyftpdlib) as a test FTP server; started by test/helpers/pyftpdlib.ts.

Arguments: ROOT USER [CERTFILE KEYFILE]. The password comes from the environment (FERRY_FTP_PASSWORD) so it
never shows in `ps`. With a certificate the server speaks explicit FTPS and requires TLS on the control and
data connections, as vsftpd's force_*_ssl settings do in test/helpers/vsftpd.ts.

Protocol with the parent on stdout, one line each:
  LISTENING <port>     once the control socket listens (port 0 lets the kernel pick a free one, no race)
  CMD <command line>   every command received, PASS masked, so tests can see which commands were used
The server exits when its stdin closes, so it never outlives a test process that died without stopping it.
"""

import logging
import os
import sys
import threading

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler, TLS_DTPHandler, TLS_FTPHandler
from pyftpdlib.servers import FTPServer


class HandshakingDTPHandler(TLS_DTPHandler):
    """pyftpdlib 1.5.7 (Debian 12) closes a TLS data connection whose ClientHello arrives before the
    transfer command: DTPHandler.readable() treats any early readable data connection as gone. Clients
    that open and secure the data connection right after PASV/EPSV, then send MLSD/RETR/STOR (basic-ftp,
    curl) therefore get every FTPS transfer reset. Upstream fixed it after 1.5.7 (giampaolo/pyftpdlib#612)
    by keeping the connection readable while the handshake runs; this is that fix, nothing more."""

    def readable(self):
        return self._ssl_accepting or super().readable()


def main():
    root, user = sys.argv[1], sys.argv[2]
    cert = sys.argv[3:5]
    password = os.environ["FERRY_FTP_PASSWORD"]

    authorizer = DummyAuthorizer()
    # e l r a d f m w M T: every permission pyftpdlib has (list, read, append, delete, rename, mkdir,
    # store, chmod, MFMT).
    authorizer.add_user(user, password, root, perm="elradfmwMT")

    base = TLS_FTPHandler if cert else FTPHandler

    class CommandLog(base):
        def pre_process_command(self, line, cmd, arg):
            shown = "PASS ******" if cmd == "PASS" else line
            sys.stdout.write("CMD %s\n" % shown)
            sys.stdout.flush()
            return super().pre_process_command(line, cmd, arg)

    CommandLog.authorizer = authorizer
    # Passive sockets bind to the control connection's local address (127.0.0.1) on a port the kernel
    # picks: no fixed range that could collide with vsftpd or ftp-srv started by tests running alongside.
    CommandLog.passive_ports = None
    CommandLog.banner = "FileFerry test server (pyftpdlib)"
    if cert:
        CommandLog.dtp_handler = HandshakingDTPHandler
        CommandLog.certfile, CommandLog.keyfile = cert
        CommandLog.tls_control_required = True
        CommandLog.tls_data_required = True

    # Warnings and errors only, on stderr: the parent shows them when the server fails to start.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    logging.getLogger("pyftpdlib").setLevel(logging.WARNING)

    server = FTPServer(("127.0.0.1", 0), CommandLog)
    sys.stdout.write("LISTENING %d\n" % server.address[1])
    sys.stdout.flush()

    def exit_with_parent():
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=exit_with_parent, daemon=True).start()
    server.serve_forever(handle_exit=False)


if __name__ == "__main__":
    main()
