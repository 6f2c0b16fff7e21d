// Debian's pyftpdlib (python3-pyftpdlib) as a child process on 127.0.0.1: an FTP server written independently
// of ours and of ftp-srv, with MLSD/MLST, MFMT, MDTM, SIZE, UTF-8 and optional explicit FTPS. It checks the
// provider's RFC 3659 paths against someone else's reading of the RFC (ftp-server.ts's rfc3659 handlers are
// our own). The server script is pyftpdlib-server.py beside this file; it reports every command it receives.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createTestCertificate, type TestCertificate } from './certs';
import { loopbackFtpSpec, type FtpTestServer } from './ftp-spec';

// Debian's interpreter by its path: a `python3` earlier on PATH (pyenv, a virtualenv) lacks Debian's modules.
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./pyftpdlib-server.py', import.meta.url));
const START_TIMEOUT_MS = 10_000;

export interface PyftpdlibOptions {
  /** 'explicit': AUTH TLS required on the control and data connections, with the test certificate. */
  tls?: 'explicit';
  /** Reuse a certificate (default: a fresh self-signed one when tls is set). */
  certificate?: TestCertificate;
}

/** `root` is writable: the user has every permission. */
export interface PyftpdlibHandle extends FtpTestServer {
  password: string;
  /** Every command line received so far, in order (PASS masked). */
  readonly commands: readonly string[];
}

export async function startPyftpdlib(options: PyftpdlibOptions = {}): Promise<PyftpdlibHandle> {
  const root = await mkdtemp(join(tmpdir(), 'ferry-pyftpdlib-'));
  const ownCertificate = options.tls && !options.certificate ? await createTestCertificate() : undefined;
  const certificate = options.certificate ?? ownCertificate;
  const user = 'ferry';
  const password = 'ferry-pyftpdlib-pw';
  const args = [SCRIPT, root, user, ...(certificate ? [certificate.certPath, certificate.keyPath] : [])];
  // Its own process group, so stop() can end the server and anything it started in one signal.
  const child = spawn(PYTHON, args, {
    detached: true,
    // UTF-8 stdout whatever the locale, so the command log carries names as they were sent.
    env: { ...process.env, FERRY_FTP_PASSWORD: password, PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const commands: string[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  let exited = false;
  // 'error' without 'exit' when the interpreter cannot be spawned: then there is no process to wait for.
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  }).then(() => {
    exited = true;
  });
  // The server's stdin stays open while we hold it: it exits by itself should this process die unstopped.
  child.stdin.on('error', () => {});

  const stop = async () => {
    if (!exited) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
      await exit;
    }
    await rm(root, { recursive: true, force: true });
    await ownCertificate?.remove();
  };

  let port: number;
  let timer: NodeJS.Timeout | undefined;
  try {
    port = await new Promise<number>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no LISTENING line within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      child.once('error', reject);
      void exit.then(() => reject(new Error(`exited with ${child.exitCode ?? child.signalCode}`)));
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line.startsWith('CMD ')) commands.push(line.slice(4));
        const listening = /^LISTENING (\d+)$/.exec(line);
        if (listening) resolve(Number(listening[1]));
      });
    });
  } catch (error) {
    await stop();
    const missing = /No module named '(pyftpdlib|OpenSSL)'/.test(stderr) || (error as NodeJS.ErrnoException).code;
    const hint = missing ? ' Install it with: apt-get install -y python3-pyftpdlib python3-openssl' : '';
    throw new Error(`pyftpdlib did not start: ${stderr.trim() || String(error)}.${hint}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }

  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    root,
    certificate,
    spec: loopbackFtpSpec({ port, user, tls: options.tls, certificate }),
    commands,
    stop,
  };
}
