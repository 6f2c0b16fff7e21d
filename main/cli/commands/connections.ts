// `fileferry connections …`: list, add, test, rm, import, export saved connections.
// Secrets never come from argv (shell history, process lists): add reads them from FILEFERRY_PASSWORD /
// FILEFERRY_SECRET, from stdin with --password-stdin, or from a prompt without echo on a terminal.
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ConnectionSpec, ConnectionSpecInput, SecretField } from '../../../shared/connection';
import type { ConnectionDraftInput, SavedConnection } from '../../../shared/connections';
import { FerryError, isFerryError } from '../../../shared/errors';
import { registerSecret } from '../../../shared/redact';
import { ConnectionStore, connectionStore, requiredSecretField } from '../../core/connections';
import { SECRET_FIELD_LABELS, SessionCredentialStore, secretNotKeptError } from '../../core/credentials';
import {
  commitImport,
  describeFormat,
  exportConnections,
  previewImport,
  toExport,
  type ImportPreview,
} from '../../core/imports';
import { cliOpenOptions } from '../entra-sign-in';
import { EXIT, UsageError } from '../exit-codes';
import { printable } from '../format';
import { getPassword, secretEnvName } from '../password';
import { parseTimeouts, TIMEOUT_OPTIONS, withTimeouts } from '../timeouts';

export interface ConnectionsCommandIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  stdin: NodeJS.ReadStream;
  env: NodeJS.ProcessEnv;
}

export interface ConnectionsCommandDeps {
  /** The store to use (tests); default: the shared store in the data folder. */
  store?: ConnectionStore;
}

export const CONNECTIONS_USAGE = `Usage: fileferry connections <command>

  list [--json]                      saved connections (no secrets)
  add NAME --kind KIND [options]     save a connection; its secret is read from FILEFERRY_PASSWORD
                                     (FTP) or FILEFERRY_SECRET (S3 secret key, Azure key/SAS/connection
                                     string), from stdin with --password-stdin, or asked for on a terminal
  test NAME [--timeout S] [--idle-timeout S]
                                     connect and list the default remote folder
  rm NAME                            delete a connection and its saved secrets
  import FILE [--yes] [--only N,…]   import from FileZilla sitemanager.xml, rclone.conf, ~/.aws/config or
                                     credentials, or a FileFerry export: shows a preview, saves with --yes
                                     (or after confirmation on a terminal)
  export FILE|-                      write every connection as JSON, without secrets

Options of add:
  --kind ftp|ftps|s3|azure-blob|local
  FTP:   --host H --port N --user U --tls none|explicit|implicit --fingerprint SHA256 (repeatable) --ca-file PEM
         --no-temp-names (write uploads under their final names: for drop boxes that refuse renames)
         --timeout SECONDS (the longest a listing or command may take; default 120, 0: no limit)
         --idle-timeout SECONDS (how long the server may send nothing; default 30)
  S3:    --bucket B --region R --endpoint URL --path-style --auth keys|profile|env --profile P --access-key-id ID
         --idle-timeout SECONDS (how long S3 may send nothing; default 120)
  Azure: --account A --container C --endpoint URL --auth connection-string|key|sas|entra --tenant-id T --client-id C
  Local: --root DIR
  Any:   --group G --notes TEXT --remote-folder PATH --local-folder DIR --concurrency N --password-stdin --test
         --session-only (keep the secret in memory for this run only, e.g. for --test, when no keychain can keep
         it; later commands then read it from FILEFERRY_PASSWORD / FILEFERRY_SECRET or ask on a terminal)
`;

const ADD_OPTIONS = {
  kind: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  user: { type: 'string' },
  tls: { type: 'string' },
  fingerprint: { type: 'string', multiple: true },
  'ca-file': { type: 'string' },
  'no-temp-names': { type: 'boolean' },
  ...TIMEOUT_OPTIONS,
  bucket: { type: 'string' },
  region: { type: 'string' },
  endpoint: { type: 'string' },
  'path-style': { type: 'boolean' },
  auth: { type: 'string' },
  profile: { type: 'string' },
  'access-key-id': { type: 'string' },
  account: { type: 'string' },
  container: { type: 'string' },
  'tenant-id': { type: 'string' },
  'client-id': { type: 'string' },
  root: { type: 'string' },
  group: { type: 'string' },
  notes: { type: 'string' },
  'remote-folder': { type: 'string' },
  'local-folder': { type: 'string' },
  concurrency: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  'session-only': { type: 'boolean' },
  test: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

/** Options someone might try for a secret; refused with the reason and the alternatives. */
const SECRET_FLAGS = /^--(password|pass|secret|secret-access-key|account-key|connection-string|sas|sas-token|key)(=|$)/;

/** Runs `fileferry connections ARGV…` (argv without the "connections" word). Returns the exit code. */
export async function connectionsCommand(
  argv: string[],
  partialIo: Partial<ConnectionsCommandIO> = {},
  deps: ConnectionsCommandDeps = {},
): Promise<number> {
  const io: ConnectionsCommandIO = {
    stdout: partialIo.stdout ?? process.stdout,
    stderr: partialIo.stderr ?? process.stderr,
    stdin: partialIo.stdin ?? process.stdin,
    env: partialIo.env ?? process.env,
  };
  const [command, ...rest] = argv;
  try {
    const store = async () => deps.store ?? connectionStore();
    switch (command) {
      case 'list':
      case 'ls':
        return await list(rest, io, await store());
      case 'add':
        return await add(rest, io, await store());
      case 'test':
        return await test(rest, io, await store());
      case 'rm':
      case 'remove':
        return await remove(rest, io, await store());
      case 'import':
        return await importFile(rest, io, await store());
      case 'export':
        return await exportFile(rest, io, await store());
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(CONNECTIONS_USAGE);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw new UsageError(`unknown command "connections ${command}".`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(
        `fileferry connections: ${(error as Error).message}\nRun "fileferry connections help" for usage.\n`,
      );
      return EXIT.usage;
    }
    const message = isFerryError(error)
      ? `${error.message}`
      : `Unexpected error: ${(error as Error).message ?? String(error)}`;
    io.stderr.write(`fileferry connections: ${message}\n`);
    return EXIT.failure;
  }
}

function oneName(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`${what} takes exactly one connection name.`);
  return positionals[0]!;
}

async function list(argv: string[], io: ConnectionsCommandIO, store: ConnectionStore): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' } },
    allowPositionals: false,
    strict: true,
  });
  void positionals;
  const connections = await store.list();
  const rows = await Promise.all(
    connections.map(async (c) => ({
      connection: c,
      secrets: await store.storedSecretFields(c),
      needed: requiredSecretField(c.spec),
    })),
  );
  if (values.json) {
    io.stdout.write(
      JSON.stringify(
        rows.map((r) => ({ ...r.connection, storedSecrets: r.secrets })),
        null,
        2,
      ) + '\n',
    );
    return EXIT.ok;
  }
  if (rows.length === 0) {
    io.stdout.write('No saved connections. Add one with "fileferry connections add NAME --kind …" or import one.\n');
    return EXIT.ok;
  }
  const table = [
    ['NAME', 'KIND', 'WHERE', 'GROUP', 'SECRET'],
    ...rows.map((r) => [
      r.connection.name,
      r.connection.kind,
      describeWhere(r.connection),
      r.connection.group ?? '',
      r.needed === undefined ? '-' : r.secrets.includes(r.needed) ? 'saved' : 'missing',
    ]),
  ];
  const widths = table[0]!.map((_, col) => Math.max(...table.map((row) => row[col]!.length)));
  for (const row of table)
    io.stdout.write(
      row
        .map((cell, col) => cell.padEnd(widths[col]!))
        .join('  ')
        .trimEnd() + '\n',
    );
  if (!store.credentials.persistent && store.credentials.notice) io.stderr.write(`Note: ${store.credentials.notice}\n`);
  return EXIT.ok;
}

function describeWhere(connection: Pick<SavedConnection, 'spec'>): string {
  const spec = connection.spec;
  switch (spec.kind) {
    case 'ftp':
    case 'ftps':
      return `${spec.user}@${spec.host}${spec.port ? `:${spec.port}` : ''}${spec.kind === 'ftps' ? ` (TLS ${spec.tls})` : ''}`;
    case 's3':
      return `${spec.bucket ? `s3://${spec.bucket}` : 'all buckets'}${spec.endpoint ? ` at ${spec.endpoint}` : spec.region ? ` in ${spec.region}` : ''}${spec.auth === 'profile' ? ` (profile ${spec.profile ?? 'default'})` : ''}`;
    case 'azure-blob':
      return `${spec.account ?? spec.endpoint ?? '(from connection string)'}${spec.container ? `/${spec.container}` : ''}`;
    case 'local':
      return spec.root ?? '/';
  }
}

async function add(argv: string[], io: ConnectionsCommandIO, store: ConnectionStore): Promise<number> {
  const secretFlag = argv.find((arg) => SECRET_FLAGS.test(arg));
  if (secretFlag) {
    throw new UsageError(
      `${secretFlag.split('=')[0]} is not accepted: secrets on the command line end up in shell history and process lists. ` +
        'Set FILEFERRY_PASSWORD (or FILEFERRY_SECRET for keys and tokens), use --password-stdin, or let the terminal prompt ask.',
    );
  }
  const { values, positionals } = parseArgs({ args: argv, options: ADD_OPTIONS, allowPositionals: true, strict: true });
  const name = oneName(positionals, 'add');
  if (!values.kind) throw new UsageError('add needs --kind (ftp, ftps, s3, azure-blob or local).');
  const spec = await specFromFlags(values);
  const draft: ConnectionDraftInput = {
    name,
    spec: spec as ConnectionDraftInput['spec'],
    ...(values.group !== undefined ? { group: values.group } : {}),
    ...(values.notes !== undefined ? { notes: values.notes } : {}),
    ...(values['remote-folder'] !== undefined ? { defaultRemoteFolder: values['remote-folder'] } : {}),
    ...(values['local-folder'] !== undefined ? { defaultLocalFolder: values['local-folder'] } : {}),
    ...(values.concurrency !== undefined ? { concurrency: integer(values.concurrency, '--concurrency') } : {}),
  };
  if (await store.find(name))
    throw new FerryError(
      'AlreadyExists',
      `A connection named "${name}" already exists. Remove it first or choose another name.`,
    );

  const field = requiredSecretField(spec);
  const sessionOnly = field !== undefined && values['session-only'] === true;
  // Before asking for the secret: typing a password that cannot be kept helps nobody.
  if (field && !sessionOnly && !store.credentials.persistent)
    throw notKept(secretNotKeptError(store.credentials.reason ?? 'no keychain', field), field);
  const secrets: Partial<Record<SecretField, string>> = {};
  if (field) secrets[field] = await readSecret(field, name, io, values['password-stdin'] === true);

  // --session-only keeps the secret out of a keychain even when one works: a store of this process's own.
  const target =
    sessionOnly && store.credentials.persistent
      ? new ConnectionStore({
          dataDir: dirname(store.file),
          credentials: new SessionCredentialStore('--session-only was given'),
        })
      : store;
  const { connection, notices } = await target.create(draft, secrets).catch((error: unknown) => {
    // A locked keychain refuses the write; create() has removed the connection again.
    throw isFerryError(error) && error.details.secretNotKept === true && field ? notKept(error, field) : error;
  });
  io.stdout.write(`Saved "${connection.name}" (${connection.kind}, ${describeWhere(connection)}).\n`);
  if (sessionOnly) {
    io.stderr.write(
      `Note: its ${SECRET_FIELD_LABELS[field]} is kept in memory for this run only (--session-only) and ends with it. ` +
        `Commands using "${connection.name}" will read ${secretEnvName(field)} or ask for it on a terminal.\n`,
    );
  } else if (field && notices.length === 0) {
    const where = store.credentials.backend === 'keychain' ? 'the OS keychain' : 'the encrypted secret store';
    io.stdout.write(`Its ${SECRET_FIELD_LABELS[field]} is saved in ${where}.\n`);
  }
  if (!sessionOnly) for (const notice of notices) io.stderr.write(`Warning: ${notice}\n`);
  if (values.test)
    return reportTest(await target.test(connection.id, cliOpenOptions(connection, io)), connection.name, io);
  return EXIT.ok;
}

/** A secretNotKeptError as `add` reports it: nothing saved, and the one way to go on without a keychain. */
function notKept(error: FerryError, field: SecretField): FerryError {
  return new FerryError(
    error.code,
    `${error.message} Nothing was saved. To use the ${SECRET_FIELD_LABELS[field]} for this run only (say, with --test), add --session-only.`,
    { cause: error, details: error.details },
  );
}

async function specFromFlags(
  values: Record<string, string | boolean | string[] | undefined>,
): Promise<ConnectionSpecInput> {
  const str = (key: string) => values[key] as string | undefined;
  const kind = str('kind')!;
  const set = <T extends object>(target: T, key: string, value: unknown) => {
    if (value !== undefined) (target as Record<string, unknown>)[key] = value;
  };
  const spec: Record<string, unknown> = { kind };
  switch (kind) {
    case 'ftp':
    case 'ftps': {
      if (!str('host')) throw new UsageError(`a ${kind} connection needs --host.`);
      set(spec, 'host', str('host'));
      set(spec, 'port', str('port') === undefined ? undefined : integer(str('port')!, '--port'));
      set(spec, 'user', str('user'));
      set(spec, 'tls', str('tls') ?? (kind === 'ftps' ? 'explicit' : 'none'));
      set(spec, 'pinnedFingerprints', values.fingerprint);
      if (str('ca-file')) spec.caPem = await readFile(str('ca-file')!, 'utf8');
      if (values['no-temp-names'] === true) spec.temporaryNames = false;
      break;
    }
    case 's3':
      for (const [flag, key] of [
        ['bucket', 'bucket'],
        ['region', 'region'],
        ['endpoint', 'endpoint'],
        ['auth', 'auth'],
        ['profile', 'profile'],
        ['access-key-id', 'accessKeyId'],
      ] as const)
        set(spec, key, str(flag));
      set(spec, 'pathStyle', values['path-style']);
      if (spec.auth === undefined) spec.auth = spec.accessKeyId ? 'keys' : spec.profile ? 'profile' : 'env';
      break;
    case 'azure-blob':
      for (const [flag, key] of [
        ['account', 'account'],
        ['container', 'container'],
        ['endpoint', 'endpoint'],
        ['auth', 'auth'],
        ['tenant-id', 'tenantId'],
        ['client-id', 'clientId'],
      ] as const)
        set(spec, key, str(flag));
      break;
    case 'local':
      set(spec, 'root', str('root'));
      break;
    default:
      throw new UsageError(`unknown --kind "${kind}" (ftp, ftps, s3, azure-blob or local).`);
  }
  // Both saved with the connection; a kind without the setting refuses it rather than drop it silently.
  const { operationMs, idleMs } = parseTimeouts(values as Parameters<typeof parseTimeouts>[0]);
  const ftp = kind === 'ftp' || kind === 'ftps';
  if (operationMs !== undefined && !ftp)
    throw new UsageError(`--timeout is a setting of FTP connections, not ${kind} ones.`);
  if (idleMs !== undefined && !ftp && kind !== 's3')
    throw new UsageError(`--idle-timeout is a setting of FTP and S3 connections, not ${kind} ones.`);
  set(spec, 'operationTimeoutMs', operationMs);
  set(spec, 'timeoutMs', idleMs);
  return spec as ConnectionSpecInput;
}

function integer(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} takes a whole number, not "${text}".`);
  return Number(text);
}

/** FILEFERRY_PASSWORD / FILEFERRY_SECRET, then --password-stdin, then a prompt without echo on a terminal. */
export async function readSecret(
  field: SecretField,
  name: string,
  io: ConnectionsCommandIO,
  fromStdin: boolean,
): Promise<string> {
  const envNames =
    field === 'password' ? ['FILEFERRY_PASSWORD', 'FILEFERRY_SECRET'] : ['FILEFERRY_SECRET', 'FILEFERRY_PASSWORD'];
  for (const envName of envNames) {
    const value = io.env[envName];
    if (value) {
      registerSecret(value);
      return value;
    }
  }
  if (fromStdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer));
    const value = Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
    if (!value) throw new UsageError(`--password-stdin read nothing; pipe the ${SECRET_FIELD_LABELS[field]} in.`);
    registerSecret(value);
    return value;
  }
  if (io.stdin.isTTY) {
    return getPassword(`${name} (${SECRET_FIELD_LABELS[field]})`, {
      env: {},
      stdin: io.stdin,
      stderr: io.stderr as NodeJS.WriteStream,
    });
  }
  throw new UsageError(
    `"${name}" needs its ${SECRET_FIELD_LABELS[field]}: set ${envNames[0]}, pipe it with --password-stdin, or run in a terminal to be asked.`,
  );
}

function reportTest(
  result: Awaited<ReturnType<ConnectionStore['test']>>,
  name: string,
  io: ConnectionsCommandIO,
): number {
  if (result.ok) {
    io.stdout.write(printable(`OK: "${name}" answered; ${result.path} is readable (${result.elapsedMs} ms).`) + '\n');
    return EXIT.ok;
  }
  // The server's words are shown, never obeyed (printable).
  io.stderr.write(
    printable(`FAILED: "${name}": ${result.error.code}: ${result.error.message}`, { lines: true }) + '\n',
  );
  if (typeof result.error.details.fingerprint === 'string') {
    io.stderr.write(
      `To trust this certificate, re-add the connection with --fingerprint ${result.error.details.fingerprint}\n`,
    );
  }
  return EXIT.failure;
}

async function test(argv: string[], io: ConnectionsCommandIO, store: ConnectionStore): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: TIMEOUT_OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  const name = oneName(positionals, 'test');
  const timeouts = parseTimeouts(values);
  const connection = await store.get(name);
  const options = {
    ...cliOpenOptions(connection, io),
    adjustSpec: (spec: ConnectionSpec) => withTimeouts(spec, timeouts),
  };
  return reportTest(await store.test(connection.id, options), connection.name, io);
}

async function remove(argv: string[], io: ConnectionsCommandIO, store: ConnectionStore): Promise<number> {
  const { positionals } = parseArgs({ args: argv, options: {}, allowPositionals: true, strict: true });
  const connection = await store.get(oneName(positionals, 'rm'));
  await store.remove(connection.id);
  io.stdout.write(`Removed "${connection.name}" and its saved secrets.\n`);
  return EXIT.ok;
}

async function importFile(argv: string[], io: ConnectionsCommandIO, store: ConnectionStore): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { yes: { type: 'boolean', short: 'y' }, only: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError('import takes one file.');
  const preview = await previewImport(positionals[0]!);
  printPreview(preview, io);

  let keys = preview.items.filter((i) => i.status !== 'unsupported').map((i) => i.key);
  if (values.only !== undefined) {
    const wanted = values.only
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
    keys = preview.items
      .filter(
        (i, index) => wanted.includes(String(index + 1)) || wanted.includes((i.connection?.name ?? '').toLowerCase()),
      )
      .map((i) => i.key);
  }
  if (keys.length === 0) {
    io.stdout.write('Nothing to import.\n');
    return EXIT.ok;
  }
  if (!values.yes) {
    if (!io.stdin.isTTY) {
      io.stderr.write('Nothing was saved: add --yes to import (no terminal to confirm on).\n');
      return EXIT.failure;
    }
    if (!(await confirm(`Import ${keys.length} connection${keys.length === 1 ? '' : 's'}? [y/N] `, io))) {
      io.stderr.write('Nothing was saved.\n');
      return EXIT.failure;
    }
  }
  const result = await commitImport(preview, store, { keys });
  for (const created of result.created) {
    const renamed = created.renamedFrom ? ` (renamed from "${created.renamedFrom}": the name was taken)` : '';
    const missing =
      created.missingSecrets.length > 0
        ? ` — enter its ${created.missingSecrets.map((f) => SECRET_FIELD_LABELS[f]).join(', ')} before use`
        : '';
    io.stdout.write(`Imported "${created.connection.name}"${renamed}${missing}.\n`);
  }
  for (const skipped of result.skipped) io.stderr.write(`Skipped ${skipped.source}: ${skipped.reason}\n`);
  for (const notice of result.notices) io.stderr.write(`Warning: ${notice}\n`);
  return result.skipped.length > 0 ? EXIT.partial : EXIT.ok;
}

function printPreview(preview: ImportPreview, io: ConnectionsCommandIO): void {
  io.stdout.write(
    `${describeFormat(preview.format)}: ${preview.file} — ${preview.items.length} item${preview.items.length === 1 ? '' : 's'}\n`,
  );
  for (const warning of preview.warnings) io.stdout.write(`  ! ${warning}\n`);
  preview.items.forEach((item, index) => {
    const where = item.connection
      ? `${item.connection.name}  ${item.connection.spec.kind}  ${describeWhere(item.connection)}`
      : item.source;
    const secrets = item.secretFields.length > 0 ? `  secrets: ${item.secretFields.join(', ')}` : '';
    const missing = item.missingSecrets.length > 0 ? `  missing: ${item.missingSecrets.join(', ')}` : '';
    const group = item.connection?.group ? `  group: ${item.connection.group}` : '';
    io.stdout.write(`  [${index + 1}] ${item.status.padEnd(12)} ${where}${group}${secrets}${missing}\n`);
    for (const warning of item.warnings) io.stdout.write(`        ! ${warning}\n`);
  });
}

function confirm(question: string, io: ConnectionsCommandIO): Promise<boolean> {
  return new Promise((resolve) => {
    io.stderr.write(question);
    io.stdin.resume();
    io.stdin.once('data', (data: Buffer) => {
      io.stdin.pause();
      resolve(/^y(es)?$/i.test(data.toString('utf8').trim()));
    });
  });
}

async function exportFile(argv: string[], io: ConnectionsCommandIO, store: ConnectionStore): Promise<number> {
  const { positionals } = parseArgs({ args: argv, options: {}, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError('export takes one file name, or - for standard output.');
  const target = positionals[0]!;
  let count: number;
  if (target === '-') {
    const data = toExport(await store.list());
    io.stdout.write(JSON.stringify(data, null, 2) + '\n');
    count = data.connections.length;
  } else {
    count = await exportConnections(store, target);
  }
  io.stderr.write(
    `Exported ${count} connection${count === 1 ? '' : 's'} without secrets${target === '-' ? '' : ` to ${target}`}.\n`,
  );
  return EXIT.ok;
}
