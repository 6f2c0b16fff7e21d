// One line per provider. Importing this module makes every provider available to openProvider().
// Remote providers load lazily: their SDKs take most of a second to import, which a CLI call or a
// local-only session should not pay for.
import { registerProvider } from './registry';
import { openLocalProvider } from './local';

registerProvider('local', openLocalProvider);
registerProvider(['ftp', 'ftps'], async (spec, context) => (await import('./ftp')).openFtpProvider(spec, context));
registerProvider('s3', async (spec, context) => (await import('./s3')).openS3Provider(spec, context));
registerProvider('azure-blob', async (spec, context) =>
  (await import('./azure-blob')).openAzureBlobProvider(spec, context),
);

export { openProvider } from './registry';
