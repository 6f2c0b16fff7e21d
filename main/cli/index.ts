// The `fileferry` command: dispatch to one small module per command, and the one place that turns an
// error into a message and an exit code. No stack traces for people: FerryErrors carry messages written
// for them; anything else is logged in full and summarised.
import '../core/util/heap'; // first: keeps the young generation small (see there)
import { FerryError } from '../../shared/errors';
import { installFileLog, type FileLog } from '../core/log/file-sink';
import { createLogger } from '../core/log/logger';
import type { Command } from './commands/common';
import { EXIT, UsageError } from './exit-codes';
import { failureText } from './failure-text';
import { printable } from './format';
import { PASSWORD_ENV } from './password';

// The AWS SDK warns on Node 20 that its releases after January 2027 will need Node 22. FileFerry pins its SDK
// versions, so the warning is about nothing its users run, and it would land in the middle of their output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Each command loads on demand: `--help` and a typo answer at once, without loading any provider or SDK.
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  ls: { summary: 'list a folder (or describe one file)', load: async () => (await import('./commands/ls')).ls },
  cp: {
    summary: 'copy files and folders between any two addresses',
    load: async () => (await import('./commands/cp')).cp,
  },
  mkdir: {
    summary: 'create a folder (and any missing parents)',
    load: async () => (await import('./commands/mkdir')).mkdir,
  },
  rm: { summary: 'remove a file, or a folder with -r', load: async () => (await import('./commands/rm')).rm },
  mv: {
    summary: 'move or rename (a rename on one site; copy then delete across sites)',
    load: async () => (await import('./commands/mv')).mv,
  },
  tier: {
    summary: "change a file's S3 storage class or Azure access tier (from Archive: rehydrate)",
    load: async () => (await import('./commands/tier')).tier,
  },
  history: {
    summary: 'the transfer history as a table, JSON or CSV; name this device',
    load: async () => (await import('./commands/history')).history,
  },
  summarize: {
    summary: 'summarise a file with AWS Bedrock (or Azure OpenAI), reading only its start',
    load: async () => (await import('./commands/summarize')).summarize,
  },
  serve: {
    summary: 'web mode: the app in a browser on this computer',
    load: async () => (await import('./commands/serve')).serve,
  },
  connections: {
    summary: 'list, add, test, rm, import and export saved connections',
    load: async () => {
      const { connectionsCommand, CONNECTIONS_USAGE } = await import('./commands/connections');
      // It reports its own errors and exit codes; only the streams are handed over.
      return {
        usage: CONNECTIONS_USAGE,
        run: (args, { stdout, stderr }) => connectionsCommand(args, { stdout, stderr }),
      };
    },
  },
};

export const HELP = `fileferry — copy files between local disks, FTP/FTPS servers, Amazon S3 and Azure Blob Storage

Usage: fileferry COMMAND [OPTIONS] ARGUMENTS
       fileferry COMMAND --help

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(11)} ${command.summary}`)
  .join('\n')}

Addresses:
  /path, rel/path, file:///path       a file or folder on this computer
  ftp://[user@]host[:port]/path       FTP (no user: anonymous)
  ftps://[user@]host[:port]/path      FTPS with explicit TLS (AUTH TLS)
  ftps+implicit://[user@]host/path    FTPS with implicit TLS (port 990)
  s3://bucket/key                     Amazon S3 or an S3-compatible server (s3:// alone: the buckets)
  az://account/container/path         Azure Blob Storage (az://account alone: the containers)
  NAME:path                           a saved connection (see fileferry connections --help)
  Percent-encode special characters in URLs (%20 for a space, %40 for @).
  Never put a password in an address: set ${PASSWORD_ENV}, or type it when asked.

Examples:
  fileferry ls ftp://me@files.example.com/incoming
  fileferry cp -r ./photos ftps://me@files.example.com/backup/
  fileferry cp --overwrite if-newer ftp://files.example.com/pub/data.csv .
  fileferry mv ftp://me@host/tmp/report.pdf ftp://me@host/archive/
  fileferry cp --storage-class STANDARD_IA backup.tar s3://my-bucket/archive/
  fileferry tier az://myaccount/backups/2023.tar Archive
  fileferry cp -r s3://my-bucket/reports az://myaccount/reports/
  fileferry cp ./site.zip work:/uploads/   (after: fileferry connections add work --kind ftps …)
  fileferry history --result failed --since 2026-12-01
  ${PASSWORD_ENV}=… fileferry rm -r ftp://me@host/old

Exit codes:
  0    success
  1    failure (nothing, or not everything, was done)
  2    usage error: unknown command or option, bad address or storage class
  3    partial failure: some files were copied, some failed
  129  stopped because the terminal closed (SIGHUP); the copy under way was cancelled first
  130  interrupted (Ctrl-C)
  143  stopped by SIGTERM; the copy under way was cancelled first

Environment:
  ${PASSWORD_ENV}   password for addresses with a user name (and for connections add)
  FILEFERRY_SECRET     S3 secret key or Azure key/SAS/connection string for connections add
  FILEFERRY_CA_FILE    PEM file of extra CA certificates to trust for FTPS
  FILEFERRY_HOME       data folder (logs in FILEFERRY_HOME/logs; default: the platform's app data folder)
  FILEFERRY_SIGN_IN    Entra ID sign-in of saved Azure connections: device-code (default) or browser
  s3:// addresses use the AWS CLI's variables:
    AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN   access key (wins over a profile)
    AWS_PROFILE                         a profile of ~/.aws/config and ~/.aws/credentials
    AWS_REGION (or AWS_DEFAULT_REGION)  the region (default: the profile's, else us-east-1)
    AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL)  an S3-compatible server (path-style requests)
  az:// addresses use the Azure CLI's variables:
    AZURE_STORAGE_CONNECTION_STRING     a connection string (wins over the others)
    AZURE_STORAGE_ACCOUNT with AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN
    AZURE_STORAGE_BLOB_ENDPOINT         the blob service URL (default https://ACCOUNT.blob.core.windows.net)
`;

/** The core's logs go to FILEFERRY_HOME/logs/cli.log (redacted, rotated); none when the folder cannot be made. */
function installLogFile(): FileLog | undefined {
  try {
    return installFileLog({ fileName: 'cli.log' });
  } catch {
    return undefined; // a log that cannot be written must not stop a copy
  }
}

/**
 * The arguments as the log may keep them. A password typed into a URL by mistake is cut out here, before
 * redaction, because a password containing "/" escapes redact()'s URL pattern; `connections` arguments are
 * not kept at all (someone may type a secret after a refused --password).
 */
function loggableArgs(command: string, args: string[]): string[] {
  if (command === 'connections') return args.slice(0, 1);
  // `history remote set` takes an account key by stdin or prompt only; one typed after a refused --key stays out.
  if (command === 'history' && args[0] === 'remote') return args.slice(0, 2);
  return args.map((arg) => arg.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@]*):.*@/i, '$1:***@'));
}

/** Runs the CLI and returns its exit code (the launcher sets process.exitCode). */
export async function main(argv: string[]): Promise<number> {
  const stdout = process.stdout;
  const stderr = process.stderr;
  const [name, ...args] = argv;
  // A script that asked for --json reads stdout: an error that stops the command goes there too, as the
  // last JSON line, where a finished copy's summary would be.
  const json = args.slice(0, args.includes('--') ? args.indexOf('--') : undefined).includes('--json');
  const fail = (message: string, code: number, errorCode = 'Usage') => {
    // The message may name a file from a server (escapes shown, not obeyed); the JSON line keeps it exact.
    stderr.write(`fileferry: ${printable(message, { lines: true })}\n`);
    if (json) stdout.write(JSON.stringify({ type: 'error', code: errorCode, message, exitCode: code }) + '\n');
    return code;
  };

  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    stdout.write(HELP);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    const { default: pkg } = await import('../../package.json', { with: { type: 'json' } });
    stdout.write(`${pkg.version}\n`);
    return EXIT.ok;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) return fail(`unknown command "${name}". Run fileferry --help for the list.`, EXIT.usage);

  // The AWS SDK warns on every run under Node < 22 that its future releases will need Node 22. It speaks to
  // whoever upgrades the pinned SDK, not to someone copying a file: the log records the Node version instead.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

  const logFile = installLogFile();
  const log = createLogger({ component: 'cli', command: name });
  const started = Date.now();
  log.info('command started', { args: loggableArgs(name, args), node: process.versions.node });
  const code = await runCommand(entry, args, stdout, stderr).catch((error: unknown) => {
    if (error instanceof UsageError) {
      log.info('usage error', { error: error.message });
      return fail(`${error.message}\nRun fileferry ${name} --help for usage.`, EXIT.usage);
    }
    if (error instanceof FerryError) {
      log.warn('command failed', { error });
      return fail(failureText(error), EXIT.failure, error.code);
    }
    log.error('unexpected error', { error, stack: (error as Error)?.stack });
    const where = logFile ? ` Details are in ${logFile.file}.` : '';
    return fail(`an unexpected error stopped the command.${where}`, EXIT.failure, 'Internal');
  });
  log.info('command finished', { exitCode: code, ms: Date.now() - started });
  return code;
}

async function runCommand(
  entry: (typeof COMMANDS)[string] & {},
  args: string[],
  stdout: NodeJS.WriteStream,
  stderr: NodeJS.WriteStream,
): Promise<number> {
  const [command, { CliConnections }] = await Promise.all([entry.load(), import('./locations')]);
  const connections = new CliConnections();
  try {
    return await command.run(args, { connections, stdout, stderr });
  } finally {
    await connections.close();
  }
}
