import { FerryError } from '../../../shared/errors';
import { EXIT } from '../exit-codes';
import { parseAddressArg } from '../locations';
import { parseCommandArgs, withProvider, type Command } from './common';

export const rm: Command = {
  usage: `fileferry rm ADDRESS [-r]

Removes a file. A folder needs -r (--recursive), which removes everything in it.`,
  async run(args, context) {
    const { values, positionals, help } = parseCommandArgs(
      args,
      { recursive: { type: 'boolean', short: 'r' } },
      { min: 1, max: 1, names: 'one ADDRESS' },
    );
    if (help) return (context.stdout.write(rm.usage + '\n'), EXIT.ok);
    const location = await context.connections.resolve(parseAddressArg(positionals[0]!));
    if (location.path === '/')
      throw new FerryError('InvalidInput', `Refusing to remove the root folder of ${location.label}.`);
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
