// The provider conformance suite against Azurite, with one container fixed by the spec.
import { runConformance } from '../conformance/suite';
import { openAzureBlobProvider } from '../../main/core/providers/azure-blob';
import { azureSpecSchema } from '../../shared/connection';
import { createLogger } from '../../main/core/log/logger';
import { startAzurite } from '../helpers/azurite';

runConformance({
  name: 'azure-blob (Azurite)',
  async setup() {
    const azurite = await startAzurite();
    const spec = azureSpecSchema.parse({
      kind: 'azure-blob',
      auth: 'connection-string',
      container: 'conformance',
      blockSizeMiB: 4,
    });
    const provider = await openAzureBlobProvider(spec, {
      secrets: async (field) => (field === 'connectionString' ? azurite.connectionString : undefined),
      log: createLogger({ test: 'azure-conformance' }),
    });
    await provider.client.service.getContainerClient('conformance').create();
    await provider.mkdir('/root');
    return {
      provider,
      root: '/root',
      async stop() {
        await provider.close();
        await azurite.stop();
      },
    };
  },
});
