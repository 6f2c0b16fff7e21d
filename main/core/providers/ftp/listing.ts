// Turns basic-ftp's parsed listings (MLSD, Unix or DOS LIST) into Entries, refusing hostile names.
//
// Modification times: MLSD/MLST facts are exact UTC. A LIST line's time is in the server's local zone,
// to the minute at best (a year only, for older files), so it is left out rather than reported at a
// precision it does not have; stat() fills it in with MDTM where the server offers it.
import { FileType, type FileInfo } from 'basic-ftp';
import { parseLine as parseMlsxLine } from 'basic-ftp/dist/parseListMLSD.js';
import { isSafeChildName, joinPath } from '../../../../shared/paths';
import type { Entry } from '../../../../shared/provider';
import type { Logger } from '../../log/logger';

export function toEntries(infos: readonly FileInfo[], folder: string, log: Logger): Entry[] {
  const entries: Entry[] = [];
  for (const info of infos) {
    if (!isSafeChildName(info.name)) {
      log.warn('Skipped a listing entry whose name is not a safe file name', {
        folder,
        name: JSON.stringify(info.name),
      });
      continue;
    }
    entries.push(toEntry(info, joinPath(folder, info.name), info.name));
  }
  return entries;
}

export function toEntry(info: FileInfo, path: string, name: string): Entry {
  const folder = info.type === FileType.Directory;
  const entry: Entry = { name, path, type: folder ? 'folder' : 'file' };
  if (!folder && Number.isFinite(info.size)) entry.size = info.size;
  if (info.modifiedAt && !Number.isNaN(info.modifiedAt.getTime())) entry.modified = info.modifiedAt.getTime();
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
