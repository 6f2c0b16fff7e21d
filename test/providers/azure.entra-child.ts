// Run by azure.entra.test.ts in a separate process started with NODE_EXTRA_CA_CERTS (so the Azure SDK and
// MSAL trust the test certificate without switching TLS checks off): opens an Entra ID connection whose only
// sign-in is the token cache handed over on stdin (as the keychain would hold it), then writes and reads a
// blob on Azurite over HTTPS with the bearer token. Prints one JSON line with what it observed.
import { openAzureBlobProvider } from '../../main/core/providers/azure-blob';
import { createLogger } from '../../main/core/log/logger';
import { azureSpecSchema } from '../../shared/connection';
import { patternBytes, sha256Of } from '../helpers/pattern';

let tokenCache = '';
for await (const chunk of process.stdin) tokenCache += chunk.toString();
const saved: string[] = [];
const spec = azureSpecSchema.parse({
  kind: 'azure-blob',
  auth: 'entra',
  account: 'devstoreaccount1',
  endpoint: process.env.FERRY_AZURE_ENDPOINT,
  clientId: process.env.FERRY_CLIENT_ID,
  authority: process.env.FERRY_AUTHORITY,
});
const provider = await openAzureBlobProvider(spec, {
  secrets: async (field) => (field === 'tokenCache' ? tokenCache : undefined),
  saveSecret: async (_field, value) => void saved.push(value ?? ''),
  log: createLogger({ test: 'azure-entra-child' }),
  // No interaction: a prompt here would mean the cache did not work.
});
await provider.mkdir('/entra-e2e');
const result = await provider.write('/entra-e2e/hello.bin', patternBytes('entra', 100_000), { size: 100_000 });
const listed = [];
for await (const page of provider.list('/entra-e2e')) listed.push(...page.map((e) => e.name));
const sha256 = await sha256Of(await provider.read('/entra-e2e/hello.bin'));
await provider.close();
process.stdout.write(
  JSON.stringify({
    size: result.size,
    listed,
    sha256,
    expectedSha256: await sha256Of(patternBytes('entra', 100_000)),
    saves: saved.length,
  }) + '\n',
);
