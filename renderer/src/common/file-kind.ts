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
  icon: LucideIcon;
}

const FAMILIES: Array<[Kind, string[]]> = [
  [
    { label: 'Image', icon: FileImage },
    ['png', 'jpg', 'jpeg', 'gif', 'webp', 'svg', 'bmp', 'tif', 'tiff', 'heic', 'raw', 'ico'],
  ],
  [{ label: 'Video', icon: FileVideo }, ['mp4', 'mov', 'mkv', 'avi', 'webm', 'm4v', 'wmv']],
  [{ label: 'Audio', icon: FileAudio }, ['mp3', 'wav', 'flac', 'aac', 'ogg', 'm4a', 'opus']],
  [{ label: 'Archive', icon: FileArchive }, ['zip', 'tar', 'gz', 'tgz', 'bz2', 'xz', 'zst', '7z', 'rar', 'iso', 'dmg']],
  [{ label: 'Spreadsheet', icon: FileSpreadsheet }, ['csv', 'tsv', 'xls', 'xlsx', 'ods']],
  [{ label: 'JSON', icon: FileJson }, ['json', 'jsonl', 'ndjson']],
  [
    { label: 'Code', icon: FileCode },
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
  [{ label: 'Document', icon: FileText }, ['txt', 'md', 'pdf', 'doc', 'docx', 'odt', 'rtf', 'log', 'ini', 'conf']],
];

const BY_EXTENSION = new Map<string, Kind>();
for (const [kind, extensions] of FAMILIES) for (const extension of extensions) BY_EXTENSION.set(extension, kind);

const FOLDER: Kind = { label: 'Folder', icon: Folder };
const GENERIC: Kind = { label: 'File', icon: File };

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export function kindOf(entry: Pick<Entry, 'name' | 'type'>): Kind {
  if (entry.type === 'folder') return FOLDER;
  const extension = extensionOf(entry.name);
  return (
    BY_EXTENSION.get(extension) ?? (extension ? { label: `${extension.toUpperCase()} file`, icon: File } : GENERIC)
  );
}
