// A file's kind by its extension: the icon beside its name and the Type column's word. One table, families
// rather than every extension, as Finder and Explorer group them.
import {
  File,
  FileArchive,
  FileAudio,
  FileCode,
  FileImage,
  FileJson,
  FileSpreadsheet,
  FileText,
  FileVideo,
  Folder,
  type LucideIcon,
} from 'lucide-react';
import type { Entry } from '../../../shared/provider';

interface Kind {
  label: string;
  /** Which of KIND_ICONS draws it. */
  iconId: string;
}

/**
 * Every kind's icon once, by id: the grid draws a row's icon as a reference to it (FileIcon.tsx), so a row
 * scrolled in changes an attribute instead of building an SVG.
 */
export const KIND_ICONS: ReadonlyArray<readonly [string, LucideIcon]> = [
  ['image', FileImage],
  ['video', FileVideo],
  ['audio', FileAudio],
  ['archive', FileArchive],
  ['spreadsheet', FileSpreadsheet],
  ['json', FileJson],
  ['code', FileCode],
  ['document', FileText],
  ['folder', Folder],
  ['file', File],
];

const FAMILIES: Array<[Kind, string[]]> = [
  [
    { label: 'Image', iconId: 'image' },
    ['png', 'jpg', 'jpeg', 'gif', 'webp', 'svg', 'bmp', 'tif', 'tiff', 'heic', 'raw', 'ico'],
  ],
  [{ label: 'Video', iconId: 'video' }, ['mp4', 'mov', 'mkv', 'avi', 'webm', 'm4v', 'wmv']],
  [{ label: 'Audio', iconId: 'audio' }, ['mp3', 'wav', 'flac', 'aac', 'ogg', 'm4a', 'opus']],
  [{ label: 'Archive', iconId: 'archive' }, ['zip', 'tar', 'gz', 'tgz', 'bz2', 'xz', 'zst', '7z', 'rar', 'iso', 'dmg']],
  [{ label: 'Spreadsheet', iconId: 'spreadsheet' }, ['csv', 'tsv', 'xls', 'xlsx', 'ods']],
  [{ label: 'JSON', iconId: 'json' }, ['json', 'jsonl', 'ndjson']],
  [
    { label: 'Code', iconId: 'code' },
    [
      'js',
      'mjs',
      'cjs',
      'ts',
      'tsx',
      'jsx',
      'py',
      'rb',
      'go',
      'rs',
      'java',
      'kt',
      'c',
      'h',
      'cpp',
      'cs',
      'php',
      'sh',
      'html',
      'css',
      'xml',
      'yaml',
      'yml',
      'toml',
      'sql',
    ],
  ],
  [{ label: 'Document', iconId: 'document' }, ['txt', 'md', 'pdf', 'doc', 'docx', 'odt', 'rtf', 'log', 'ini', 'conf']],
];

const BY_EXTENSION = new Map<string, Kind>();
for (const [kind, extensions] of FAMILIES) for (const extension of extensions) BY_EXTENSION.set(extension, kind);

const FOLDER: Kind = { label: 'Folder', iconId: 'folder' };
const GENERIC: Kind = { label: 'File', iconId: 'file' };

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export function kindOf(entry: Pick<Entry, 'name' | 'type'>): Kind {
  if (entry.type === 'folder') return FOLDER;
  const extension = extensionOf(entry.name);
  return (
    BY_EXTENSION.get(extension) ?? (extension ? { label: `${extension.toUpperCase()} file`, iconId: 'file' } : GENERIC)
  );
}
