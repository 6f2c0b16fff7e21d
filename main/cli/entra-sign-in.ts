// How the command line signs a person in to a saved Entra ID connection (Azure Blob), and how it keeps what
// the sign-in obtained (MSAL's token cache) in the keychain.
//
// A device code by default, as `az login` does in a terminal: MSAL's instruction (the address and the code)
// goes to stderr whether or not it is a terminal, so a script can show it and stdout stays the command's
// output. FILEFERRY_SIGN_IN=browser opens the system browser instead (xdg-open, open, or Windows' URL
// handler), for a desktop session where that is quicker. Ctrl-C while waiting: `ls` and friends end at once
// (nothing has been written yet); cp and mv cancel the transfer, which aborts the wait (see
// MsalTokenCredential.getToken). Either way nothing is saved.
import { spawn } from 'node:child_process';
import type { SavedConnection } from '../../shared/connections';
import type { OpenConnectionOptions, SecretSaver } from '../core/connections/store';
// Types only: the Azure SDK loads when a connection is opened, not with the command line.
import type { EntraInteraction } from '../core/providers/azure-blob';
import { UsageError } from './exit-codes';

export const SIGN_IN_ENV = 'FILEFERRY_SIGN_IN';

interface TextSink {
  write(text: string): unknown;
}

/** The sign-in FILEFERRY_SIGN_IN asks for (device code unless it says "browser"); a bad value is a usage error. */
export function cliEntraInteraction(
  env: NodeJS.ProcessEnv = process.env,
  stderr: TextSink = process.stderr,
): EntraInteraction {
  const choice = env[SIGN_IN_ENV]?.trim().toLowerCase() || 'device-code';
  if (choice === 'device-code') {
    return {
      flow: 'device-code',
      onDeviceCode: (prompt) =>
        stderr.write(`fileferry: ${prompt.message}\nfileferry: waiting for you to sign in (Ctrl-C cancels)…\n`),
    };
  }
  if (choice === 'browser') {
    return { flow: 'interactive', openBrowser: (url) => openSystemBrowser(url, stderr) };
  }
  throw new UsageError(`${SIGN_IN_ENV} is "${env[SIGN_IN_ENV]}"; set it to "device-code" (the default) or "browser".`);
}

/** The command that opens a URL in the person's default browser. */
export function browserCommand(url: string, platform: NodeJS.Platform = process.platform): [string, string[]] {
  if (platform === 'darwin') return ['open', [url]];
  // Not `cmd /c start`: cmd.exe would cut the URL at its first "&". rundll32's URL handler takes it whole.
  if (platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler', url]];
  return ['xdg-open', [url]];
}

/**
 * Starts the browser on the sign-in page and returns; MSAL then waits on its loopback port for the answer.
 * The address is printed first, so a person whose browser does not open (a remote shell) can open it elsewhere.
 */
async function openSystemBrowser(url: string, stderr: TextSink): Promise<void> {
  stderr.write(`fileferry: opening your browser to sign in. If it does not open, visit:\nfileferry:   ${url}\n`);
  const [command, args] = browserCommand(url);
  await new Promise<void>((resolve) => {
    // Detached: the browser must outlive this command, and Ctrl-C here must not reach it.
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
    child.once('error', (error) => {
      stderr.write(`fileferry: could not start ${command} (${error.message}); open the address above yourself.\n`);
      resolve();
    });
  });
}

/**
 * Wraps a connection's SecretSaver for the command line: a Ctrl-C that arrives while the keychain is being
 * written takes effect when the write is done, so the token cache there is the whole new one or the old one,
 * never a cut-off write. (A command that handles Ctrl-C itself — cp, mv — already lets the write finish.)
 * A store that cannot keep the secret says so once on stderr: the person would otherwise be asked to sign in
 * on every run without knowing why.
 */
export function cliSecretSaver(save: SecretSaver, stderr: TextSink = process.stderr): SecretSaver {
  let told = false;
  return async (field, value) => {
    const deferInterrupt = process.listenerCount('SIGINT') === 0;
    let interrupted = false;
    const hold = () => {
      interrupted = true;
    };
    if (deferInterrupt) process.on('SIGINT', hold);
    try {
      const result = await save(field, value);
      if (result?.notice && !told) {
        told = true;
        stderr.write(`fileferry: ${result.notice}\n`);
      }
      return result;
    } finally {
      if (deferInterrupt) {
        process.off('SIGINT', hold);
        // With no listener left, the signal's default action ends the process as the first Ctrl-C would have.
        if (interrupted) process.kill(process.pid, 'SIGINT');
      }
    }
  };
}

/** What the connection store needs to open a saved connection from the command line (`connections test`). */
export function cliOpenOptions(
  connection: SavedConnection,
  io: { env: NodeJS.ProcessEnv; stderr: TextSink },
): OpenConnectionOptions {
  const entra =
    connection.spec.kind === 'azure-blob' && connection.spec.auth === 'entra'
      ? cliEntraInteraction(io.env, io.stderr)
      : undefined;
  return { ...(entra ? { entra } : {}), wrapSaver: (save) => cliSecretSaver(save, io.stderr) };
}
