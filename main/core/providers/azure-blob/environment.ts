// Connections from the environment, for CLI addresses az://account/container/path: the variables the Azure
// CLI and SDKs use. AZURE_STORAGE_CONNECTION_STRING wins; otherwise AZURE_STORAGE_ACCOUNT (or the address's
// account) with AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN.
import { azureSpecSchema, type AzureSpec, type SecretResolver } from '../../../../shared/connection';
import { FerryError } from '../../../../shared/errors';
import { assertContainerName } from './paths';

export function azureSpecFromEnvironment(
  account: string,
  container: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { spec: AzureSpec; secrets: SecretResolver } {
  if (container) assertContainerName(container);
  const connectionString = env.AZURE_STORAGE_CONNECTION_STRING?.trim();
  const key = env.AZURE_STORAGE_KEY?.trim();
  const sas = env.AZURE_STORAGE_SAS_TOKEN?.trim();
  const accountName = account || env.AZURE_STORAGE_ACCOUNT?.trim();
  const base = { kind: 'azure-blob' as const, ...(container ? { container } : {}) };
  if (connectionString) {
    return {
      spec: azureSpecSchema.parse({
        ...base,
        auth: 'connection-string',
        ...(accountName ? { account: accountName } : {}),
      }),
      secrets: async (field) => (field === 'connectionString' ? connectionString : undefined),
    };
  }
  if (!accountName) {
    throw new FerryError(
      'InvalidInput',
      'Name the storage account (az://ACCOUNT/container/path) or set AZURE_STORAGE_ACCOUNT.',
    );
  }
  const endpoint = env.AZURE_STORAGE_BLOB_ENDPOINT?.trim() || `https://${accountName}.blob.core.windows.net`;
  if (key) {
    return {
      spec: azureSpecSchema.parse({ ...base, auth: 'key', account: accountName, endpoint }),
      secrets: async (field) => (field === 'accountKey' ? key : undefined),
    };
  }
  if (sas) {
    return {
      spec: azureSpecSchema.parse({ ...base, auth: 'sas', account: accountName, endpoint }),
      secrets: async (field) => (field === 'sasToken' ? sas : undefined),
    };
  }
  throw new FerryError(
    'AuthFailed',
    `No Azure credentials for account ${accountName}: set AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN (with AZURE_STORAGE_ACCOUNT).`,
  );
}
