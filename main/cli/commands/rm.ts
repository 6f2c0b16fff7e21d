import { FerryError } from '../../../shared/errors';
import { EXIT, UsageError } from '../exit-codes';
import { parseAddressArg, type ResolvedLocation } from '../locations';
import { TIMEOUT_HELP } from '../timeouts';
import { parseCommandArgs, withProvider, type Command } from './common';

/** A whole S3 bucket or Azure container: the first folder of an address whose connection fixes none. */
function accountLevelName(location: ResolvedLocation): 'bucket' | 'container' | undefined {
  if (!('spec' in location.ref) || location.path.split('/').filter(Boolean).length !== 1) return undefined;
  const { spec } = location.ref;
  if (spec.kind === 's3' && !spec.bucket) return 'bucket';
  if (spec.kind === 'azure-blob' && !spec.container) return 'container';
  return undefined;
}

export const rm: Command = {
  usage: `fileferry rm ADDRESS [-r] [--force] [--timeout SECONDS] [--idle-timeout SECONDS]

Removes a file. A folder needs -r (--recursive), which removes everything in it. A whole S3 bucket or Azure
container also needs --force: its name may not be yours again once it is gone.

  ${TIMEOUT_HELP}
                      (with -r, the --timeout counts from the last entry removed)`,
  async run(args, context) {
    const { values, positionals, help } = parseCommandArgs(
      args,
      { recursive: { type: 'boolean', short: 'r' }, force: { type: 'boolean' } },
      { min: 1, max: 1, names: 'one ADDRESS' },
      context,
    );
    if (help) return (context.stdout.write(rm.usage + '\n'), EXIT.ok);
    const location = await context.connections.resolve(parseAddressArg(positionals[0]!));
    if (location.path === '/')
      throw new FerryError('InvalidInput', `Refusing to remove the root folder of ${location.label}.`);
    const whole = accountLevelName(location);
    if (whole && !values.force) {
      throw new UsageError(
        `${location.label} is a whole ${whole}. To remove it with everything in it, add --force (rm -r --force).`,
      );
    }
    await withProvider(context, location, async (provider) => {
      const entry = await provider.stat(location.path);
      if (entry.type === 'folder' && !values.recursive) {
        throw new FerryError('InvalidInput', `${location.label} is a folder. Use rm -r to remove it and its contents.`);
      }
      await provider.remove(location.path, { recursive: entry.type === 'folder' });
    });
    return EXIT.ok;
  },
};
