// Builds the BlobServiceClient for a connection, from whichever authentication the spec names:
// a connection string, an account name + key, a SAS (token + endpoint, or a full SAS URL), or Entra ID.
import { BlobServiceClient, StorageSharedKeyCredential, type StoragePipelineOptions } from '@azure/storage-blob';
import type { AzureSpec } from '../../../../shared/connection';
import { FerryError } from '../../../../shared/errors';
import { registerSecret } from '../../../../shared/redact';
import type { ProviderContext } from '../registry';
import { MsalTokenCredential, type EntraInteraction } from './msal-credential';
import { assertContainerName } from './paths';

/** The provider context plus the Entra sign-in interaction the host application supplies. */
export interface AzureProviderContext extends ProviderContext {
  entra?: EntraInteraction;
}

export interface AzureClient {
  service: BlobServiceClient;
  account: string;
  /** A container fixed by the spec or by a container-level SAS URL. */
  container?: string;
  /** The Entra credential, when that is how we authenticate (tests inspect its cache). */
  credential?: MsalTokenCredential;
}

const PIPELINE: StoragePipelineOptions = {
  retryOptions: { maxTries: 4, retryDelayInMs: 500, maxRetryDelayInMs: 8000 },
  userAgentOptions: { userAgentPrefix: 'FileFerry' },
};

export async function createAzureClient(spec: AzureSpec, context: AzureProviderContext): Promise<AzureClient> {
  if (spec.container) assertContainerName(spec.container);
  switch (spec.auth) {
    case 'connection-string':
      return fromConnectionString(spec, context);
    case 'key':
      return fromAccountKey(spec, context);
    case 'sas':
      return fromSas(spec, context);
    case 'entra':
      return fromEntra(spec, context);
  }
}

async function requireSecret(
  context: ProviderContext,
  field: 'connectionString' | 'accountKey' | 'sasToken',
  what: string,
): Promise<string> {
  const value = (await context.secrets(field))?.trim();
  if (!value)
    throw new FerryError(
      'AuthFailed',
      `No ${what} is stored for this Azure connection. Edit the connection and enter it.`,
    );
  registerSecret(value);
  return value;
}

function defaultEndpoint(account: string | undefined): string {
  if (!account)
    throw new FerryError('InvalidInput', 'This Azure connection needs a storage account name or an endpoint URL.');
  return `https://${account}.blob.core.windows.net`;
}

async function fromConnectionString(spec: AzureSpec, context: ProviderContext): Promise<AzureClient> {
  const connectionString = await requireSecret(context, 'connectionString', 'connection string');
  let service: BlobServiceClient;
  try {
    service = BlobServiceClient.fromConnectionString(connectionString, PIPELINE);
  } catch (error) {
    throw new FerryError(
      'InvalidInput',
      'The Azure connection string is not valid. Copy it again from the portal (Access keys → Connection string).',
      { cause: error },
    );
  }
  const accountKey = /AccountKey=([^;]+)/i.exec(connectionString)?.[1];
  if (accountKey) registerSecret(accountKey);
  return { service, account: service.accountName, container: spec.container };
}

async function fromAccountKey(spec: AzureSpec, context: ProviderContext): Promise<AzureClient> {
  if (!spec.account)
    throw new FerryError('InvalidInput', 'Authentication by account key needs the storage account name.');
  const key = await requireSecret(context, 'accountKey', 'account key');
  let credential: StorageSharedKeyCredential;
  try {
    credential = new StorageSharedKeyCredential(spec.account, key);
  } catch (error) {
    throw new FerryError(
      'InvalidInput',
      'The Azure account key is not valid base64. Copy it again from the portal (Access keys).',
      { cause: error },
    );
  }
  const service = new BlobServiceClient(spec.endpoint ?? defaultEndpoint(spec.account), credential, PIPELINE);
  return { service, account: spec.account, container: spec.container };
}

/**
 * The sasToken secret is either the token ("sv=…&sig=…") used with spec.endpoint, or a whole SAS URL. A
 * container SAS URL names its container; the service client then stays at the account URL and the
 * container becomes fixed.
 */
async function fromSas(spec: AzureSpec, context: ProviderContext): Promise<AzureClient> {
  const secret = await requireSecret(context, 'sasToken', 'SAS token or SAS URL');
  let url: URL;
  try {
    url = /^https?:\/\//i.test(secret)
      ? new URL(secret)
      : new URL(
          `${(spec.endpoint ?? defaultEndpoint(spec.account)).replace(/\?.*$/, '')}?${secret.replace(/^\?/, '')}`,
        );
  } catch (error) {
    throw new FerryError('InvalidInput', 'The SAS is not a valid token or URL.', { cause: error });
  }
  if (!url.searchParams.get('sig'))
    throw new FerryError('InvalidInput', 'The SAS has no signature (sig=…). Copy the whole SAS token or URL.');
  registerSecret(url.searchParams.get('sig'));
  const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  // Path-style endpoints (Azurite, IP addresses, custom domains) carry the account as the first segment.
  const pathStyle = spec.endpoint
    ? new URL(spec.endpoint).pathname.split('/').filter(Boolean).length > 0
    : isPathStyleHost(url.hostname);
  const accountSegments = pathStyle ? 1 : 0;
  const sasContainer = segments[accountSegments];
  const serviceUrl = `${url.origin}/${segments.slice(0, accountSegments).map(encodeURIComponent).join('/')}`.replace(
    /\/$/,
    '',
  );
  const service = new BlobServiceClient(`${serviceUrl}${url.search}`, undefined, PIPELINE);
  const account = spec.account ?? (pathStyle ? segments[0] : url.hostname.split('.')[0]) ?? 'unknown';
  const container = spec.container ?? sasContainer;
  if (container) assertContainerName(container);
  return { service, account, container };
}

function isPathStyleHost(hostname: string): boolean {
  return /^(\d+\.){3}\d+$/.test(hostname) || hostname === 'localhost' || hostname.startsWith('[');
}

async function fromEntra(spec: AzureSpec, context: AzureProviderContext): Promise<AzureClient> {
  if (!spec.clientId) {
    throw new FerryError(
      'InvalidInput',
      'Entra ID sign-in needs the application (client) ID of an app registration that allows public-client flows.',
    );
  }
  const authority = spec.authority ?? `https://login.microsoftonline.com/${spec.tenantId ?? 'organizations'}`;
  const credential = new MsalTokenCredential({
    clientId: spec.clientId,
    authority,
    ...(spec.authority ? { knownAuthorities: [new URL(spec.authority).host] } : {}),
    interaction: context.entra,
    loadCache: async () => context.secrets('tokenCache'),
    saveCache: context.saveSecret ? (serialized) => context.saveSecret!('tokenCache', serialized) : undefined,
    log: context.log,
  });
  const service = new BlobServiceClient(spec.endpoint ?? defaultEndpoint(spec.account), credential, PIPELINE);
  return { service, account: spec.account ?? service.accountName, container: spec.container, credential };
}
