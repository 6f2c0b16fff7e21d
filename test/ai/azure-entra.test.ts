// Azure OpenAI signed in with Entra ID (issue 18, point 6): the summarizer as the app and the command line open
// it, against the local OpenID Connect stub and the Azure OpenAI protocol stub, which accepts only an access
// token the OIDC stub issued. One device-code sign-in, kept in the credential store; later summaries sign in
// silently; and where nobody can enter a code, a clear error at once instead of a wait.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { summarySettingsSchema } from '../../shared/api/dto';
import { isFerryError } from '../../shared/errors';
import { AZURE_OPENAI_SECRET, openSummarizer } from '../../main/core/ai';
import { SessionCredentialStore } from '../../main/core/credentials';
import { createLogger } from '../../main/core/log/logger';
import { openProvider } from '../../main/core/providers';
import type { EntraInteraction } from '../../main/core/providers/azure-blob/msal-credential';
import { SettingsStore } from '../../main/core/settings/store';
import { startAzureOpenAIStub, type AzureOpenAIStub } from '../helpers/azure-openai-stub';
import { startOidcStub, type OidcStub } from '../helpers/oidc-stub';
import { removeDirs, tempDir } from '../transfers/fixtures';

const log = createLogger({ test: 'azure-entra' });
const local = { spec: { kind: 'local' as const } };

describe('Azure OpenAI with Entra ID sign-in', () => {
  let oidc: OidcStub;
  let azure: AzureOpenAIStub;
  const dirs: string[] = [];

  before(async () => {
    oidc = await startOidcStub();
    azure = await startAzureOpenAIStub({ acceptBearer: (token) => oidc.isValidAccessToken(token) });
  });
  after(async () => {
    await azure?.close();
    await oidc?.stop();
    await removeDirs(...dirs);
  });

  /** A data folder whose settings send summaries to Azure OpenAI with Entra ID (Bedrock off). */
  async function dataFolder(): Promise<string> {
    const dataDir = await tempDir('ferry-azure-entra-');
    dirs.push(dataDir);
    const defaults = summarySettingsSchema.parse({});
    await new SettingsStore(dataDir, log).set({
      summaries: {
        ...defaults,
        bedrock: { ...defaults.bedrock, enabled: false },
        azureOpenAI: {
          ...defaults.azureOpenAI,
          endpoint: azure.endpoint,
          deployment: 'gpt-4o-mini',
          auth: 'entra',
          tenantId: oidc.tenantId,
          clientId: oidc.clientId,
          authority: oidc.authority,
        },
      },
    });
    await writeFile(join(dataDir, 'a.txt'), 'First file.\n');
    await writeFile(join(dataDir, 'b.txt'), 'Second file.\n');
    return dataDir;
  }

  it('signs in once with a device code, keeps the sign-in, and signs in silently afterwards', async () => {
    const dataDir = await dataFolder();
    const credentials = new SessionCredentialStore('test');
    const provider = await openProvider({ kind: 'local' }, { secrets: async () => undefined, log });
    const prompts: string[] = [];
    const interaction: EntraInteraction = {
      flow: 'device-code',
      networkClient: oidc.networkClient,
      onDeviceCode: (prompt) => {
        prompts.push(prompt.userCode);
        oidc.approveDeviceCode(prompt.userCode);
      },
    };
    const opened = await openSummarizer({ dataDir, log, credentials: async () => credentials, entra: interaction });
    try {
      azure.script({ chunks: ['Signed ', 'in.'] });
      const first = await opened.summarizer.summarize(
        { provider, ref: local, path: join(dataDir, 'a.txt') },
        { consent: true },
      );
      assert.equal(first.state === 'done' && first.result.text, 'Signed in.');
      assert.equal(prompts.length, 1, 'one device code');
      assert.match(String(azure.requests.at(-1)!.headers.authorization), /^Bearer ey/);
      assert.equal(azure.requests.at(-1)!.headers['api-key'], undefined, 'no key is sent');
      assert.ok(await credentials.get(AZURE_OPENAI_SECRET.id, 'tokenCache'), 'the sign-in is kept');

      const second = await opened.summarizer.summarize({ provider, ref: local, path: join(dataDir, 'b.txt') });
      assert.equal(second.state, 'done');
      assert.equal(prompts.length, 1, 'no second device code');
    } finally {
      opened.close();
      await provider.close();
    }

    // Another process (the next command) reads the kept sign-in and needs no one to enter a code.
    const codes = oidc.counts.deviceCode;
    const later = await openSummarizer({
      dataDir,
      log,
      credentials: async () => credentials,
      entra: { networkClient: oidc.networkClient },
    });
    const again = await openProvider({ kind: 'local' }, { secrets: async () => undefined, log });
    try {
      await writeFile(join(dataDir, 'c.txt'), 'Third file.\n');
      const third = await later.summarizer.summarize({ provider: again, ref: local, path: join(dataDir, 'c.txt') });
      assert.equal(third.state, 'done');
      assert.equal(oidc.counts.deviceCode, codes);
    } finally {
      later.close();
      await again.close();
    }
  });

  it('without a sign-in and nobody to enter a code, fails at once saying where to sign in', async () => {
    const dataDir = await dataFolder();
    const provider = await openProvider({ kind: 'local' }, { secrets: async () => undefined, log });
    const opened = await openSummarizer({
      dataDir,
      log,
      credentials: async () => new SessionCredentialStore('test'),
      entra: { networkClient: oidc.networkClient },
    });
    const calls = azure.requests.length;
    try {
      await assert.rejects(
        opened.summarizer.summarize({ provider, ref: local, path: join(dataDir, 'a.txt') }, { consent: true }),
        (error) => isFerryError(error, 'AuthFailed') && /needs an Entra ID sign-in/.test(error.message),
      );
      assert.equal(azure.requests.length, calls, 'nothing was sent');
    } finally {
      opened.close();
      await provider.close();
    }
  });
});
