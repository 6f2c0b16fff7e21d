// Keychain tests need a Secret Service that answers (gnome-keyring in a D-Bus session on Linux).
// requireKeyring() proves one does with a real set/get/delete of a probe entry, or fails with what to do;
// tests never skip silently.
import { randomBytes } from 'node:crypto';
import { loadKeytar, type KeytarModule } from '../../main/core/credentials/keychain-store';

const HOW_TO_RUN =
  'Run the tests with "npm test" (it starts gnome-keyring in a D-Bus session), or install ' +
  '"gnome-keyring dbus-x11 libsecret-1-dev" (apt-get install -y …; then npm rebuild keytar) and run one file as: ' +
  "env HOME=$(mktemp -d) dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; node --import tsx --test FILE'";

/** A keychain service name of its own per test run, so tests never touch real FileFerry entries. */
export function testKeychainService(): string {
  return `FileFerry-test-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export async function requireKeyring(): Promise<KeytarModule> {
  let keytar: KeytarModule;
  try {
    keytar = loadKeytar();
  } catch (error) {
    throw new Error(`The keytar module does not load (${(error as Error).message.split('\n')[0]}). ${HOW_TO_RUN}`, {
      cause: error,
    });
  }
  const service = testKeychainService();
  const value = `probe-${randomBytes(8).toString('hex')}`;
  try {
    await withTimeout(
      (async () => {
        await keytar.setPassword(service, 'probe', value);
        const read = await keytar.getPassword(service, 'probe');
        await keytar.deletePassword(service, 'probe');
        if (read !== value) throw new Error(`the probe entry read back as ${JSON.stringify(read)}`);
      })(),
      10_000,
    );
  } catch (error) {
    throw new Error(`No Secret Service answers (${(error as Error).message}). ${HOW_TO_RUN}`, { cause: error });
  }
  return keytar;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms; is the keyring locked?`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
