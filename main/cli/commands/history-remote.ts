// `fileferry history remote set|show|rm` and `fileferry history sync`: replication of this data folder's
// history to an Azure Cosmos DB account (main/core/history/replication). Routed here by history.ts.
//
// The account key never comes from argv: FILEFERRY_SECRET, --password-stdin, or a prompt without echo, then
// the OS keychain. With --auth entra, `set` signs in once with a device code on stderr (as an Entra ID Azure
// connection does, cliEntraInteraction) and MSAL's token cache goes to the keychain; `sync` then signs in from
// that cache silently, and asks for a new device code only on a terminal. A private CA is trusted through FILEFERRY_CA_FILE, as for FTPS (kept with the settings, so
// the app trusts it too).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FerryError } from '../../../shared/errors';
import type { ReplicationStatus } from '../../../shared/history';
import { dataDir } from '../../core/app-paths';
import { connectionStore } from '../../core/connections';
import { readDevice } from '../../core/history/device';
import {
  completeRemoteSettings,
  connectRemote,
  DEFAULT_CONTAINER,
  DEFAULT_DATABASE,
  disconnectRemote,
  openReplicator,
  readRemoteSettings,
  readReplicationStatus,
  REMOTE_AUTHS,
  REMOTE_FILE,
  type RemoteAuth,
  type RemoteSettings,
  type RemoteSettingsInput,
  type ReplicationContext,
} from '../../core/history/replication';
import { HISTORY_FILE, HistoryStore } from '../../core/history/store';
import { EXIT, UsageError } from '../exit-codes';
import { formatDate, printable } from '../format';
import { cliEntraInteraction } from '../entra-sign-in';
import { extraCaPem } from '../locations';
import { SECRET_ENV } from '../password';
import { readSecret } from './connections';
import { parseCommandArgs, type CommandContext } from './common';

const REMOTE_USAGE = `fileferry history remote set --endpoint URL [--database NAME] [--container NAME] [--auth key] [--password-stdin]
fileferry history remote set --endpoint URL [--database NAME] [--container NAME] --auth entra --tenant ID --client-id ID [--authority URL]
fileferry history remote show [--json]
fileferry history remote rm
fileferry history sync [--json]

Replicates this device's transfer history to an Azure Cosmos DB account, and brings the records of your
other devices (each data folder is one device) into this one's history.

  set       connect an account (or change its settings); the history recorded so far is queued to upload.
            --endpoint URL     the account's endpoint, https://ACCOUNT.documents.azure.com:443/
            --database NAME    created when missing (default ${DEFAULT_DATABASE})
            --container NAME   created when missing, partitioned by device (default ${DEFAULT_CONTAINER})
            --auth key         sign in with the account key (the default)
            --auth entra       sign in with Entra ID: a device code is shown (FILEFERRY_SIGN_IN=browser opens
                               the browser instead); your account needs a Cosmos DB data role on the account
            --tenant ID        the directory (tenant) id (--auth entra)
            --client-id ID     the application id of an app registration allowing public-client flows
            --authority URL    another authority (sovereign clouds); default login.microsoftonline.com/TENANT
            The key is read from ${SECRET_ENV}, from stdin with --password-stdin, or asked for on a
            terminal, and kept in the OS keychain, as is Entra ID's token cache. FILEFERRY_CA_FILE: a private
            CA to trust.
  show      the account, and the replication's state, pending uploads, last success and last error
  rm        disconnect: the key leaves the keychain; records already here stay
  sync      one cycle now: upload what is pending, then bring in the other devices' records; prints how
            many went each way, and exits 1 with the reason when the account cannot be reached (or, with
            Entra ID, when the sign-in has expired and there is no terminal to sign in again)

The desktop app replicates in the background; each cp or mv uploads its own records for up to 5 seconds
when it ends, and leaves the rest for the next run or the app.`;

const SET_OPTIONS = {
  endpoint: { type: 'string' },
  database: { type: 'string' },
  container: { type: 'string' },
  auth: { type: 'string' },
  tenant: { type: 'string' },
  'client-id': { type: 'string' },
  authority: { type: 'string' },
  'password-stdin': { type: 'boolean' },
} as const;
const ENTRA_OPTIONS = ['tenant', 'client-id', 'authority'] as const;
const JSON_OPTION = { json: { type: 'boolean' } } as const;

/** `history remote …` (args after "remote"). */
export async function historyRemote(args: string[], context: CommandContext): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case 'set':
      return set(rest, context);
    case 'show':
      return show(rest, context);
    case 'rm':
    case 'remove':
      return remove(rest, context);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      context.stdout.write(REMOTE_USAGE + '\n');
      return command === undefined ? EXIT.usage : EXIT.ok;
    default:
      throw new UsageError(`unknown command "history remote ${command}": set, show or rm.`);
  }
}

/** `history sync` (args after "sync"). */
export async function historySync(args: string[], context: CommandContext): Promise<number> {
  const { values, help } = parseCommandArgs(args, JSON_OPTION, { min: 0, max: 0, names: 'no arguments' }, context);
  if (help) return (context.stdout.write(REMOTE_USAGE + '\n'), EXIT.ok);
  if (!(await readRemoteSettings(dataDir()))) throw noAccount();
  return withReplication(async (replication) => {
    const fallbackKey = process.env[SECRET_ENV] || undefined;
    const caPem = await extraCaPem();
    // A new Entra ID sign-in only where a person can answer it; a script or a cron job fails at once instead.
    const entra = process.stderr.isTTY ? cliEntraInteraction(process.env, context.stderr) : undefined;
    const replicator = await openReplicator(replication, {
      ...(fallbackKey ? { fallbackKey } : {}),
      ...(caPem ? { extraCaPem: caPem } : {}),
      ...(entra ? { entra } : {}),
    });
    if (!replicator) throw noAccount();
    try {
      const { pushed, pulled } = await replicator.sync();
      const pending = replication.store.pendingCount();
      if (values.json) context.stdout.write(JSON.stringify({ pushed, pulled, pending }) + '\n');
      else {
        context.stdout.write(
          `Uploaded ${plural(pushed, 'record')} of this device; brought in ${plural(pulled, 'record')} of other devices.\n`,
        );
        if (pending > 0) context.stdout.write(`${plural(pending, 'record')} recorded meanwhile still to upload.\n`);
      }
      return EXIT.ok;
    } finally {
      await replicator.close();
    }
  });
}

async function set(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals, help } = parseCommandArgs(
    args,
    SET_OPTIONS,
    { min: 0, max: 0, names: 'options only' },
    context,
  );
  if (help || positionals.length > 0) return (context.stdout.write(REMOTE_USAGE + '\n'), help ? EXIT.ok : EXIT.usage);
  if (!values.endpoint)
    throw new UsageError('history remote set needs --endpoint URL (https://ACCOUNT.documents.azure.com:443/).');
  const auth = values.auth ?? 'key';
  if (!isRemoteAuth(auth)) throw new UsageError(`--auth takes key or entra, not "${auth}".`);
  if (auth === 'entra') {
    if (!values.tenant || !values['client-id'])
      throw new UsageError('--auth entra needs --tenant ID and --client-id ID (the app registration).');
  } else {
    const stray = ENTRA_OPTIONS.find((name) => values[name] !== undefined);
    if (stray) throw new UsageError(`--${stray} goes with --auth entra.`);
  }
  const caPem = await extraCaPem();
  const input = {
    endpoint: values.endpoint,
    ...(values.database !== undefined ? { database: values.database } : {}),
    ...(values.container !== undefined ? { container: values.container } : {}),
    auth,
    ...(caPem ? { caPem } : {}),
    ...(values.tenant !== undefined ? { tenantId: values.tenant } : {}),
    ...(values['client-id'] !== undefined ? { clientId: values['client-id'] } : {}),
    ...(values.authority !== undefined ? { authority: values.authority } : {}),
  };
  // Checked before the key is asked for: typing a key for settings that cannot be saved helps nobody.
  await asUsage(async () => completeRemoteSettings(input));
  if (auth === 'entra') return setEntra(input, context);
  return withReplication(async (replication) => {
    const key = await readSecret(
      'accountKey',
      'the history account',
      { stdout: context.stdout, stderr: context.stderr, stdin: process.stdin, env: process.env },
      values['password-stdin'] === true,
    );
    const { settings, queued } = await connectRemote(replication, input, key);
    context.stdout.write(
      printable(
        `History replicates to ${settings.endpoint} (database ${settings.database}, container ${settings.container}); ` +
          'its key is saved in the OS keychain.',
      ) + '\n',
    );
    context.stdout.write(
      `${plural(queued, 'record')} of this device queued to upload: run fileferry history sync to upload now.\n`,
    );
    return EXIT.ok;
  });
}

/** `set --auth entra`: signs in (a device code on stderr), then connects. */
async function setEntra(input: RemoteSettingsInput, context: CommandContext): Promise<number> {
  const entra = cliEntraInteraction(process.env, context.stderr);
  return withReplication(async (replication) => {
    const { settings, queued } = await connectRemote(replication, input, { entra });
    context.stdout.write(
      printable(
        `Signed in with Entra ID. History replicates to ${settings.endpoint} (database ${settings.database}, ` +
          `container ${settings.container}); the sign-in is kept in the OS keychain.`,
      ) + '\n',
    );
    context.stdout.write(
      `${plural(queued, 'record')} of this device queued to upload: run fileferry history sync to upload now.\n`,
    );
    return EXIT.ok;
  });
}

function isRemoteAuth(text: string): text is RemoteAuth {
  return (REMOTE_AUTHS as readonly string[]).includes(text);
}

async function show(args: string[], context: CommandContext): Promise<number> {
  const { values, help } = parseCommandArgs(args, JSON_OPTION, { min: 0, max: 0, names: 'no arguments' }, context);
  if (help) return (context.stdout.write(REMOTE_USAGE + '\n'), EXIT.ok);
  const folder = dataDir();
  const settings = await readRemoteSettings(folder);
  if (!settings) {
    // Looking opens no history and makes no device of this data folder (as `history` does).
    if (values.json)
      context.stdout.write(JSON.stringify({ account: null, status: { state: 'off', pending: 0 } }) + '\n');
    else {
      context.stdout.write(
        'No history account is set (history stays on this device). Connect one with fileferry history remote set.\n',
      );
    }
    return EXIT.ok;
  }
  const { store } = await HistoryStore.open(folder);
  try {
    const device = await readDevice(folder);
    const status = await readReplicationStatus({ dataDir: folder, store });
    if (values.json) {
      const account = {
        endpoint: settings.endpoint,
        database: settings.database,
        container: settings.container,
        auth: settings.auth,
        ...(settings.auth === 'entra'
          ? {
              tenantId: settings.tenantId,
              clientId: settings.clientId,
              ...(settings.authority ? { authority: settings.authority } : {}),
            }
          : {}),
        privateCa: settings.caPem !== undefined,
      };
      context.stdout.write(JSON.stringify({ account, device, status }) + '\n');
      return EXIT.ok;
    }
    const lines = [
      `endpoint      ${settings.endpoint}`,
      `database      ${settings.database}`,
      `container     ${settings.container} (partitioned by device)`,
      `auth          ${authLine(settings)}${settings.caPem ? '; a private CA is trusted' : ''}`,
      `this device   ${device.name} (${device.id})`,
      ...statusLines(status),
    ];
    context.stdout.write(printable(lines.join('\n'), { lines: true }) + '\n');
    return EXIT.ok;
  } finally {
    store.close();
  }
}

async function remove(args: string[], context: CommandContext): Promise<number> {
  const { help } = parseCommandArgs(args, {}, { min: 0, max: 0, names: 'no arguments' }, context);
  if (help) return (context.stdout.write(REMOTE_USAGE + '\n'), EXIT.ok);
  if (!existsSync(join(dataDir(), REMOTE_FILE)) && !existsSync(join(dataDir(), HISTORY_FILE))) {
    context.stdout.write('No history account was set.\n');
    return EXIT.ok;
  }
  return withReplication(async (replication) => {
    const settings = await readRemoteSettings(replication.dataDir).catch(() => undefined);
    const pending = replication.store.pendingCount();
    if (!(await disconnectRemote(replication))) {
      context.stdout.write('No history account was set.\n');
      return EXIT.ok;
    }
    context.stdout.write(
      printable(
        `History no longer replicates to ${settings?.endpoint ?? 'the account'}; its ${settings?.auth === 'entra' ? 'sign-in was' : 'key was'} removed from the keychain.`,
      ) + '\n',
    );
    if (pending > 0) context.stdout.write(`${plural(pending, 'record')} not yet uploaded stay on this device only.\n`);
    return EXIT.ok;
  });
}

function authLine(settings: RemoteSettings): string {
  if (settings.auth === 'key') return 'account key, in the OS keychain';
  const authority = settings.authority ? `, authority ${settings.authority}` : '';
  return `Entra ID (tenant ${settings.tenantId}, client ${settings.clientId}${authority}), sign-in in the OS keychain`;
}

function statusLines(status: ReplicationStatus): string[] {
  const lines = [`state         ${status.state}`, `pending       ${plural(status.pending, 'record')} to upload`];
  lines.push(`last success  ${status.lastSuccess === undefined ? 'never' : formatDate(status.lastSuccess)}`);
  if (status.lastError) {
    lines.push(
      `last error    ${formatDate(status.lastError.at)}: ${status.lastError.code}: ${status.lastError.message}`,
    );
  }
  return lines;
}

/** Opens the data folder's history, device and credential store for `work`, and closes the history after. */
async function withReplication(work: (replication: ReplicationContext) => Promise<number>): Promise<number> {
  const folder = dataDir();
  const [{ store, setAside }, device, connections] = await Promise.all([
    HistoryStore.open(folder),
    readDevice(folder),
    connectionStore(),
  ]);
  if (setAside)
    process.stderr.write(
      `fileferry: warning: the transfer history could not be read and was set aside as ${setAside}.\n`,
    );
  try {
    return await work({ dataDir: folder, store, device, credentials: connections.credentials });
  } finally {
    store.close();
  }
}

/** Settings the person typed that do not hold (a bad endpoint or name) are a usage error. */
async function asUsage<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof FerryError && error.code === 'InvalidInput') throw new UsageError(error.message);
    throw error;
  }
}

function noAccount(): FerryError {
  return new FerryError(
    'NotFound',
    'No history account is set for this data folder: connect one with fileferry history remote set --endpoint URL.',
  );
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
