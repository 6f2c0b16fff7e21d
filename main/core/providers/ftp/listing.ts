// Turns basic-ftp's parsed listings (MLSD, Unix or DOS LIST) into Entries, leaving out (and reporting) names
// FileFerry cannot use here: hostile ones ("..", "a/b"), a "\" on a server that takes it as a separator, and
// names the server sent in another encoding than UTF-8 (see NOT_UTF8).
//
// Modification times: MLSD/MLST facts are exact UTC. A LIST line's time is in the server's local zone,
// to the minute at best (a year only, for older files), so it is left out rather than reported at a
// precision it does not have; stat() fills it in with MDTM where the server offers it.
import { FileType, type FileInfo } from 'basic-ftp';
import { parseLine as parseMlsxLine } from 'basic-ftp/dist/parseListMLSD.js';
import { joinPath, nameProblem, type NameRules } from '../../../../shared/paths';
import { FerryError } from '../../../../shared/errors';
import type { Entry, ListOptions, SkippedName } from '../../../../shared/provider';
import type { Logger } from '../../log/logger';
import { reportSkipped } from '../skipped-names';
import { serverText } from '../../../../shared/text';

/**
 * basic-ftp decodes the control connection as UTF-8, so a name sent in another encoding (or as bytes that are
 * not UTF-8) arrives with U+FFFD in place of its bytes. Asking for it by that name would find nothing, or
 * another file: such a name is reported instead. (A name really holding U+FFFD is too rare to tell apart.)
 */
const NOT_UTF8 =
  'came from the server with bytes that are not UTF-8 (shown as \uFFFD), so FileFerry cannot ask the server for it';

export function toEntries(
  infos: readonly FileInfo[],
  folder: string,
  log: Logger,
  rules: NameRules | undefined,
  options: Pick<ListOptions, 'onSkipped'> = {},
): Entry[] {
  const entries: Entry[] = [];
  for (const info of infos) {
    const problem = nameProblem(info.name, rules) ?? (info.name.includes('\uFFFD') ? NOT_UTF8 : undefined);
    if (problem !== undefined) {
      const type = info.type === FileType.Directory ? 'folder' : 'file';
      reportSkipped(log, options, folder, { name: info.name, reason: problem, type });
      continue;
    }
    entries.push(toEntry(info, joinPath(folder, info.name), info.name));
  }
  return entries;
}

/** The error of a recursive remove that could not empty a folder: it holds entries FileFerry cannot name here. */
export function notEmptied(folder: string, left: readonly SkippedName[]): FerryError {
  const named = left
    .slice(0, 3)
    .map((skipped) => `"${skipped.name}" (the name ${skipped.reason})`)
    .join(', ');
  const more = left.length > 3 ? ` and ${left.length - 3} more` : '';
  const them = left.length === 1 ? 'it' : 'them';
  return new FerryError(
    'InvalidInput',
    `The folder ${folder} was not removed: it still holds ${named}${more}, which FileFerry cannot delete by name on this server. Remove ${them} with another client.`,
  );
}

export function toEntry(info: FileInfo, path: string, name: string): Entry {
  const folder = info.type === FileType.Directory;
  const entry: Entry = { name, path, type: folder ? 'folder' : 'file' };
  if (!folder && Number.isFinite(info.size)) entry.size = info.size;
  if (info.modifiedAt && !Number.isNaN(info.modifiedAt.getTime())) entry.modified = info.modifiedAt.getTime();
  else {
    // A hostile server chooses these bytes: printable characters only, and short.
    const text = serverText(info.rawModifiedAt, 32);
    if (text) entry.modifiedText = text;
  }
  if (info.type === FileType.SymbolicLink) entry.symlink = true;
  return entry;
}

/**
 * Parses an MLST reply ("250-Listing\r\n type=file;size=3;modify=…; /path\r\n250 End"): the facts line
 * starts with a space. Undefined when the reply carries none.
 */
export function parseMlstReply(message: string): FileInfo | undefined {
  const factsLine = message.split(/\r?\n/).find((line) => line.startsWith(' '));
  return factsLine ? parseMlsxLine(factsLine.slice(1)) : undefined;
}
