// Run by entra-sign-in.test.ts in a process of its own, started with NODE_EXTRA_CA_CERTS so that MSAL and the
// Azure SDK trust the OIDC stub's certificate (which Azurite serves too) with every TLS check on: the API
// service as `fileferry serve` builds it — the shared connection store in FILEFERRY_HOME with the real keychain —
// behind web mode's server. argv[2] is a folder holding an index.html (the renderer is not needed). Prints the
// address to open, then serves until SIGTERM.
import { createApiService } from '../../main/core/api/service';
import { connectionStore } from '../../main/core/connections';
import { dataDir } from '../../main/core/app-paths';
import { startWebServer } from '../../main/server';

const rendererDir = process.argv[2];
if (!rendererDir) throw new Error('usage: entra-sign-in-server.ts RENDERER_DIR');
const service = await createApiService({
  dataDir: dataDir(),
  version: '0.0.0-test',
  shell: 'web',
  connections: await connectionStore(),
});
const server = await startWebServer({ rendererDir, service });
process.once('SIGTERM', () => {
  void (async () => {
    await server.close();
    await service.close();
    process.exit(0);
  })();
});
process.stdout.write(`${server.url}\n`);
