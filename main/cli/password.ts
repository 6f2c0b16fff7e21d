// Where the CLI gets a password: the FILEFERRY_PASSWORD environment variable, else a prompt without echo
// on a terminal, else a clear error. Never from argv (see address.ts). A saved connection whose secret no
// keychain holds gets it the same way (FILEFERRY_SECRET for S3 and Azure secrets).
import type { SecretField, SecretResolver } from '../../shared/connection';
import { FerryError } from '../../shared/errors';
import { registerSecret } from '../../shared/redact';
import { requiredSecretField } from '../core/connections/secret-fields';
import { keychainRemedy, SECRET_FIELD_LABELS } from '../core/credentials/store';
import { EXIT, UsageError } from './exit-codes';

export const PASSWORD_ENV = 'FILEFERRY_PASSWORD';
export const SECRET_ENV = 'FILEFERRY_SECRET';

/** The variable a secret of this kind is read from: FTP passwords and S3/Azure secrets have one each. */
export function secretEnvName(field: SecretField): string {
  return field === 'password' ? PASSWORD_ENV : SECRET_ENV;
}

export interface PasswordSource {
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream;
}

const defaultSource = (): PasswordSource => ({ env: process.env, stdin: process.stdin, stderr: process.stderr });

/** The password for `label` (e.g. "ftp://me@host"). Registered with redact() so it can never be logged. */
export async function getPassword(label: string, source: PasswordSource = defaultSource()): Promise<string> {
  const fromEnv = source.env[PASSWORD_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    registerSecret(fromEnv);
    return fromEnv;
  }
  if (!source.stdin.isTTY) {
    throw new UsageError(
      `${label} needs a password. Set the ${PASSWORD_ENV} environment variable (no terminal is attached to ask on).`,
    );
  }
  const password = await promptHidden(`Password for ${label}: `, source);
  registerSecret(password);
  return password;
}

/**
 * A saved connection's secrets, its required one taken from the environment or a terminal when the keychain
 * holds none (it was added with --session-only, or no keychain could keep it): the provider would otherwise
 * log in without it and fail with words meant for the app's settings dialog.
 */
export async function withMissingSecret(
  name: string,
  spec: { kind: string; user?: unknown; auth?: unknown },
  secrets: SecretResolver,
  source: PasswordSource = defaultSource(),
): Promise<SecretResolver> {
  const field = requiredSecretField(spec);
  if (field === undefined || (await secrets(field)) !== undefined) return secrets;
  const envName = secretEnvName(field);
  const label = SECRET_FIELD_LABELS[field];
  const fromEnv = source.env[envName];
  let value: string;
  if (fromEnv !== undefined && fromEnv !== '') value = fromEnv;
  else if (source.stdin.isTTY)
    value = await promptHidden(`${label[0]!.toUpperCase()}${label.slice(1)} for "${name}": `, source);
  else
    throw new FerryError(
      'AuthFailed',
      `No ${label} is saved for "${name}" in an OS keychain (it was added with --session-only, or the keychain was ` +
        `not running or is locked). Set ${envName} for this command, or run it on a terminal to be asked. To save ` +
        `it, ${keychainRemedy()}, then remove "${name}" (fileferry connections rm) and add it again.`,
    );
  registerSecret(value);
  return async (wanted) => (wanted === field ? value : secrets(wanted));
}

/** Reads one line from a terminal in raw mode, echoing nothing. Ctrl-C aborts the program. */
function promptHidden(prompt: string, { stdin, stderr }: PasswordSource): Promise<string> {
  return new Promise((resolve) => {
    // Echo goes off before the prompt appears, so nothing typed after seeing it is ever shown.
    const wasRaw = stdin.isRaw;
    stdin.setRawMode(true);
    stdin.resume();
    stderr.write(prompt);
    let typed = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(wasRaw);
      stdin.pause();
      stderr.write('\n');
    };
    const onData = (data: Buffer) => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          finish();
          return resolve(typed);
        }
        if (char === '\u0003') {
          finish();
          process.exit(EXIT.interrupted);
        }
        if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('');
        else if (char >= ' ') typed += char;
      }
    };
    stdin.on('data', onData);
  });
}
