// Debian's vsftpd as a child process on 127.0.0.1: anonymous login with a writable /pub, plain or FTPS
// (explicit AUTH TLS or implicit). Needs root (vsftpd drops to the `ftp` user itself) and
// `apt-get install vsftpd`. See shared notes (toolchain.md) for why each setting is there.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, chmod, chown, mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createTestCertificate, type TestCertificate } from './certs';
import { loopbackFtpSpec, type FtpTestServer } from './ftp-spec';

const VSFTPD = '/usr/sbin/vsftpd';

export interface VsftpdOptions {
  tls?: 'explicit' | 'implicit';
  certificate?: TestCertificate;
  /**
   * A drop box, as anonymous upload folders are often set up: uploads are allowed, but renaming and
   * deleting are not (anon_other_write_enable=NO).
   */
  dropBox?: boolean;
  /**
   * With TLS: whether data connections must resume the control connection's TLS session (vsftpd's
   * require_ssl_reuse, on by default). false lets a client do a full handshake on each data connection.
   */
  requireSslReuse?: boolean;
}

/** `root` is the anonymous root (read-only, as vsftpd requires); files go under `${root}/pub`. */
export interface VsftpdHandle extends FtpTestServer {
  user: 'anonymous';
  /** The writable folder as the FTP client sees it. */
  writablePath: '/pub';
}

export async function startVsftpd(options: VsftpdOptions = {}): Promise<VsftpdHandle> {
  try {
    await access(VSFTPD, constants.X_OK);
  } catch {
    throw new Error(`${VSFTPD} is missing: apt-get install vsftpd`);
  }
  if (userInfo().uid !== 0) throw new Error('vsftpd tests must run as root (vsftpd changes to the ftp user itself).');
  const ftpUser = lookupUser('ftp');

  const work = await mkdtemp(join(tmpdir(), 'ferry-vsftpd-'));
  const root = join(work, 'root');
  const empty = join(work, 'empty');
  const ownCertificate = options.tls && !options.certificate ? await createTestCertificate() : undefined;
  const certificate = options.certificate ?? ownCertificate;
  const port = await freePort();
  const pasvMin = 40000 + Math.floor(Math.random() * 240) * 100;

  await mkdir(join(root, 'pub'), { recursive: true });
  await mkdir(empty);
  await chown(join(root, 'pub'), ftpUser.uid, ftpUser.gid);
  // vsftpd refuses a writable chroot root ("500 OOPS: vsftpd: refusing to run with writable root").
  await chmod(root, 0o555);
  await chmod(work, 0o755);

  const settings = [
    'listen=YES',
    'listen_ipv6=NO',
    'listen_address=127.0.0.1',
    `listen_port=${port}`,
    'background=NO',
    'anonymous_enable=YES',
    'no_anon_password=YES',
    `anon_root=${root}`,
    'write_enable=YES',
    'anon_upload_enable=YES',
    'anon_mkdir_write_enable=YES',
    `anon_other_write_enable=${options.dropBox ? 'NO' : 'YES'}`,
    'anon_umask=022',
    'local_enable=NO',
    'pasv_enable=YES',
    'pasv_address=127.0.0.1',
    `pasv_min_port=${pasvMin}`,
    `pasv_max_port=${pasvMin + 99}`,
    `secure_chroot_dir=${empty}`,
    'seccomp_sandbox=NO',
    'xferlog_enable=NO',
    'max_per_ip=20',
  ];
  if (certificate) {
    settings.push(
      'ssl_enable=YES',
      'allow_anon_ssl=YES',
      'force_anon_logins_ssl=YES',
      'force_anon_data_ssl=YES',
      // Debian's default cipher list (DES-CBC3-SHA) is refused by OpenSSL 3.
      'ssl_ciphers=HIGH',
      `rsa_cert_file=${certificate.certPath}`,
      `rsa_private_key_file=${certificate.keyPath}`,
    );
    if (options.tls === 'implicit') settings.push('implicit_ssl=YES');
    if (options.requireSslReuse === false) settings.push('require_ssl_reuse=NO');
  }
  const configPath = join(work, 'vsftpd.conf');
  await writeFile(configPath, settings.join('\n') + '\n');

  // vsftpd writes its "500 OOPS" start-up errors to fd 0 and otherwise exits silently.
  const errorPath = join(work, 'errors.txt');
  const errorFile = await open(errorPath, 'w+');
  const child: ChildProcess = spawn(VSFTPD, [configPath], { stdio: [errorFile.fd, 'ignore', 'ignore'] });
  await errorFile.close();
  let exited = false;
  child.on('exit', () => (exited = true));

  const cleanup = async () => {
    if (!exited) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    }
    await chmod(root, 0o755).catch(() => {});
    await rm(work, { recursive: true, force: true });
    await ownCertificate?.remove();
  };

  try {
    await waitForListener(port, () => exited, 5000);
  } catch (error) {
    const oops = await readFile(errorPath, 'utf8').catch(() => '');
    await cleanup();
    throw new Error(`vsftpd did not start: ${oops.trim() || String(error)}`, { cause: error });
  }

  return {
    host: '127.0.0.1',
    port,
    user: 'anonymous',
    root,
    writablePath: '/pub',
    certificate,
    spec: loopbackFtpSpec({ port, user: 'anonymous', tls: options.tls, certificate }),
    stop: cleanup,
  };
}

function lookupUser(name: string): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch (error) {
    throw new Error(`The "${name}" user is missing (it comes with vsftpd): apt-get install vsftpd`, { cause: error });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForListener(port: number, exited: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error('vsftpd exited');
    const connected = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (connected) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listened on port ${port} within ${timeoutMs} ms`);
}
