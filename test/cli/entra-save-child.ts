// Run by entra.e2e.test.ts: saves a token cache (read from stdin) into a saved connection's keychain entry
// through the command line's saver, with Ctrl-C arriving while the write is under way. The saver must let the
// write finish and then end the process as Ctrl-C does, so the line after the save never runs.
// Arguments: the data folder, the connection id, a file to create if the process went on after Ctrl-C.
import { writeFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { cliSecretSaver } from '../../main/cli/entra-sign-in';
import { ConnectionStore } from '../../main/core/connections';
import { DEFAULT_SERVICE, KeychainCredentialStore } from '../../main/core/credentials';
import { loadKeytar } from '../../main/core/credentials/keychain-store';

const [dataDir, id, wentOn] = process.argv.slice(2) as [string, string, string];
let value = '';
for await (const chunk of process.stdin) value += chunk.toString();
const store = new ConnectionStore({ dataDir, credentials: new KeychainCredentialStore(loadKeytar(), DEFAULT_SERVICE) });
const save = store.saverFor(await store.get(id));
const saver = cliSecretSaver(async (field, secret) => {
  process.kill(process.pid, 'SIGINT'); // Ctrl-C just as the write starts…
  await delay(300); // …and a keychain slower than the signal (a busy D-Bus, a prompt)
  return save(field, secret);
});
await saver('tokenCache', value);
writeFileSync(wentOn, 'the command went on after Ctrl-C');
