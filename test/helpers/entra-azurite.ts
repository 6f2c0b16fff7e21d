// Azurite as the Entra ID tests run it: over HTTPS with the OIDC stub's certificate (which the processes under
// test trust through NODE_EXTRA_CA_CERTS) and with OAuth on, so it takes the stub's tokens; and the spec of a
// saved Azure connection that signs in through the stub to it.
import type { z } from 'zod';
import type { azureSpecSchema } from '../../shared/connection';
import { AZURITE_ACCOUNT, startAzurite, type AzuriteServer } from './azurite';
import type { OidcStub } from './oidc-stub';

export function startEntraAzurite(stub: OidcStub): Promise<AzuriteServer> {
  return startAzurite({
    https: { certPath: stub.certificate.certPath, keyPath: stub.certificate.keyPath },
    oauth: true,
  });
}

export function entraAzureSpec(azurite: AzuriteServer, stub: OidcStub): z.input<typeof azureSpecSchema> {
  return {
    kind: 'azure-blob',
    auth: 'entra',
    account: AZURITE_ACCOUNT,
    endpoint: azurite.endpoint,
    clientId: stub.clientId,
    authority: stub.authority,
  };
}
