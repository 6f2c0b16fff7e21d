// Where the CLI gets a password: the FILEFERRY_PASSWORD environment variable, else a prompt without echo
// on a terminal, else a clear error. Never from argv (see address.ts).
import { registerSecret } from '../../shared/redact';
import { EXIT, UsageError } from './exit-codes';

export const PASSWORD_ENV = 'FILEFERRY_PASSWORD';

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
