import type { Entry, SkippedName } from '../../../shared/provider';
import { EXIT } from '../exit-codes';
import { formatDate, printable } from '../format';
import { parseAddressArg } from '../locations';
import { TIMEOUT_HELP } from '../timeouts';
import { parseCommandArgs, withProvider, type Command } from './common';

/** Marks an archived object or blob; `ls --json` and a download attempt give the whole reason. */
const UNAVAILABLE_MARK = '  [not readable until restored]';

/**
 * One line per entry, as `ls -l` has it: type (d = folder), size, modification time, name. Cloud listings
 * add the storage class or access tier before the name (as the S3 console and Storage Explorer show it),
 * padded to the listing's longest; `classWidth` 0 leaves the column out.
 */
function entryLine(entry: Entry, classWidth: number): string {
  const type = entry.type === 'folder' ? 'd' : '-';
  const size = entry.type === 'folder' || entry.size === undefined ? '-' : String(entry.size);
  const modified =
    entry.modified === undefined ? printable(entry.modifiedText ?? '-').padEnd(16) : formatDate(entry.modified);
  const storageClass = classWidth > 0 ? `${(entry.storageClass ?? '-').padEnd(classWidth)}  ` : '';
  const name = `${entry.name}${entry.type === 'folder' ? '/' : ''}`;
  return `${type} ${size.padStart(12)}  ${modified}  ${storageClass}${name}${entry.unavailable ? UNAVAILABLE_MARK : ''}`;
}

function classColumnWidth(entries: Entry[]): number {
  // A reduce, not Math.max(...spread): a bucket's folder can list more entries than a call takes arguments.
  return entries.reduce((width, entry) => Math.max(width, entry.storageClass?.length ?? 0), 0);
}

export const ls: Command = {
  usage: `fileferry ls ADDRESS [--json] [--timeout SECONDS] [--idle-timeout SECONDS]

Lists the entries of a folder: type (d = folder), size in bytes, modification time and name; in S3 and
Azure Blob also the storage class or access tier, and which objects must be restored before they can be
read. An entry whose name FileFerry cannot use (not UTF-8, "..") is named on stderr instead (exit code 3).

  --json              one JSON object per entry instead
  ${TIMEOUT_HELP}`,
  async run(args, context) {
    const { values, positionals, help } = parseCommandArgs(
      args,
      { json: { type: 'boolean' } },
      { min: 1, max: 1, names: 'one ADDRESS' },
      context,
    );
    if (help) return (context.stdout.write(ls.usage + '\n'), EXIT.ok);
    const location = await context.connections.resolve(parseAddressArg(positionals[0]!));
    const print = (entries: Entry[]) => {
      const classWidth = classColumnWidth(entries);
      for (const entry of entries)
        context.stdout.write((values.json ? JSON.stringify(entry) : printable(entryLine(entry, classWidth))) + '\n');
    };
    const skipped: SkippedName[] = [];
    await withProvider(context, location, async (provider) => {
      const entry = await provider.stat(location.path);
      if (entry.type === 'file') return print([entry]);
      const entries: Entry[] = [];
      const onSkipped = (name: SkippedName) => void skipped.push(name);
      for await (const page of provider.list(location.path, { onSkipped })) entries.push(...page);
      // Sorted like `ls`: folders and files together, by name. Listing pages arrive in server order.
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      print(entries);
    });
    // An entry the listing left out is named, never hidden: on stderr (stdout keeps one entry per line, with
    // --json too), and the exit code says the listing is incomplete.
    for (const { name, reason } of skipped)
      context.stderr.write(printable(`fileferry: left out "${name}" in ${location.label}: the name ${reason}.`) + '\n');
    return skipped.length > 0 ? EXIT.partial : EXIT.ok;
  },
};
