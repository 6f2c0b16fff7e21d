// `fileferry serve`: web mode. The built renderer and the API over a WebSocket, for a browser on this
// machine; the address to open (with its launch token) is printed on a line of its own on stdout. It runs
// until Ctrl-C, SIGTERM or a hang-up, then stops serving and closes the service (transfers under way are
// paused and saved, to be offered again at the next start).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dataDir } from '../../core/app-paths';
import { createApiService } from '../../core/api/service';
import { connectionStore } from '../../core/connections';
import { createLogger } from '../../core/log/logger';
import { DEFAULT_HOST, startWebServer } from '../../server';
import { EXIT, UsageError } from '../exit-codes';
import type { Command } from './common';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export const serve: Command = {
  usage: `fileferry serve [--port N] [--host ADDRESS]

Web mode: serves the FileFerry app to a browser on this computer and prints the address to open, with the
token that admits that browser (open it in a browser of this computer; keep it private). Runs until Ctrl-C;
transfers under way are then paused and saved for the next start. Needs the app built (\`npm run build\`).

  --port N          the port (default 0: any free port)
  --host ADDRESS    the address to listen on (default ${DEFAULT_HOST}, this computer only); any other address
                    lets other machines reach the server, and is allowed only with this option and a warning`,
  async run(args, { stdout, stderr }) {
    let values: { port?: string; host?: string; help?: boolean };
    try {
      ({ values } = parseArgs({
        args,
        options: { port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
        strict: true,
        allowPositionals: false,
      }));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (values.help) return (stdout.write(serve.usage + '\n'), EXIT.ok);
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!/^\d{1,5}$/.test(values.port ?? '0') || port > 65_535)
      throw new UsageError(`--port takes a number from 0 to 65535, not "${values.port}".`);

    const root = packageRoot();
    const log = createLogger({ component: 'server' });
    const service = await createApiService({
      dataDir: dataDir(),
      version: (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version,
      shell: 'web',
      connections: await connectionStore(),
      log,
    });
    let server: Awaited<ReturnType<typeof startWebServer>>;
    try {
      server = await startWebServer({
        ...(values.host !== undefined ? { host: values.host } : {}),
        port,
        rendererDir: path.join(root, 'out', 'renderer'),
        service,
        log,
        warn: (line) => stderr.write(`${line}\n`),
      });
    } catch (error) {
      await service.close();
      throw error;
    }

    const stopped = new Promise<NodeJS.Signals>((resolve) => {
      for (const signal of STOP_SIGNALS) process.once(signal, () => resolve(signal));
    });
    stderr.write('FileFerry web mode: open this address in a browser on this computer (Ctrl-C stops):\n');
    stdout.write(`${server.url}\n`);
    const signal = await stopped;
    // After a hang-up, writing to the closed terminal fails (EIO): that must not end the process before the
    // queue is saved.
    if (signal === 'SIGHUP') for (const stream of [stdout, stderr]) stream.on('error', () => {});
    // A second Ctrl-C while stopping is ignored (a terminal and a parent such as `npm start` may both send
    // one); the listeners stay until the process ends.
    for (const name of STOP_SIGNALS) process.on(name, () => {});
    stderr.write('FileFerry web mode: stopping (transfers under way are paused and saved)…\n');
    await server.close();
    await service.close();
    return EXIT.ok;
  },
};

/**
 * The folder of FileFerry's package.json: the sources run from the checkout and the built command from
 * its own folder, so the nearest such folder above this module is found rather than assumed.
 */
function packageRoot(): string {
  const here = typeof __dirname === 'string' ? __dirname : import.meta.dirname;
  for (let dir = here; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && /"name":\s*"fileferry"/.test(readFileSync(manifest, 'utf8'))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}
