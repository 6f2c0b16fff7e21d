// Entra ID sign-in for Azure Blob through MSAL (a public client: desktop app or CLI, no client secret),
// adapted to the Azure SDK's TokenCredential. getToken() tries the cached account silently first (access
// token from the cache, or a refresh-token exchange), and only then asks the person to sign in, through
// whichever interaction the host application injected: the system browser (desktop) or a device code (CLI).
// The MSAL token cache lives in the credential store (the "tokenCache" secret), so a signed-in person stays
// signed in across runs without FileFerry ever writing tokens to a plain file.
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import type {
  AuthenticationResult,
  DeviceCodeRequest,
  ICachePlugin,
  INetworkModule,
  PublicClientApplication,
  TokenCacheContext,
} from '@azure/msal-node';
import { FerryError } from '../../../../shared/errors';
import { registerSecret } from '../../../../shared/redact';
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
  /**
   * Told when a sign-in that needs the person starts (before the browser opens or the code is shown), with a
   * function that abandons it: a window's Cancel button, where nobody presses Ctrl-C. An abandoned sign-in ends
   * with Cancelled and saves nothing. What this returns is called once when that sign-in ends: without an
   * error once signed in (the token cache is saved by then), else with the FerryError it failed with. A silent
   * sign-in from the cache calls neither.
   */
  onSignInStarted?: (cancel: () => void) => ((error?: FerryError) => void) | void;
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
  /**
   * The error when the person must sign in but the interaction offers no way to (a background task, a command
   * without a terminal); default: worded for an Azure connection. It is thrown at once: nothing waits.
   */
  signInUnavailable?: () => FerryError;
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
  private readonly signInUnavailable: (() => FerryError) | undefined;
  /** The last cache we saw, so a store without saveCache still keeps sign-ins for this session. */
  private memoryCache: string | undefined;
  private readonly tokens = new Map<string, AccessToken>();
  private readonly pending = new Map<string, Acquisition>();

  constructor(options: MsalCredentialOptions) {
    this.interaction = options.interaction ?? {};
    this.log = options.log;
    this.signInUnavailable = options.signInUnavailable;
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

  /**
   * A token for the scopes: cached, refreshed silently, or after a sign-in. options.abortSignal (the Azure SDK
   * passes the request's, which the engine aborts on cancel or Ctrl-C) stops waiting for the person: the
   * sign-in itself is abandoned once every caller waiting on it has given up, so no token arrives and nothing
   * is saved (unless a device-code poll already on its way brings one: that sign-in is then complete).
   */
  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    const scopeList = typeof scopes === 'string' ? [scopes] : scopes;
    const key = scopeList.join(' ');
    // Every blob client has its own auth policy, so parallel requests ask at once. Reuse a token that is
    // good for five more minutes, and share one acquisition: one keychain read, and never two sign-in prompts.
    const known = this.tokens.get(key);
    if (known && known.expiresOnTimestamp - Date.now() > 5 * 60_000) return known;
    let acquisition = this.pending.get(key);
    if (!acquisition) {
      const cancel = new AbortController();
      const started: Acquisition = {
        cancel,
        abortableWaiters: 0,
        pinned: false,
        promise: this.acquire(scopeList, cancel).finally(() => this.pending.delete(key)),
      };
      this.pending.set(key, started);
      acquisition = started;
    }
    const token = await waitFor(acquisition, options?.abortSignal);
    this.tokens.set(key, token);
    return token;
  }

  private async acquire(scopes: string[], cancel: AbortController): Promise<AccessToken> {
    const silent = await this.acquireSilently(scopes);
    return toAccessToken(silent ?? (await this.signIn(scopes, cancel)));
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

  /** Asks the person to sign in; the host hears when it starts and ends, and may abandon it (onSignInStarted). */
  private async signIn(scopes: string[], cancel: AbortController): Promise<AuthenticationResult> {
    const { openBrowser, onDeviceCode } = this.interaction;
    const flow = this.interaction.flow ?? (openBrowser ? 'interactive' : onDeviceCode ? 'device-code' : undefined);
    const method: SignInMethod | undefined =
      flow === 'interactive' && openBrowser
        ? { flow, openBrowser }
        : flow === 'device-code' && onDeviceCode
          ? { flow, onDeviceCode }
          : undefined;
    if (!method) {
      if (this.signInUnavailable) throw this.signInUnavailable();
      throw new FerryError(
        'AuthFailed',
        'This Azure connection uses Entra ID and needs you to sign in, but no sign-in method is available here. Sign in from the FileFerry app, or use `fileferry` in a terminal (device code).',
      );
    }
    if (cancel.signal.aborted) throw signInCancelled();
    const ended = this.interaction.onSignInStarted?.(() => cancel.abort());
    try {
      const result = await this.runSignIn(method, scopes, cancel.signal);
      ended?.();
      return result;
    } catch (error) {
      ended?.(error as FerryError); // runSignIn throws FerryErrors only
      throw error;
    }
  }

  private async runSignIn(method: SignInMethod, scopes: string[], cancel: AbortSignal): Promise<AuthenticationResult> {
    try {
      if (method.flow === 'interactive') {
        const { openBrowser } = method;
        // MSAL cannot stop its loopback listener from outside; a cancelled wait answers it as a person who
        // declines would (see refuseLoopback), which ends the flow and closes the port.
        let authorizeUrl: string | undefined;
        const refuse = () => void (authorizeUrl && refuseLoopback(authorizeUrl, this.log));
        cancel.addEventListener('abort', refuse, { once: true });
        try {
          return await (
            await this.client()
          ).acquireTokenInteractive({
            scopes,
            openBrowser: async (url) => {
              authorizeUrl = url;
              if (cancel.aborted) return refuse();
              await openBrowser(url);
            },
          });
        } finally {
          cancel.removeEventListener('abort', refuse);
        }
      } else {
        const { onDeviceCode } = method;
        const app = await this.client();
        const request: DeviceCodeRequest = {
          scopes,
          deviceCodeCallback: (response) =>
            onDeviceCode({
              userCode: response.userCode,
              verificationUri: response.verificationUri,
              message: response.message,
              expiresInSeconds: response.expiresIn,
            }),
        };
        // MSAL checks this flag before each poll of the token endpoint; polling then stops with an error.
        const stop = () => (request.cancel = true);
        cancel.addEventListener('abort', stop, { once: true });
        try {
          const result = await app.acquireTokenByDeviceCode(request);
          if (!result) throw new Error('the device-code sign-in returned no token');
          return result;
        } finally {
          cancel.removeEventListener('abort', stop);
        }
      }
    } catch (error) {
      if (error instanceof FerryError) throw error;
      if (cancel.aborted) throw signInCancelled(error);
      throw new FerryError('AuthFailed', `Entra ID sign-in failed: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** The sign-in flow to run, with the host's callback for it. */
type SignInMethod =
  | { flow: 'interactive'; openBrowser: NonNullable<EntraInteraction['openBrowser']> }
  | { flow: 'device-code'; onDeviceCode: NonNullable<EntraInteraction['onDeviceCode']> };

/** One token acquisition shared by every caller that asked for the same scopes meanwhile. */
interface Acquisition {
  promise: Promise<AccessToken>;
  /** Aborted when no caller is left waiting: stops a sign-in nobody wants any more. */
  cancel: AbortController;
  /** Callers with an abort signal that have not given up. */
  abortableWaiters: number;
  /** Whether a caller without an abort signal waits (it can never give up, so the sign-in must go on). */
  pinned: boolean;
}

/** Waits for the acquisition, or rejects with Cancelled as soon as this caller's signal aborts. */
function waitFor(acquisition: Acquisition, signal: GetTokenOptions['abortSignal']): Promise<AccessToken> {
  if (!signal) {
    acquisition.pinned = true;
    return acquisition.promise;
  }
  if (signal.aborted) return Promise.reject(signInCancelled());
  acquisition.abortableWaiters++;
  return new Promise<AccessToken>((resolve, reject) => {
    const giveUp = () => {
      acquisition.abortableWaiters--;
      if (acquisition.abortableWaiters === 0 && !acquisition.pinned) acquisition.cancel.abort();
      reject(signInCancelled());
    };
    signal.addEventListener('abort', giveUp, { once: true });
    acquisition.promise.then(
      (token) => {
        signal.removeEventListener('abort', giveUp);
        resolve(token);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', giveUp);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function signInCancelled(cause?: unknown): FerryError {
  return new FerryError('Cancelled', 'The Entra ID sign-in was cancelled.', { cause });
}

/**
 * Ends MSAL's interactive sign-in by posting to its loopback redirect what the identity provider sends when the
 * person declines (error=access_denied with the request's state). MSAL accepts only a response carrying the
 * exact state of the pending request, so this can end no other sign-in.
 */
async function refuseLoopback(authorizeUrl: string, log: Logger): Promise<void> {
  try {
    const query = new URL(authorizeUrl).searchParams;
    const redirect = new URL(query.get('redirect_uri') ?? '');
    // MSAL listens on 127.0.0.1 while naming "localhost" in the redirect URI, which may resolve to ::1 first.
    if (redirect.hostname === 'localhost') redirect.hostname = '127.0.0.1';
    const body = new URLSearchParams({
      error: 'access_denied',
      error_description: 'The sign-in was cancelled in FileFerry.',
      state: query.get('state') ?? '',
    });
    const response = await fetch(redirect, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    await response.arrayBuffer();
  } catch (error) {
    log.warn('Could not stop the waiting Entra ID browser sign-in', { error });
  }
}

function toAccessToken(result: AuthenticationResult): AccessToken {
  if (!result.accessToken) throw new FerryError('AuthFailed', 'Entra ID returned no access token for Azure Storage.');
  registerSecret(result.accessToken); // masked in any log line or message that might quote it
  return {
    token: result.accessToken,
    expiresOnTimestamp: result.expiresOn?.getTime() ?? Date.now() + 5 * 60_000,
  };
}
