// Turns parsed addresses into what the core understands: a ConnectionRef plus a provider path, and opens
// providers for them. Secrets stay here, in memory, keyed by ConnectionRef.secretsKey; the transfer queue
// (which the engine persists) only ever sees the key and the non-secret spec.
//
// s3:// and az:// addresses without a saved connection take their credentials from the environment the
// AWS and Azure CLIs read (the providers' s3SpecFromEnvironment / azureSpecFromEnvironment). Their specs
// name no bucket or container: the provider path is /bucket/key (or /container/blob), so `ls s3://` lists
// buckets, `mkdir s3://new-bucket` creates one, and a move between two buckets is one connection's rename.
//
// A saved connection also gets where to keep secrets its provider obtains (an Entra ID token cache goes to
// that connection's keychain entry), and an Entra ID one how to sign in (entra-sign-in.ts: a device code).
import { readFile } from 'node:fs/promises';
import { ftpSpecSchema, type ConnectionRef, type SecretResolver } from '../../shared/connection';
import { FerryError } from '../../shared/errors';
import { joinPath } from '../../shared/paths';
import type { CancelSignal, Provider } from '../../shared/provider';
import { registerSecret } from '../../shared/redact';
import type { SecretSaver } from '../core/connections/store';
import { createLogger } from '../core/log/logger';
// Types only: the Azure SDK loads when an Azure connection is opened.
import type { AzureProviderContext, EntraInteraction } from '../core/providers/azure-blob';
import { noSecrets } from '../core/providers/registry';
// Not '../core/transfers': that index loads the whole engine, which ls, mkdir and rm never use.
import { connectionKey } from '../core/transfers/connection-key';
import { describeAddress, localProviderPath, parseAddress, type Address } from './address';
import { cliEntraInteraction, cliSecretSaver } from './entra-sign-in';
import { UsageError } from './exit-codes';
import { getPassword, withMissingSecret } from './password';
import { withTimeouts, type Timeouts } from './timeouts';

export interface ResolvedLocation {
  ref: ConnectionRef;
  /** Provider path ("/a/b"). */
  path: string;
  /** How to name it in messages. */
  label: string;
}

/** Loaded on first use: opening the saved-connection store probes the keychain, which plain URLs never need. */
async function resolveSaved(name: string) {
  const { resolveSavedConnection } = await import('../core/connections');
  return resolveSavedConnection(name);
}

export const CA_FILE_ENV = 'FILEFERRY_CA_FILE';

/** A PEM file of extra CAs to trust for FTPS (a company CA, a test certificate), from FILEFERRY_CA_FILE. */
export async function extraCaPem(): Promise<string | undefined> {
  const file = process.env[CA_FILE_ENV];
  if (!file) return undefined;
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${CA_FILE_ENV} names ${file}, which cannot be read (${(error as Error).message}).`);
  }
}

/** Parses a command-line address; a bad one is a usage error (exit code 2). */
export function parseAddressArg(input: string): Address {
  try {
    return parseAddress(input, process.cwd());
  } catch (error) {
    if (error instanceof FerryError && error.code === 'InvalidInput') throw new UsageError(error.message);
    throw error;
  }
}

/** Environment variables that hold secrets: registered with redact() so no log line or message repeats them. */
const SECRET_ENV = [
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AZURE_STORAGE_KEY',
  'AZURE_STORAGE_SAS_TOKEN',
  'AZURE_STORAGE_CONNECTION_STRING',
] as const;

/** Runs a check whose InvalidInput (a bad bucket or container name) is the command line's mistake: exit code 2. */
async function asUsage<T>(check: () => T | Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    if (error instanceof FerryError && error.code === 'InvalidInput') throw new UsageError(error.message);
    throw error;
  }
}

/** Connection kinds whose providers a command reuses (see CliConnections.keep). */
const KEPT_KINDS: ReadonlySet<string> = new Set(['ftp', 'ftps']);

export class CliConnections {
  private readonly secrets = new Map<string, SecretResolver>();
  /**
   * FTP providers a command has used and handed back (withProvider), by connectionKey: the next openConnection
   * of the same connection takes one instead of connecting and logging in again. `cp` looks at both sides
   * before the engine copies, so the engine's transfer runs on the connection that look opened (one FTP login,
   * not two: 25–30 ms to vsftpd on loopback). close() closes what nobody took.
   */
  private readonly idle = new Map<string, Provider>();
  /** For saved connections: where their provider keeps secrets it obtains, by secretsKey. */
  private readonly savers = new Map<string, SecretSaver>();
  /** Saved connections resolved so far, id → name: what the history calls them (HistoryOptions.savedName). */
  private readonly savedNames = new Map<string, string>();
  /** How to sign in to Entra ID connections; one for the run, made when the first such address resolves. */
  private entra: EntraInteraction | undefined;
  private readonly log = createLogger({ component: 'cli' });
  /** The command's --timeout and --idle-timeout: they override the settings of every connection resolved. */
  timeouts: Timeouts = {};

  /**
   * env: the variables s3:// and az:// addresses are read with (tests pass their own). S3 credentials are
   * the exception: the AWS SDK's chain reads process.env itself at connect time.
   */
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {
    for (const name of SECRET_ENV) registerSecret(env[name]);
  }

  async resolve(address: Address): Promise<ResolvedLocation> {
    const label = describeAddress(address);
    switch (address.kind) {
      case 'local': {
        // On POSIX the root is "/", the provider's default; on Windows, the drive the path names.
        const local = localProviderPath(address.path);
        const spec = { kind: 'local' as const, ...(local.root === '/' ? {} : { root: local.root }) };
        return { ref: { spec }, path: local.path, label };
      }
      case 'ftp': {
        const caPem = address.spec.kind === 'ftps' ? await extraCaPem() : undefined;
        const spec = withTimeouts(ftpSpecSchema.parse({ ...address.spec, ...(caPem ? { caPem } : {}) }), this.timeouts);
        const secretsKey = describeAddress({ ...address, path: '' });
        if (!this.secrets.has(secretsKey)) {
          const password = address.needsPassword ? await getPassword(secretsKey) : undefined;
          this.secrets.set(secretsKey, async (field) => (field === 'password' ? password : undefined));
        }
        return { ref: { spec, secretsKey }, path: address.path, label };
      }
      case 'saved': {
        const found = await resolveSaved(address.name);
        if (!found) {
          // "s3:/bucket" or "ftp:host/x": a scheme missing a slash, more likely than a connection so named.
          const scheme = /^(s3|az|ftps?|file)$/i.test(address.name) ? address.name.toLowerCase() : undefined;
          const hint = scheme ? ` For an address, write ${scheme}:// (two slashes).` : '';
          throw new UsageError(
            `unknown connection "${address.name}". Saved connections are addressed as NAME:path.${hint}`,
          );
        }
        if (!this.secrets.has(`saved:${found.id}`))
          this.secrets.set(
            `saved:${found.id}`,
            await withMissingSecret(found.connection.name, found.spec, found.secrets, {
              env: this.env,
              stdin: process.stdin,
              stderr: process.stderr,
            }),
          );
        this.savers.set(`saved:${found.id}`, cliSecretSaver(found.saveSecret));
        this.savedNames.set(found.id, found.connection.name);
        // Made here, not at connect time, so a bad FILEFERRY_SIGN_IN is a usage error before anything starts.
        if (found.spec.kind === 'azure-blob' && found.spec.auth === 'entra')
          this.entra ??= cliEntraInteraction(this.env);
        const spec = withTimeouts(found.spec, this.timeouts);
        return { ref: { spec, secretsKey: `saved:${found.id}` }, path: address.path, label };
      }
      case 's3': {
        // Loaded on first use: these modules pull in the AWS SDK.
        const [{ s3SpecFromEnvironment }, { assertValidBucketName }] = await Promise.all([
          import('../core/providers/s3'),
          import('../core/providers/s3/location'),
        ]);
        if (address.bucket !== '') await asUsage(() => assertValidBucketName(address.bucket));
        // The SDK's own credential chain reads the environment at connect time: no secret passes through here.
        const spec = withTimeouts(s3SpecFromEnvironment(undefined, this.env), this.timeouts);
        return { ref: { spec }, path: bucketPath(address.bucket, address.path, label), label };
      }
      case 'azure-blob': {
        const [{ azureSpecFromEnvironment }, { assertContainerName }] = await Promise.all([
          import('../core/providers/azure-blob'),
          import('../core/providers/azure-blob/paths'),
        ]);
        if (address.container !== '') await asUsage(() => assertContainerName(address.container));
        const { spec, secrets } = await asUsage(() => azureSpecFromEnvironment(address.account, undefined, this.env));
        // A connection string names its own account; writing to it when the address names another would put
        // files where the person did not look.
        const stringAccount = /(?:^|;)\s*AccountName=([^;]+)/i.exec(
          this.env.AZURE_STORAGE_CONNECTION_STRING ?? '',
        )?.[1];
        if (stringAccount && stringAccount.trim() !== address.account) {
          throw new UsageError(
            `${label} names the account "${address.account}", but AZURE_STORAGE_CONNECTION_STRING is for "${stringAccount.trim()}".`,
          );
        }
        // The key names where the secret came from, never the secret itself: it is what the queue persists.
        const secretsKey = `env:az://${address.account}`;
        this.secrets.set(secretsKey, secrets);
        return { ref: { spec, secretsKey }, path: bucketPath(address.container, address.path, label), label };
      }
    }
  }

  /** A saved connection's name by its id, once this run has resolved it. */
  savedName = (id: string): string | undefined => this.savedNames.get(id);

  /**
   * Opens a provider for a resolved location's connection (the engine calls this too), or hands over the one
   * handed back for it (keep()). Whoever gets it closes it.
   */
  openConnection = async (ref: ConnectionRef, signal?: CancelSignal): Promise<Provider> => {
    if (!('spec' in ref)) throw new FerryError('NotFound', 'This command line does not know saved connection ids.');
    const key = connectionKey(ref);
    const kept = this.idle.get(key);
    if (kept) {
      this.idle.delete(key);
      return kept;
    }
    const secrets = (ref.secretsKey && this.secrets.get(ref.secretsKey)) || noSecrets;
    const saveSecret = ref.secretsKey ? this.savers.get(ref.secretsKey) : undefined;
    const context: AzureProviderContext = {
      secrets,
      log: this.log.child({ kind: ref.spec.kind }),
      ...(signal ? { signal } : {}),
      ...(saveSecret ? { saveSecret: async (field, value) => void (await saveSecret(field, value)) } : {}),
      ...(ref.spec.kind === 'azure-blob' && this.entra ? { entra: this.entra } : {}),
    };
    // Loaded on first use: the provider registry pulls in every SDK, which a usage error need not wait for.
    const { openProvider } = await import('../core/providers');
    return openProvider(ref.spec, context);
  };

  /**
   * Takes back a provider the command is done with: an FTP one is kept for the next openConnection of its
   * connection, any other closed. Only FTP's are worth keeping (a login is several round trips); keeping an S3
   * one changed when a cp's multipart upload starts and exposed a race the stop-signals test caught: a SIGTERM
   * during CreateMultipartUpload aborts the request, not the upload S3 may already have made.
   */
  async keep(ref: ConnectionRef, provider: Provider): Promise<void> {
    if (!('spec' in ref) || !KEPT_KINDS.has(ref.spec.kind)) return provider.close().catch(() => {});
    const key = connectionKey(ref);
    const replaced = this.idle.get(key);
    this.idle.set(key, provider);
    if (replaced && replaced !== provider) await replaced.close().catch(() => {});
  }

  /** Closes the providers handed back and not taken again; the command is over. */
  async close(): Promise<void> {
    const left = [...this.idle.values()];
    this.idle.clear();
    await Promise.all(left.map((provider) => provider.close().catch(() => {})));
  }
}

/** "/bucket" + "/key" → "/bucket/key"; without a bucket, "/" (the list of buckets or containers). */
function bucketPath(bucket: string, path: string, label: string): string {
  if (bucket !== '') return joinPath('/' + bucket, path);
  if (path !== '/') throw new UsageError(`${label} names no ${label.startsWith('s3:') ? 'bucket' : 'container'}.`);
  return '/';
}

/** Whether two locations live on the same connection (so a move can be a rename). */
export function sameConnection(a: ResolvedLocation, b: ResolvedLocation): boolean {
  return connectionKey(a.ref) === connectionKey(b.ref);
}
