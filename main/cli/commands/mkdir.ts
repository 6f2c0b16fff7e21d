import { EXIT } from '../exit-codes';
import { parseAddressArg } from '../locations';
import { TIMEOUT_HELP } from '../timeouts';
import { parseCommandArgs, withProvider, type Command } from './common';

export const mkdir: Command = {
  usage: `fileferry mkdir ADDRESS [--timeout SECONDS] [--idle-timeout SECONDS]

Creates the folder and any missing parent folders. No error when it already exists.

  ${TIMEOUT_HELP}`,
  async run(args, context) {
    const { positionals, help } = parseCommandArgs(args, {}, { min: 1, max: 1, names: 'one ADDRESS' }, context);
    if (help) return (context.stdout.write(mkdir.usage + '\n'), EXIT.ok);
    const location = await context.connections.resolve(parseAddressArg(positionals[0]!));
    await withProvider(context, location, (provider) => provider.mkdir(location.path));
    return EXIT.ok;
  },
};
