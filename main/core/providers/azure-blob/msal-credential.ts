// Entra ID sign-in for Azure Blob through MSAL (a public client: desktop app or CLI, no client secret),
// adapted to the Azure SDK's TokenCredential. getToken() tries the cached account silently first (access
// token from the cache, or a refresh-token exchange), and only then asks the person to sign in, through
// whichever interaction the host application injected: the system browser (desktop) or a device code (CLI).
// The MSAL token cache lives in the credential store (the "tokenCache" secret), so a signed-in person stays
// signed in across runs without FileFerry ever writing tokens to a plain file.
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import type {
  AuthenticationResult,
  ICachePlugin,
  INetworkModule,
  PublicClientApplication,
  TokenCacheContext,
} from '@azure/msal-node';
import { FerryError } from '../../../../shared/errors';
import type { Logger } from '../../log/logger';

// MSAL is loaded on first use (about 10 MiB resident): only Entra connections need it, and this module is
// loaded with the provider for every Azure connection, key and SAS ones included.
type Msal = typeof import('@azure/msal-node');
let msal: Promise<Msal> | undefined;
function loadMsal(): Promise<Msal> {
  msal ??= import('@azure/msal-node');
  return msal;
}

export interface DeviceCodePrompt {
  userCode: string;
  verificationUri: string;
  /** The service's own instruction, e.g. "To sign in, use a web browser to open … and enter the code …". */
  message: string;
  expiresInSeconds: number;
}

/** How the host application lets a person sign in. The desktop UI and CLI supply these. */
export interface EntraInteraction {
  /** Which flow to start when no cached sign-in works (default: interactive when openBrowser is given). */
  flow?: 'interactive' | 'device-code';
  /** Opens the sign-in page in the system browser (interactive flow; MSAL listens on a loopback port). */
  openBrowser?: (url: string) => Promise<void>;
  /** Shows the device code to the person (device-code flow). */
  onDeviceCode?: (prompt: DeviceCodePrompt) => void;
  /** Replaces MSAL's HTTP client (tests use one that trusts a local CA; proxies could use their own). */
  networkClient?: INetworkModule;
}

export interface MsalCredentialOptions {
  clientId: string;
  /** e.g. https://login.microsoftonline.com/<tenant> */
  authority: string;
  /** Authorities MSAL may trust without instance discovery (sovereign clouds, test stubs). */
  knownAuthorities?: string[];
  interaction?: EntraInteraction;
  /** Reads the serialised MSAL cache (the "tokenCache" secret). */
  loadCache: () => Promise<string | undefined>;
  /** Persists the serialised MSAL cache; absent when there is nowhere to keep it (cache lives in memory). */
  saveCache?: (serialized: string) => Promise<void>;
  log: Logger;
}

/**
 * Reads the cache from the store before MSAL uses it and writes it back when MSAL changed it (a new sign-in,
 * a refreshed token, a removed account). Save failures are logged, not thrown: the token is still good now.
 */
export function createTokenCachePlugin(
  loadCache: () => Promise<string | undefined>,
  saveCache: ((serialized: string) => Promise<void>) | undefined,
  log: Logger,
): ICachePlugin {
  return {
    async beforeCacheAccess(context: TokenCacheContext) {
      const serialized = await loadCache();
      if (serialized) context.tokenCache.deserialize(serialized);
    },
    async afterCacheAccess(context: TokenCacheContext) {
      if (!context.cacheHasChanged || !saveCache) return;
      try {
        await saveCache(context.tokenCache.serialize());
      } catch (error) {
        log.warn('Could not save the Entra ID token cache; you may be asked to sign in again next time', { error });
      }
    },
  };
}

export const STORAGE_SCOPE = 'https://storage.azure.com/.default';

export class MsalTokenCredential implements TokenCredential {
  private readonly createApp: (library: Msal) => PublicClientApplication;
  private app: Promise<PublicClientApplication> | undefined;
  private readonly interaction: EntraInteraction;
  private readonly log: Logger;
  /** The last cache we saw, so a store without saveCache still keeps sign-ins for this session. */
  private memoryCache: string | undefined;
  private readonly tokens = new Map<string, AccessToken>();
  private readonly pending = new Map<string, Promise<AccessToken>>();

  constructor(options: MsalCredentialOptions) {
    this.interaction = options.interaction ?? {};
    this.log = options.log;
    const saveCache = async (serialized: string) => {
      this.memoryCache = serialized;
      await options.saveCache?.(serialized);
    };
    const loadCache = async () => (await options.loadCache()) ?? this.memoryCache;
    this.createApp = (library) =>
      new library.PublicClientApplication({
        auth: {
          clientId: options.clientId,
          authority: options.authority,
          ...(options.knownAuthorities ? { knownAuthorities: options.knownAuthorities } : {}),
        },
        cache: { cachePlugin: createTokenCachePlugin(loadCache, saveCache, options.log) },
        system: this.interaction.networkClient ? { networkClient: this.interaction.networkClient } : {},
      });
  }

  /** The MSAL application, created (and MSAL loaded) on the first token request. */
  private client(): Promise<PublicClientApplication> {
    this.app ??= loadMsal().then(this.createApp);
    return this.app;
  }

  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken | null> {
    const scopeList = typeof scopes === 'string' ? [scopes] : scopes;
    const key = scopeList.join(' ');
    // Every blob client has its own auth policy, so parallel requests ask at once. Reuse a token that is
    // good for five more minutes, and share one acquisition: one keychain read, and never two sign-in prompts.
    const known = this.tokens.get(key);
    if (known && known.expiresOnTimestamp - Date.now() > 5 * 60_000) return known;
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.acquire(scopeList).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    const token = await pending;
    this.tokens.set(key, token);
    return token;
  }

  private async acquire(scopes: string[]): Promise<AccessToken> {
    const silent = await this.acquireSilently(scopes);
    return toAccessToken(silent ?? (await this.signIn(scopes)));
  }

  /** The cached account's token, refreshed if needed; undefined when the person must sign in. */
  async acquireSilently(scopes: string[]): Promise<AuthenticationResult | undefined> {
    const app = await this.client();
    const [account] = await app.getTokenCache().getAllAccounts();
    if (!account) return undefined;
    try {
      return await app.acquireTokenSilent({ account, scopes });
    } catch (error) {
      if (error instanceof (await loadMsal()).InteractionRequiredAuthError) {
        this.log.info('Entra ID sign-in expired; asking to sign in again', { error });
        return undefined;
      }
      throw new FerryError('AuthFailed', `Entra ID sign-in failed: ${(error as Error).message}`, { cause: error });
    }
  }

  private async signIn(scopes: string[]): Promise<AuthenticationResult> {
    const { openBrowser, onDeviceCode } = this.interaction;
    const flow = this.interaction.flow ?? (openBrowser ? 'interactive' : onDeviceCode ? 'device-code' : undefined);
    try {
      if (flow === 'interactive' && openBrowser) {
        return await (await this.client()).acquireTokenInteractive({ scopes, openBrowser });
      }
      if (flow === 'device-code' && onDeviceCode) {
        const app = await this.client();
        const result = await app.acquireTokenByDeviceCode({
          scopes,
          deviceCodeCallback: (response) =>
            onDeviceCode({
              userCode: response.userCode,
              verificationUri: response.verificationUri,
              message: response.message,
              expiresInSeconds: response.expiresIn,
            }),
        });
        if (!result) throw new Error('the device-code sign-in returned no token');
        return result;
      }
    } catch (error) {
      if (error instanceof FerryError) throw error;
      throw new FerryError('AuthFailed', `Entra ID sign-in failed: ${(error as Error).message}`, { cause: error });
    }
    throw new FerryError(
      'AuthFailed',
      'This Azure connection uses Entra ID and needs you to sign in, but no sign-in method is available here. Sign in from the FileFerry app, or use `fileferry` in a terminal (device code).',
    );
  }
}

function toAccessToken(result: AuthenticationResult): AccessToken {
  if (!result.accessToken) throw new FerryError('AuthFailed', 'Entra ID returned no access token for Azure Storage.');
  return {
    token: result.accessToken,
    expiresOnTimestamp: result.expiresOn?.getTime() ?? Date.now() + 5 * 60_000,
  };
}
