// The `fileferry` command as a user of a checkout runs it: main/cli/fileferry.mjs runs the build in out/cli/
// when it is up to date, and the TypeScript sources through tsx otherwise. Others may edit the sources during a
// run; the launcher would then time tsx (slower to start, 25–35 MiB more memory), not the product. So the
// suites that run the command build it first, and again whenever a source changed meanwhile.
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildCli } from '../../build/cli.mjs';
import { builtEntry } from '../../build/cli-freshness.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
export const LAUNCHER = join(ROOT, 'main/cli/fileferry.mjs');

/** Builds out/cli/ when the launcher would not run it as it stands; `say` tells why. */
export async function ensureCliBuilt(say: (line: string) => void): Promise<void> {
  const root = pathToFileURL(`${ROOT}/`);
  const before = builtEntry(root);
  if (before.entry) return;
  say(`the built command is not up to date (${before.why}): building it`);
  await buildCli({ quiet: true });
  const after = builtEntry(root);
  if (!after.entry) throw new Error(`after a build the launcher would still not run it: ${after.why}`);
}
