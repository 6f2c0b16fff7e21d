// What a file's name says about it: which text kind and media type a text-like extension means, which
// extensions are documents (read whole, under a cap) and which are almost surely binary (only the first bytes
// are worth reading to confirm it). The bytes have the last word (sniff.ts); the name only plans the read.
import type { TextKind } from './types';

export interface NamedKind {
  kind: TextKind;
  mediaType: string;
  /** For code: the language, shown in the description. */
  language?: string;
}

const CODE: Readonly<Record<string, [language: string, mediaType: string]>> = {
  ts: ['TypeScript', 'text/x-typescript'],
  tsx: ['TypeScript', 'text/x-typescript'],
  mts: ['TypeScript', 'text/x-typescript'],
  cts: ['TypeScript', 'text/x-typescript'],
  js: ['JavaScript', 'text/javascript'],
  jsx: ['JavaScript', 'text/javascript'],
  mjs: ['JavaScript', 'text/javascript'],
  cjs: ['JavaScript', 'text/javascript'],
  py: ['Python', 'text/x-python'],
  go: ['Go', 'text/x-go'],
  rs: ['Rust', 'text/x-rust'],
  java: ['Java', 'text/x-java'],
  kt: ['Kotlin', 'text/x-kotlin'],
  scala: ['Scala', 'text/x-scala'],
  c: ['C', 'text/x-c'],
  h: ['C', 'text/x-c'],
  cc: ['C++', 'text/x-c++'],
  cpp: ['C++', 'text/x-c++'],
  cxx: ['C++', 'text/x-c++'],
  hpp: ['C++', 'text/x-c++'],
  cs: ['C#', 'text/x-csharp'],
  rb: ['Ruby', 'text/x-ruby'],
  php: ['PHP', 'text/x-php'],
  swift: ['Swift', 'text/x-swift'],
  dart: ['Dart', 'text/x-dart'],
  lua: ['Lua', 'text/x-lua'],
  pl: ['Perl', 'text/x-perl'],
  r: ['R', 'text/x-r'],
  sh: ['Shell', 'text/x-shellscript'],
  bash: ['Shell', 'text/x-shellscript'],
  zsh: ['Shell', 'text/x-shellscript'],
  ps1: ['PowerShell', 'text/x-powershell'],
  sql: ['SQL', 'application/sql'],
  html: ['HTML', 'text/html'],
  htm: ['HTML', 'text/html'],
  css: ['CSS', 'text/css'],
  scss: ['SCSS', 'text/x-scss'],
  vue: ['Vue', 'text/x-vue'],
  svelte: ['Svelte', 'text/x-svelte'],
  xml: ['XML', 'application/xml'],
  yaml: ['YAML', 'application/yaml'],
  yml: ['YAML', 'application/yaml'],
  toml: ['TOML', 'application/toml'],
  ini: ['INI', 'text/plain'],
  gradle: ['Gradle', 'text/plain'],
  tf: ['Terraform', 'text/plain'],
};

/** Whole file names that are code (no extension to go by). */
const CODE_NAMES: Readonly<Record<string, string>> = {
  dockerfile: 'Dockerfile',
  makefile: 'Makefile',
  jenkinsfile: 'Groovy',
};

const OTHER: Readonly<Record<string, NamedKind>> = {
  md: { kind: 'markdown', mediaType: 'text/markdown' },
  markdown: { kind: 'markdown', mediaType: 'text/markdown' },
  mdx: { kind: 'markdown', mediaType: 'text/markdown' },
  log: { kind: 'log', mediaType: 'text/plain' },
  csv: { kind: 'csv', mediaType: 'text/csv' },
  tsv: { kind: 'csv', mediaType: 'text/tab-separated-values' },
  tab: { kind: 'csv', mediaType: 'text/tab-separated-values' },
  json: { kind: 'json', mediaType: 'application/json' },
  geojson: { kind: 'json', mediaType: 'application/geo+json' },
  ndjson: { kind: 'json', mediaType: 'application/x-ndjson' },
  jsonl: { kind: 'json', mediaType: 'application/x-ndjson' },
  txt: { kind: 'text', mediaType: 'text/plain' },
  text: { kind: 'text', mediaType: 'text/plain' },
};

export type DocumentType = 'pdf' | 'docx';

/** Extensions whose content is not worth more than the first bytes (to name the type) unless the bytes say text. */
const BINARY = new Set(
  (
    'zip gz tgz bz2 xz 7z rar zst lz4 tar iso dmg img vhd vmdk qcow2 png jpg jpeg gif webp bmp tif tiff ico heic ' +
    'avif psd raw cr2 nef mp3 wav flac ogg oga opus m4a aac wma mp4 m4v mov avi mkv webm wmv flv mpg mpeg exe dll ' +
    'so dylib bin o a lib class jar war ear apk ipa deb rpm msi pkg woff woff2 ttf otf eot sqlite sqlite3 db mdb ' +
    'parquet avro orc pyc wasm xlsx xls pptx ppt doc odt ods odp epub pdb dat'
  ).split(' '),
);

/** The extension, lower case, without the dot ("" when none; "log" also for rotated "app.log.1"). */
export function extensionOf(name: string): string {
  const lower = name.toLowerCase();
  if (/\.log\.\d+$/.test(lower)) return 'log';
  const dot = lower.lastIndexOf('.');
  return dot > 0 ? lower.slice(dot + 1) : '';
}

/** The text kind the name suggests, or undefined when it suggests none (plain text then, if the bytes agree). */
export function namedKind(name: string): NamedKind | undefined {
  const ext = extensionOf(name);
  const code = CODE[ext];
  if (code) return { kind: 'code', mediaType: code[1], language: code[0] };
  const byName = CODE_NAMES[name.toLowerCase()];
  if (byName) return { kind: 'code', mediaType: 'text/plain', language: byName };
  return OTHER[ext];
}

export function namedDocument(name: string): DocumentType | undefined {
  const ext = extensionOf(name);
  return ext === 'pdf' || ext === 'docx' ? ext : undefined;
}

export function namedBinary(name: string): boolean {
  return BINARY.has(extensionOf(name));
}
