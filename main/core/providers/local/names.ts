// Names as the local disk holds them. A POSIX file name is bytes, not text: Node decodes one that is not UTF-8
// with U+FFFD in place of the bad bytes, which gives a name no later call can find again (the file then
// "does not exist"). So folders are read as bytes, and such a name is reported, shown with its bytes, instead.
// On Windows, names follow Windows' rules (NameRules 'windows'); elsewhere any name no site refuses is stored.
import { isUtf8 } from 'node:buffer';
import type { Dirent } from 'node:fs';
import { opendir } from 'node:fs/promises';
import { FerryError } from '../../../../shared/errors';
import { nameProblem, type NameRules } from '../../../../shared/paths';
import type { SkippedName } from '../../../../shared/provider';

export const LOCAL_NAME_RULES: NameRules | undefined = process.platform === 'win32' ? 'windows' : undefined;

const NOT_UTF8 =
  'is not valid UTF-8 (a byte that is not is shown as \\xHH), which FileFerry cannot carry to another site';

/** Opens a folder for reading its entries with their names as bytes (Node's typings only know string names). */
export async function openFolderAsBytes(osPath: string): Promise<AsyncIterable<Dirent<Buffer>>> {
  const dir = await opendir(osPath, { bufferSize: 128, encoding: 'buffer' as BufferEncoding });
  return dir as unknown as AsyncIterable<Dirent<Buffer>>;
}

/** An entry's name read as bytes: the name, or what to report when this disk's rules leave it out. */
export function entryName(dirent: Dirent<Buffer>): { name: string } | { skipped: SkippedName } {
  const type = dirent.isDirectory() ? 'folder' : 'file';
  if (!isUtf8(dirent.name)) return { skipped: { name: showBytes(dirent.name), reason: NOT_UTF8, type } };
  const name = dirent.name.toString('utf8');
  const problem = nameProblem(name, LOCAL_NAME_RULES);
  return problem === undefined ? { name } : { skipped: { name, reason: problem, type } };
}

/**
 * Refuses a provider path with a segment this disk cannot hold. Only Windows has such rules: there a "\" or
 * ":" in a segment would be a separator, a drive or a stream to path.join, and so a way out of the folder.
 */
export function assertLocalSegments(segments: readonly string[], shown: string): void {
  if (LOCAL_NAME_RULES === undefined) return;
  for (const segment of segments) {
    const problem = nameProblem(segment, LOCAL_NAME_RULES);
    if (problem !== undefined) throw new FerryError('InvalidInput', `${shown}: the name "${segment}" ${problem}.`);
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Bytes as text: each valid UTF-8 sequence as its character, every other byte as \xHH. */
export function showBytes(bytes: Uint8Array): string {
  let shown = '';
  for (let at = 0; at < bytes.length;) {
    const lead = bytes[at]!;
    const length =
      lead < 0x80
        ? 1
        : lead >= 0xc2 && lead <= 0xdf
          ? 2
          : lead >= 0xe0 && lead <= 0xef
            ? 3
            : lead >= 0xf0 && lead <= 0xf4
              ? 4
              : 0;
    const char = length > 0 && at + length <= bytes.length ? decodeStrict(bytes.subarray(at, at + length)) : undefined;
    if (char === undefined) {
      shown += `\\x${lead.toString(16).padStart(2, '0')}`;
      at += 1;
    } else {
      shown += char;
      at += length;
    }
  }
  return shown;
}

function decodeStrict(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}
