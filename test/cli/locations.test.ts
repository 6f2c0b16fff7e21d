// What the CLI hands the transfer engine for s3:// and az:// addresses: a ConnectionRef the engine persists
// with its queue. It must carry the non-secret spec and a key, never a secret from the environment.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseTransferRequest } from '../../main/core/transfers';
import { parseAddressArg, CliConnections } from '../../main/cli/locations';
import { UsageError } from '../../main/cli/exit-codes';

const AZURE_KEY =
  'Q2FuYXJ5LWF6dXJlLWtleS1mb3ItdGhlLWNsaS10ZXN0LW9ubHktbm90LWEtcmVhbC1rZXktcGFkZGluZy1wYWRkaW5nLXBhZA==';
const SAS = 'sv=2024-11-04&ss=b&srt=sco&sp=rl&sig=canary-sas-signature';
const CONNECTION_STRING = `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${AZURE_KEY};EndpointSuffix=core.windows.net`;
const AWS_SECRET = 'canary-aws-secret-access-key';
const AWS_TOKEN = 'canary-aws-session-token';

async function persistedForm(env: NodeJS.ProcessEnv, address: string): Promise<string> {
  const connections = new CliConnections(env);
  const source = await connections.resolve(parseAddressArg(address));
  const request = parseTransferRequest({
    source: { connection: source.ref, path: source.path },
    target: { connection: { spec: { kind: 'local' } }, path: '/tmp/x' },
  });
  return JSON.stringify(request);
}

describe('cli locations for cloud addresses', () => {
  it('s3:// keeps no AWS secret in the request the engine persists', async () => {
    const env = {
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: AWS_SECRET,
      AWS_SESSION_TOKEN: AWS_TOKEN,
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
    };
    const persisted = await persistedForm(env, 's3://my-bucket/a/b.txt');
    assert.ok(!persisted.includes(AWS_SECRET) && !persisted.includes(AWS_TOKEN), persisted);
    const request = JSON.parse(persisted) as {
      source: { path: string; connection: { spec: Record<string, unknown> } };
    };
    assert.equal(request.source.path, '/my-bucket/a/b.txt');
    assert.equal(request.source.connection.spec.endpoint, 'http://127.0.0.1:9');
    assert.equal(request.source.connection.spec.pathStyle, true);
    assert.equal(request.source.connection.spec.checksumMode, 'WHEN_REQUIRED');
    assert.equal(request.source.connection.spec.region, 'eu-west-1');
  });

  it('az:// keeps no key, SAS token or connection string in the request the engine persists', async () => {
    for (const env of [
      { AZURE_STORAGE_CONNECTION_STRING: CONNECTION_STRING },
      { AZURE_STORAGE_ACCOUNT: 'acct', AZURE_STORAGE_KEY: AZURE_KEY },
      { AZURE_STORAGE_ACCOUNT: 'acct', AZURE_STORAGE_SAS_TOKEN: SAS },
    ]) {
      const persisted = await persistedForm(env, 'az://acct/my-container/a.txt');
      for (const secret of [AZURE_KEY, 'canary-sas-signature', CONNECTION_STRING]) {
        assert.ok(!persisted.includes(secret), `${Object.keys(env).join('+')}: ${persisted}`);
      }
      assert.match(persisted, /"path":"\/my-container\/a\.txt"/);
    }
  });

  it('refuses bad bucket and container names as usage errors, before any request', async () => {
    const connections = new CliConnections({});
    await assert.rejects(connections.resolve(parseAddressArg('s3://UPPER/x')), UsageError);
    await assert.rejects(connections.resolve(parseAddressArg('s3://a..b/x')), UsageError);
    await assert.rejects(connections.resolve(parseAddressArg('az://acct/Bad_Name/x')), UsageError);
    await assert.rejects(connections.resolve(parseAddressArg('s3:///key')), /names no bucket/);
  });
});
