// An Azure Blob provider on one container of a test's Azurite, with small blocks so that multi-block uploads
// (resume, cancel, commit) stay small in tests.
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { openAzureBlobProvider, type AzureBlobProvider } from '../../main/core/providers/azure-blob';
import { createLogger } from '../../main/core/log/logger';
import { azureSpecSchema } from '../../shared/connection';
import type { AzuriteServer } from './azurite';

export interface AzuriteContainer {
  provider: AzureBlobProvider;
  /** The SDK's client on the same container, to look at what the provider left there. */
  container: ContainerClient;
}

export interface AzuriteContainerOptions {
  container?: string;
  /** Another way in to the same Azurite (e.g. the from-URL proxy's connection string). */
  connectionString?: string;
  /** Create the container (default true); false for a second provider on a container made already. */
  create?: boolean;
}

/** Opens a provider fixed on one container of `azurite` (connection string, 1 MiB blocks), creating it first. */
export async function openAzuriteContainer(
  azurite: AzuriteServer,
  test: string,
  options: AzuriteContainerOptions = {},
): Promise<AzuriteContainer> {
  const { container = 'data', connectionString = azurite.connectionString, create = true } = options;
  const client = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(container);
  if (create) await client.create();
  const spec = azureSpecSchema.parse({ kind: 'azure-blob', auth: 'connection-string', container, blockSizeMiB: 1 });
  const provider = await openAzureBlobProvider(spec, {
    secrets: async () => connectionString,
    log: createLogger({ test }),
  });
  return { provider, container: client };
}

/** How many uncommitted blocks sit under `name` (0 where there is neither a blob nor a staged block). */
export async function uncommittedBlocks(container: ContainerClient, name: string): Promise<number> {
  try {
    return (await container.getBlockBlobClient(name).getBlockList('uncommitted')).uncommittedBlocks?.length ?? 0;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return 0;
    throw error;
  }
}
