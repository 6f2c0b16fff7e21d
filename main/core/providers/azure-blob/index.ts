// Azure Blob Storage provider. See provider.ts for the folder model and block-upload.ts for uploads and resume.
export { openAzureBlobProvider, AzureBlobProvider } from './provider';
export { azureSpecFromEnvironment } from './environment';
export type { AzureProviderContext } from './client';
export type { EntraInteraction, DeviceCodePrompt } from './msal-credential';
export { MsalTokenCredential, createTokenCachePlugin, STORAGE_SCOPE } from './msal-credential';
