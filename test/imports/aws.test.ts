// AWS profiles as credential sources: listed from ~/.aws/config and credentials, imported as S3
// connections that refer to the profile by name; no key is ever copied.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { commitImport, listAwsProfiles, previewImport } from '../../main/core/imports';
import { scanForCanaries } from '../helpers/scan';
import { TempFolders } from './fixtures';

const temp = new TempFolders();
after(() => temp.remove());

const KEY_ID = 'AKIACANARY0000000001';
const SECRET = 'CANARY/aws+secret/0123456789abcdefghijklmn';
const TOKEN = 'CANARY-session-token-FwoGZXIvYXdzEJr';

async function awsFolder(): Promise<{ dir: string; config: string; credentials: string }> {
  const dir = await temp.make('ferry-aws-');
  const config = join(dir, 'config');
  const credentials = join(dir, 'credentials');
  await writeFile(
    config,
    [
      '[default]',
      'region = eu-central-1',
      'output = json',
      '',
      '[profile work]',
      'sso_session = corp',
      'sso_account_id = 111122223333',
      'region = us-west-2',
      '',
      '[sso-session corp]',
      'sso_start_url = https://corp.awsapps.com/start',
      '',
      '[profile minio]',
      'endpoint_url = http://127.0.0.1:9000',
      '',
      '[profile deploy]',
      'role_arn = arn:aws:iam::111122223333:role/deploy',
      'source_profile = default',
    ].join('\n'),
  );
  await writeFile(
    credentials,
    [
      '[default]',
      `aws_access_key_id = ${KEY_ID}`,
      `aws_secret_access_key = ${SECRET}`,
      '',
      '[minio]',
      'aws_access_key_id = minio',
      `aws_secret_access_key = ${SECRET}x`,
      `aws_session_token = ${TOKEN}`,
    ].join('\n'),
  );
  return { dir, config, credentials };
}

describe('AWS profiles', () => {
  it('lists profiles from both files with region and credential source, never the keys', async () => {
    const { config, credentials } = await awsFolder();
    const profiles = await listAwsProfiles({ configFile: config, credentialsFile: credentials });
    assert.deepEqual(profiles, [
      { name: 'default', credentialSource: 'access keys', region: 'eu-central-1' },
      { name: 'deploy', credentialSource: 'assumed role' },
      { name: 'minio', credentialSource: 'access keys', endpoint: 'http://127.0.0.1:9000' },
      { name: 'work', credentialSource: 'SSO', region: 'us-west-2' },
    ]);
    assert.ok(!JSON.stringify(profiles).includes(SECRET));
    assert.deepEqual(
      await listAwsProfiles({ configFile: join(config, 'missing'), credentialsFile: join(config, 'missing2') }),
      [],
    );
  });

  for (const which of ['config', 'credentials'] as const) {
    it(`imports from ~/.aws/${which} as S3 connections with auth "profile"; nothing secret is stored`, async () => {
      const files = await awsFolder();
      const preview = await previewImport(files[which]);
      assert.equal(preview.format, 'aws');
      assert.deepEqual(
        preview.items.map((i) => [i.connection?.name, i.status, i.secretFields]),
        [
          ['AWS default', 'ready', []],
          ['AWS deploy', 'ready', []],
          ['AWS minio', 'ready', []],
          ['AWS work', 'ready', []],
        ],
      );
      const work = preview.items.find((i) => i.connection?.name === 'AWS work')!;
      assert.ok(work.connection?.spec.kind === 's3');
      assert.deepEqual(
        [work.connection.spec.auth, work.connection.spec.profile, work.connection.spec.region],
        ['profile', 'work', 'us-west-2'],
      );
      assert.match(work.warnings.join(' '), /refers to the profile by name/);

      const { store, credentials, dataDir } = await temp.store();
      const result = await commitImport(preview, store);
      assert.equal(result.created.length, 4);
      for (const { connection } of result.created) {
        for (const field of ['secretAccessKey', 'sessionToken'] as const)
          assert.equal(await credentials.get(connection.id, field), undefined);
      }
      assert.deepEqual(await scanForCanaries([dataDir], [SECRET, TOKEN, KEY_ID]), []);
    });
  }
});
