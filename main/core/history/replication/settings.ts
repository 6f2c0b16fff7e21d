// Where this data folder replicates its history: history-remote.json beside history.db (endpoint, database,
// container, how to sign in, and the private CA to trust, if any). The account key, or with Entra ID the MSAL
// token cache, is never in it: it lives in the credential store (the OS keychain) under the id this file names,
// so a copy of the data folder carries no secret. The CA certificate is public and is kept here so the app trusts it too, not only a command line
// started with FILEFERRY_CA_FILE.
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { FerryError } from '../../../../shared/errors';
import { writeFileAtomic } from '../../connections/atomic-file';

export const REMOTE_FILE = 'history-remote.json';
export const DEFAULT_DATABASE = 'fileferry';
export const DEFAULT_CONTAINER = 'history';
/** key: the account key. entra: Entra ID through the Azure connections' MSAL adapter (a device code on the CLI). */
export const REMOTE_AUTHS = ['key', 'entra'] as const;
export type RemoteAuth = (typeof REMOTE_AUTHS)[number];

/** Cosmos DB resource ids: 1–255 characters, none of / \ # ?, no trailing space. */
const resourceId = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^/\\#?]*[^/\\#? ]$/, 'no / \\ # ? and no trailing space');

/** Entra ID tenant and application ids: a GUID or a domain name (contoso.onmicrosoft.com), no URL. */
const entraId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,99}$/, 'a GUID or a domain name');

// The Entra fields are those of an Azure connection (shared/connection.ts azureSpecSchema), but required
// rather than optional: a history account has no "organizations" default, it belongs to one tenant.
const settingsSchema = z
  .object({
    endpoint: z.string().url(),
    database: resourceId,
    container: resourceId,
    auth: z.enum(REMOTE_AUTHS),
    /** The credential store's id for this account's key or token cache (letters, digits, - and _). */
    secretId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/),
    caPem: z.string().optional(),
    /** auth entra: the directory (tenant) id. */
    tenantId: entraId.optional(),
    /** auth entra: the application (client) id of an app registration that allows public-client flows. */
    clientId: entraId.optional(),
    /** auth entra: the authority (default https://login.microsoftonline.com/<tenantId>); for sovereign clouds. */
    authority: z.string().url().optional(),
  })
  .superRefine((settings, context) => {
    if (settings.auth !== 'entra') return;
    for (const field of ['tenantId', 'clientId'] as const) {
      if (!settings[field]) context.addIssue({ code: 'custom', path: [field], message: 'required with auth entra' });
    }
  });

export type RemoteSettings = z.infer<typeof settingsSchema>;
export type RemoteSettingsInput = Omit<RemoteSettings, 'secretId' | 'database' | 'container' | 'auth'> &
  Partial<Pick<RemoteSettings, 'database' | 'container' | 'auth'>>;

/** The authority MSAL signs in at for these settings (auth entra). */
export function entraAuthority(settings: RemoteSettings): string {
  return settings.authority ?? `https://login.microsoftonline.com/${settings.tenantId ?? 'organizations'}`;
}

/**
 * The scope of an Entra ID token for the account. Azure's public cloud has one Cosmos DB resource for every
 * account, https://cosmos.azure.com, which is what app registrations there are granted. Other clouds (Azure
 * China's documents.azure.cn, US Government's documents.azure.us) and any endpoint of another shape (an
 * emulator, a test) demand the account's own resource, so they get `<endpoint>/.default`.
 */
export function cosmosScope(endpoint: string): string {
  const { hostname, origin } = new URL(endpoint);
  return hostname.endsWith('.documents.azure.com') ? 'https://cosmos.azure.com/.default' : `${origin}/.default`;
}

/** Whether two settings sign in as the same Entra ID application (so a token cache of one serves the other). */
export function sameEntraApp(a: RemoteSettings | undefined, b: RemoteSettings): boolean {
  return (
    a !== undefined &&
    a.auth === 'entra' &&
    b.auth === 'entra' &&
    a.secretId === b.secretId &&
    a.endpoint === b.endpoint &&
    a.clientId === b.clientId &&
    entraAuthority(a) === entraAuthority(b)
  );
}

/** The account this data folder replicates to, or undefined when none is connected. */
export async function readRemoteSettings(dataDir: string): Promise<RemoteSettings | undefined> {
  let text: string;
  try {
    text = await readFile(join(dataDir, REMOTE_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = settingsSchema.safeParse(safeJson(text));
  if (!parsed.success) {
    throw new FerryError(
      'InvalidInput',
      `${join(dataDir, REMOTE_FILE)} is not a history account setting FileFerry can read. ` +
        'Run fileferry history remote rm, then history remote set again.',
    );
  }
  return parsed.data;
}

/** Checks and completes settings (defaults, a new secret id); throws InvalidInput naming what is wrong. */
export function completeRemoteSettings(input: RemoteSettingsInput, previous?: RemoteSettings): RemoteSettings {
  const endpoint = normaliseEndpoint(input.endpoint);
  const settings = {
    endpoint,
    database: input.database ?? DEFAULT_DATABASE,
    container: input.container ?? DEFAULT_CONTAINER,
    auth: input.auth ?? 'key',
    // A new account gets a new keychain entry; the same one keeps its own.
    secretId: previous?.endpoint === endpoint ? previous.secretId : `history-remote-${randomUUID()}`,
    ...(input.caPem ? { caPem: input.caPem } : {}),
    ...(input.auth === 'entra'
      ? {
          ...(input.tenantId !== undefined ? { tenantId: input.tenantId } : {}),
          ...(input.clientId !== undefined ? { clientId: input.clientId } : {}),
          ...(input.authority !== undefined ? { authority: input.authority } : {}),
        }
      : {}),
  };
  const parsed = settingsSchema.safeParse(settings);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new FerryError('InvalidInput', `The history account settings are not valid (${issues}).`);
  }
  return parsed.data;
}

export async function writeRemoteSettings(dataDir: string, settings: RemoteSettings): Promise<void> {
  await writeFileAtomic(join(dataDir, REMOTE_FILE), JSON.stringify(settings, null, 2));
}

export async function removeRemoteSettings(dataDir: string): Promise<void> {
  await rm(join(dataDir, REMOTE_FILE), { force: true });
}

/**
 * https only: key authentication signs each request rather than sending the key, but the records themselves
 * (file names, hosts) must not cross a network in clear text. The Cosmos DB emulator serves https too.
 */
function normaliseEndpoint(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new FerryError(
      'InvalidInput',
      `"${text}" is not a URL; a Cosmos DB endpoint looks like https://ACCOUNT.documents.azure.com:443/.`,
    );
  }
  if (url.protocol !== 'https:') {
    throw new FerryError('InvalidInput', `A Cosmos DB endpoint is an https:// address, not ${url.protocol}//.`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new FerryError(
      'InvalidInput',
      'A Cosmos DB endpoint is only https://HOST[:PORT]/: no user, key, query or fragment (the key is asked for separately).',
    );
  }
  return `${url.protocol}//${url.host}/`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
