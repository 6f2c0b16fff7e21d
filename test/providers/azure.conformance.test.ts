// The provider conformance suite against Azurite, with one container fixed by the spec. Requests pass through
// the from-URL proxy, which counts List Blobs requests for the paging test (and otherwise passes them on).
import { runConformance } from '../conformance/suite';
import { openAzureBlobProvider } from '../../main/core/providers/azure-blob';
import { azureSpecSchema } from '../../shared/connection';
import { createLogger } from '../../main/core/log/logger';
import { startAzurite } from '../helpers/azurite';
import { startFromUrlProxy, type FromUrlProxy } from '../helpers/azurite-from-url-proxy';

let proxy: FromUrlProxy;

runConformance({
  name: 'azure-blob (Azurite)',
  async setup() {
    const azurite = await startAzurite();
    proxy = await startFromUrlProxy(azurite);
    const spec = azureSpecSchema.parse({
      kind: 'azure-blob',
      auth: 'connection-string',
      container: 'conformance',
      blockSizeMiB: 4,
    });
    const provider = await openAzureBlobProvider(spec, {
      secrets: async (field) => (field === 'connectionString' ? proxy.connectionString : undefined),
      log: createLogger({ test: 'azure-conformance' }),
    });
    await provider.client.service.getContainerClient('conformance').create();
    await provider.mkdir('/root');
    return {
      provider,
      root: '/root',
      async stop() {
        await provider.close();
        await proxy.stop();
        await azurite.stop();
      },
    };
  },
  listRequests: async () => proxy.counts.listBlobs,
});
