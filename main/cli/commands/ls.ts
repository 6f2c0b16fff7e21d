import type { Entry } from '../../../shared/provider';
import { EXIT } from '../exit-codes';
import { formatDate } from '../format';
import { parseAddressArg } from '../locations';
import { parseCommandArgs, withProvider, type Command } from './common';

function entryLine(entry: Entry): string {
  const type = entry.type === 'folder' ? 'd' : '-';
  const size = entry.type === 'folder' || entry.size === undefined ? '-' : String(entry.size);
  const modified = entry.modified === undefined ? '-'.padEnd(16) : formatDate(entry.modified);
  return `${type} ${size.padStart(12)}  ${modified}  ${entry.name}${entry.type === 'folder' ? '/' : ''}`;
}

export const ls: Command = {
  usage: `fileferry ls ADDRESS [--json]

Lists the entries of a folder: type (d = folder), size in bytes, modification time and name.
--json prints one JSON object per entry instead.`,
  async run(args, context) {
    const { values, positionals, help } = parseCommandArgs(
      args,
      { json: { type: 'boolean' } },
      { min: 1, max: 1, names: 'one ADDRESS' },
    );
    if (help) return (context.stdout.write(ls.usage + '\n'), EXIT.ok);
    const location = await context.connections.resolve(parseAddressArg(positionals[0]!));
    const print = (entry: Entry) =>
      context.stdout.write((values.json ? JSON.stringify(entry) : entryLine(entry)) + '\n');
    await withProvider(context, location, async (provider) => {
      const entry = await provider.stat(location.path);
      if (entry.type === 'file') return print(entry);
      const entries: Entry[] = [];
      for await (const page of provider.list(location.path)) entries.push(...page);
      // Sorted like `ls`: folders and files together, by name. Listing pages arrive in server order.
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const item of entries) print(item);
    });
    return EXIT.ok;
  },
};
