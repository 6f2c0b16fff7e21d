// Azurite (the Azure Storage emulator) on loopback, started as a child node process so the PID we hold is the
// server's. In-memory by default; the well-known development account and key are Azurite's own.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteServer {
  port: number;
  /** The server's process (for the benchmarks' server-load figures). */
  pid: number;
  account: string;
  accountKey: string;
  /** Blob service URL, path-style: http://127.0.0.1:PORT/devstoreaccount1 */
  endpoint: string;
  connectionString: string;
  stop(): Promise<void>;
}

export function azuriteConnectionString(endpoint: string): string {
  const protocol = endpoint.startsWith('https:') ? 'https' : 'http';
  return `DefaultEndpointsProtocol=${protocol};AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${endpoint};`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Azurite exited with code ${child.exitCode}: ${output()}`);
    const open = await new Promise<boolean>((resolveOpen) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolveOpen(true);
      });
      socket.on('error', () => resolveOpen(false));
    });
    if (open) return;
    await delay(100);
  }
  throw new Error(`Azurite did not start listening on 127.0.0.1:${port} within 30 s: ${output()}`);
}

export interface AzuriteOptions {
  /** Keep data on disk in the temporary folder instead of in memory. */
  persistent?: boolean;
  /** Serve HTTPS with this certificate (PEM files), e.g. from test/helpers/certs.ts. */
  https?: { certPath: string; keyPath: string };
  /** Accept Entra ID bearer tokens (Azurite's "basic" OAuth: claims checked, signature not). Needs https. */
  oauth?: boolean;
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<AzuriteServer> {
  const bin = resolve('node_modules/.bin/azurite-blob');
  const dataDir = await mkdtemp(join(tmpdir(), 'ferry-azurite-'));
  const port = await freePort();
  // prettier-ignore
  const args = [
    bin, '--blobHost', '127.0.0.1', '--blobPort', String(port),
    '--skipApiVersionCheck', '--disableTelemetry', '--silent',
    ...(options.persistent ? ['--location', dataDir] : ['--inMemoryPersistence']),
    ...(options.https ? ['--cert', options.https.certPath, '--key', options.https.keyPath] : []),
    ...(options.oauth ? ['--oauth', 'basic'] : []),
  ];
  const child = spawn(process.execPath, args, { cwd: dataDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  try {
    await waitForPort(port, child, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const endpoint = `${options.https ? 'https' : 'http'}://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  return {
    port,
    pid: child.pid ?? -1,
    account: AZURITE_ACCOUNT,
    accountKey: AZURITE_KEY,
    endpoint,
    connectionString: azuriteConnectionString(endpoint),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise<void>((done) => child.once('exit', () => done()));
        child.kill('SIGTERM');
        await Promise.race([exited, delay(5000)]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
