// A tiny AWS STS on loopback that answers AssumeRole with fixed credentials, so a role_arn profile can be
// resolved without reaching AWS. It records each call (form fields and the signing access key id).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StsCall {
  action: string;
  roleArn?: string;
  /** The access key id that signed the request (from the Authorization header). */
  signedWith?: string;
}

export interface StsStub {
  endpoint: string;
  readonly calls: readonly StsCall[];
  stop(): Promise<void>;
}

export async function startStsStub(issued: {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}): Promise<StsStub> {
  const calls: StsCall[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const action = form.get('Action') ?? '';
      const signedWith = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
      calls.push({
        action,
        ...(form.get('RoleArn') ? { roleArn: form.get('RoleArn')! } : {}),
        ...(signedWith ? { signedWith } : {}),
      });
      if (action !== 'AssumeRole') {
        res
          .writeHead(400, { 'content-type': 'text/xml' })
          .end(
            `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>Only AssumeRole is stubbed</Message></Error><RequestId>0</RequestId></ErrorResponse>`,
          );
        return;
      }
      const expiration = new Date(Date.now() + 3600_000).toISOString();
      res.writeHead(200, { 'content-type': 'text/xml' })
        .end(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>${issued.accessKeyId}</AccessKeyId>
      <SecretAccessKey>${issued.secretAccessKey}</SecretAccessKey>
      <SessionToken>${issued.sessionToken}</SessionToken>
      <Expiration>${expiration}</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/ferry-test/session</Arn>
      <AssumedRoleId>AROAFERRYTEST:session</AssumedRoleId>
    </AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>
</AssumeRoleResponse>`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
