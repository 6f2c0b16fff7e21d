// A minimal Entra ID (OpenID Connect) stand-in over HTTPS on loopback, enough for MSAL public-client flows:
// discovery, the device-code flow (/devicecode + polling /token), the authorisation-code flow with PKCE
// (/authorize answered to a scripted "browser"), and refresh tokens. Tokens are unsigned JWTs: MSAL reads
// their claims but does not verify signatures, and Azurite's "basic" OAuth mode checks only the claims.
// Also exports an MSAL network client that trusts the stub's self-signed certificate, so no TLS check is
// switched off anywhere.
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request as httpsRequest } from 'node:https';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { createTestCertificate, type TestCertificate } from './certs';

export interface OidcStubCounts {
  discovery: number;
  deviceCode: number;
  authorize: number;
  /** Device-code polls answered "authorization_pending". */
  pendingPolls: number;
  /** Successful token grants by grant_type. */
  tokens: Record<string, number>;
}

export interface OidcStub {
  /** e.g. https://127.0.0.1:PORT/TENANT */
  authority: string;
  tenantId: string;
  clientId: string;
  certificate: TestCertificate;
  /** An MSAL network client trusting the stub's certificate. */
  networkClient: INetworkModule;
  counts: OidcStubCounts;
  /** Approves the pending device code, as a person entering it in a browser would. */
  approveDeviceCode(userCode: string): void;
  /** Declines the pending device code, as a person who answers "No, cancel" on the sign-in page would. */
  declineDeviceCode(userCode: string): void;
  /** A scripted browser for the interactive flow: signs in at the authorize URL and posts the code to MSAL's loopback. */
  browser(url: string): Promise<void>;
  /** Lifetime of issued access tokens in seconds (default 3600). */
  accessTokenLifetime: number;
  /** Whether the stub issued this access token and it has not expired (a resource server's check). */
  isValidAccessToken(token: string): boolean;
  /** Forgets every refresh token issued so far, as a sign-in that expired or was revoked: they get invalid_grant. */
  revokeRefreshTokens(): void;
  stop(): Promise<void>;
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

function unsignedJwt(claims: Record<string, unknown>): string {
  return `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}.`;
}

async function readBody(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) body += chunk.toString();
  return new URLSearchParams(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** MSAL's INetworkModule over node:https with the stub's CA trusted (certificate and hostname checks stay on). */
export function trustingNetworkClient(caPem: string): INetworkModule {
  const send = <T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> =>
    new Promise((resolve, reject) => {
      const req = httpsRequest(url, { method, ca: caPem, headers: options?.headers ?? {} }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') headers[name] = value;
          try {
            resolve({ status: res.statusCode ?? 0, headers, body: (text ? JSON.parse(text) : {}) as T });
          } catch (error) {
            reject(error);
          }
        });
      });
      req.on('error', reject);
      if (options?.body) req.write(options.body);
      req.end();
    });
  return {
    sendGetRequestAsync: (url, options) => send('GET', url, options),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  };
}

export async function startOidcStub(options: { clientId?: string } = {}): Promise<OidcStub> {
  const certificate = await createTestCertificate({ commonName: 'oidc-stub' });
  const tenantId = randomUUID();
  const clientId = options.clientId ?? randomUUID();
  const userId = randomUUID();
  const counts: OidcStubCounts = { discovery: 0, deviceCode: 0, authorize: 0, pendingPolls: 0, tokens: {} };
  const deviceCodes = new Map<string, { userCode: string; approved: boolean; declined?: boolean; scope: string }>();
  const authCodes = new Map<string, { challenge: string; scope: string }>();
  const refreshTokens = new Map<string, string>(); // token → scope
  const accessTokens = new Map<string, number>(); // token → expiry (ms)
  let base = '';
  const state = { accessTokenLifetime: 3600 };

  function tokenResponse(scope: string) {
    const now = Math.floor(Date.now() / 1000);
    const resourceScopes = scope.split(' ').filter((s) => !['openid', 'profile', 'offline_access'].includes(s));
    const refreshToken = `rt-${randomUUID()}`;
    refreshTokens.set(refreshToken, scope);
    const response = {
      token_type: 'Bearer',
      scope: resourceScopes.join(' '),
      expires_in: state.accessTokenLifetime,
      ext_expires_in: state.accessTokenLifetime,
      // Shaped like an Entra access token for Azure Storage (Azurite's OAuth "basic" mode reads these claims).
      access_token: unsignedJwt({
        aud: 'https://storage.azure.com',
        iss: `https://sts.windows.net/${tenantId}/`,
        iat: now,
        nbf: now - 60,
        exp: now + state.accessTokenLifetime,
        oid: userId,
        tid: tenantId,
        scp: 'user_impersonation',
        appid: clientId,
        jti: randomUUID(),
      }),
      refresh_token: refreshToken,
      id_token: unsignedJwt({
        aud: clientId,
        iss: `${base}/${tenantId}/v2.0`,
        iat: now,
        nbf: now - 60,
        exp: now + 3600,
        oid: userId,
        sub: userId,
        tid: tenantId,
        name: 'Test Person',
        preferred_username: 'person@example.test',
        ver: '2.0',
      }),
      client_info: b64url(JSON.stringify({ uid: userId, utid: tenantId })),
    };
    accessTokens.set(response.access_token, (now + state.accessTokenLifetime) * 1000);
    return response;
  }

  function grant(res: ServerResponse, type: string, scope: string): void {
    counts.tokens[type] = (counts.tokens[type] ?? 0) + 1;
    sendJson(res, 200, tokenResponse(scope));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    const prefix = `/${tenantId}`;
    if (
      url.pathname === `${prefix}/v2.0/.well-known/openid-configuration` ||
      url.pathname === `${prefix}/.well-known/openid-configuration`
    ) {
      counts.discovery++;
      return sendJson(res, 200, {
        issuer: `${base}${prefix}/v2.0`,
        authorization_endpoint: `${base}${prefix}/oauth2/v2.0/authorize`,
        token_endpoint: `${base}${prefix}/oauth2/v2.0/token`,
        device_authorization_endpoint: `${base}${prefix}/oauth2/v2.0/devicecode`,
        end_session_endpoint: `${base}${prefix}/oauth2/v2.0/logout`,
        jwks_uri: `${base}${prefix}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      });
    }
    if (url.pathname === `${prefix}/oauth2/v2.0/devicecode` && req.method === 'POST') {
      const body = await readBody(req);
      counts.deviceCode++;
      const deviceCode = `dc-${randomUUID()}`;
      const userCode = `U${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
      deviceCodes.set(deviceCode, { userCode, approved: false, scope: body.get('scope') ?? '' });
      return sendJson(res, 200, {
        device_code: deviceCode,
        user_code: userCode,
        verification_uri: `${base}/device`,
        expires_in: 900,
        interval: 1,
        message: `To sign in, use a web browser to open the page ${base}/device and enter the code ${userCode} to authenticate.`,
      });
    }
    if (url.pathname === `${prefix}/oauth2/v2.0/authorize` && req.method === 'GET') {
      counts.authorize++;
      if (url.searchParams.get('code_challenge_method') !== 'S256' || !url.searchParams.get('code_challenge')) {
        return sendJson(res, 400, { error: 'invalid_request', error_description: 'PKCE (S256) is required' });
      }
      const code = `code-${randomUUID()}`;
      authCodes.set(code, {
        challenge: url.searchParams.get('code_challenge')!,
        scope: url.searchParams.get('scope') ?? '',
      });
      return sendJson(res, 200, {
        code,
        state: url.searchParams.get('state'),
        redirect_uri: url.searchParams.get('redirect_uri'),
      });
    }
    if (url.pathname === `${prefix}/oauth2/v2.0/token` && req.method === 'POST') {
      const body = await readBody(req);
      if (body.get('client_id') !== clientId)
        return sendJson(res, 400, { error: 'unauthorized_client', error_description: 'unknown client' });
      const type = body.get('grant_type') ?? '';
      if (type === 'device_code') {
        const pending = deviceCodes.get(body.get('device_code') ?? '');
        if (!pending) return sendJson(res, 400, { error: 'expired_token', error_description: 'unknown device code' });
        if (pending.declined)
          return sendJson(res, 400, { error: 'authorization_declined', error_description: 'the person declined' });
        if (!pending.approved) {
          counts.pendingPolls++;
          return sendJson(res, 400, { error: 'authorization_pending', error_description: 'waiting for the person' });
        }
        deviceCodes.delete(body.get('device_code')!);
        return grant(res, type, body.get('scope') ?? pending.scope);
      }
      if (type === 'authorization_code') {
        const issued = authCodes.get(body.get('code') ?? '');
        const verifier = body.get('code_verifier') ?? '';
        if (!issued || createHash('sha256').update(verifier).digest('base64url') !== issued.challenge) {
          return sendJson(res, 400, { error: 'invalid_grant', error_description: 'bad code or PKCE verifier' });
        }
        authCodes.delete(body.get('code')!);
        return grant(res, type, body.get('scope') ?? issued.scope);
      }
      if (type === 'refresh_token') {
        const scope = refreshTokens.get(body.get('refresh_token') ?? '');
        if (scope === undefined)
          return sendJson(res, 400, {
            error: 'invalid_grant',
            error_description: 'unknown refresh token',
            suberror: 'bad_token',
          });
        refreshTokens.delete(body.get('refresh_token')!);
        return grant(res, type, body.get('scope') ?? scope);
      }
      return sendJson(res, 400, { error: 'unsupported_grant_type' });
    }
    sendJson(res, 404, { error: 'not_found' });
  }

  const server = createServer({ cert: certificate.certPem, key: certificate.keyPem }, (req, res) => {
    handle(req, res).catch((error: unknown) =>
      sendJson(res, 500, { error: 'server_error', error_description: String(error) }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  base = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const networkClient = trustingNetworkClient(certificate.certPem);

  return {
    authority: `${base}/${tenantId}`,
    tenantId,
    clientId,
    certificate,
    networkClient,
    counts,
    get accessTokenLifetime() {
      return state.accessTokenLifetime;
    },
    set accessTokenLifetime(seconds: number) {
      state.accessTokenLifetime = seconds;
    },
    revokeRefreshTokens() {
      refreshTokens.clear();
    },
    isValidAccessToken(token: string) {
      const expires = accessTokens.get(token);
      return expires !== undefined && expires > Date.now();
    },
    approveDeviceCode(userCode: string) {
      for (const pending of deviceCodes.values()) if (pending.userCode === userCode) pending.approved = true;
    },
    declineDeviceCode(userCode: string) {
      for (const pending of deviceCodes.values()) if (pending.userCode === userCode) pending.declined = true;
    },
    async browser(authorizeUrl: string) {
      const answer = await networkClient.sendGetRequestAsync<{
        code?: string;
        state?: string;
        redirect_uri?: string;
        error?: string;
      }>(authorizeUrl);
      if (!answer.body.code || !answer.body.redirect_uri)
        throw new Error(`sign-in page refused: ${JSON.stringify(answer.body)}`);
      // MSAL asks for response_mode=form_post: the page would POST the code to the loopback redirect URI.
      const redirect = new URL(answer.body.redirect_uri);
      redirect.hostname = '127.0.0.1'; // MSAL's loopback server listens on 127.0.0.1 behind "localhost"
      const response = await fetch(redirect, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ code: answer.body.code, state: answer.body.state ?? '' }).toString(),
      });
      await response.text();
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await certificate.remove();
    },
  };
}
