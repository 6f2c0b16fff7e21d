// Importing connections from other tools: detect the format, preview (parse into items a person can check
// and select; secret values stay here, in a WeakMap keyed by the preview), then commit the selection.
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { SecretField } from '../../../shared/connection';
import {
  connectionDraftSchema,
  connectionNameKey,
  describeIssues,
  type SavedConnection,
} from '../../../shared/connections';
import { FerryError } from '../../../shared/errors';
import { requiredSecretField } from '../connections/secret-fields';
import type { ConnectionStore } from '../connections/store';
import { looksLikeAws, parseAwsFile } from './aws';
import { looksLikeFileFerry, parseFileFerryFile } from './fileferry';
import { looksLikeFileZilla, parseFileZilla } from './filezilla';
import { looksLikeRclone, parseRcloneConfig } from './rclone';
import type { ImportFormat, ImportItem, ImportPreview, ParsedFile, ParsedSite } from './types';

export type { ImportFormat, ImportItem, ImportPreview, ImportStatus } from './types';
export { listAwsProfiles, defaultAwsConfigFiles, type AwsProfile } from './aws';
export { exportConnections, toExport } from './fileferry';
export { revealRclonePassword, obscureRclonePassword } from './rclone-obscure';

/** Settings files are small; anything bigger is not one of the formats we read. */
const MAX_IMPORT_BYTES = 16 * 1024 * 1024;

const FORMAT_NAMES: Record<ImportFormat, string> = {
  filezilla: 'FileZilla site manager',
  rclone: 'rclone configuration',
  aws: 'AWS profiles',
  fileferry: 'FileFerry connections',
};

const secretsByPreview = new WeakMap<ImportPreview, Map<string, Partial<Record<SecretField, string>>>>();

export function describeFormat(format: ImportFormat): string {
  return FORMAT_NAMES[format];
}

/** Which format a file is in, from its content (the name only breaks ties for AWS files). */
export function detectImportFormat(text: string, fileName: string): ImportFormat | undefined {
  const start = text.trimStart();
  if (start.startsWith('<')) return looksLikeFileZilla(start) ? 'filezilla' : undefined;
  if (start.startsWith('{')) {
    try {
      return looksLikeFileFerry(JSON.parse(text)) ? 'fileferry' : undefined;
    } catch {
      return undefined;
    }
  }
  if (looksLikeRclone(text)) return 'rclone';
  if (looksLikeAws(text, fileName)) return 'aws';
  return undefined;
}

/** Reads and parses a file; nothing is saved. */
export async function previewImport(file: string): Promise<ImportPreview> {
  const info = await stat(file).catch((cause: unknown) => {
    throw new FerryError('NotFound', `Cannot read ${file}: ${(cause as Error).message}`, { cause });
  });
  if (info.size > MAX_IMPORT_BYTES) {
    throw new FerryError(
      'InvalidInput',
      `${file} is ${info.size} bytes; connection lists are far smaller. Choose the settings file itself.`,
    );
  }
  const text = await readFile(file, 'utf8');
  const format = detectImportFormat(text, basename(file));
  if (!format) {
    throw new FerryError(
      'InvalidInput',
      `${file} is not a format FileFerry imports: FileZilla sitemanager.xml, rclone.conf, ~/.aws/config or credentials, or a FileFerry export.`,
    );
  }
  const parsed = await parseAs(format, text, file);
  return buildPreview(format, file, parsed);
}

async function parseAs(format: ImportFormat, text: string, file: string): Promise<ParsedFile> {
  switch (format) {
    case 'filezilla':
      return parseFileZilla(text);
    case 'rclone':
      return parseRcloneConfig(text);
    case 'aws':
      return parseAwsFile(text, file);
    case 'fileferry':
      return parseFileFerryFile(JSON.parse(text));
  }
}

function buildPreview(format: ImportFormat, file: string, parsed: ParsedFile): ImportPreview {
  const secrets = new Map<string, Partial<Record<SecretField, string>>>();
  const items = parsed.sites.map((site) => toItem(site, secrets));
  const preview: ImportPreview = { format, file, items, warnings: parsed.warnings };
  secretsByPreview.set(preview, secrets);
  return preview;
}

function toItem(site: ParsedSite, secrets: Map<string, Partial<Record<SecretField, string>>>): ImportItem {
  const warnings = [...site.warnings];
  const base = { key: site.key, source: site.source, warnings };
  if (site.unsupported || !site.draft) return { ...base, secretFields: [], missingSecrets: [], status: 'unsupported' };
  const draft = { ...site.draft };
  if (typeof draft.name === 'string' && draft.name.includes(':')) {
    // ":" separates NAME from the path in CLI addresses (NAME:path).
    draft.name = draft.name.replace(/\s*:\s*/g, ' - ');
    warnings.push(`Renamed to "${draft.name}": connection names cannot contain ":".`);
  }
  const result = connectionDraftSchema.safeParse(draft);
  if (!result.success) {
    warnings.push(...describeIssues(result.error.issues));
    return { ...base, secretFields: [], missingSecrets: [], status: 'unsupported' };
  }
  const secretFields = Object.keys(site.secrets) as SecretField[];
  const missing = new Set(site.missingSecrets ?? []);
  const needed = requiredSecretField(result.data.spec);
  if (needed && !secretFields.includes(needed)) missing.add(needed);
  secrets.set(site.key, site.secrets);
  return {
    ...base,
    connection: result.data,
    secretFields,
    missingSecrets: [...missing],
    status: missing.size > 0 ? 'needs-secret' : 'ready',
  };
}

export interface CommitResult {
  created: Array<{ key: string; connection: SavedConnection; missingSecrets: SecretField[]; renamedFrom?: string }>;
  skipped: Array<{ key: string; source: string; reason: string }>;
  /** Sentences for the user (e.g. secrets kept for this session only). */
  notices: string[];
}

/**
 * Saves the selected items (default: every importable one). A name already in use gets " (imported)",
 * " (imported 2)", …; one item failing does not stop the others.
 */
export async function commitImport(
  preview: ImportPreview,
  store: ConnectionStore,
  options: { keys?: readonly string[] } = {},
): Promise<CommitResult> {
  const secrets = secretsByPreview.get(preview);
  if (!secrets)
    throw new FerryError(
      'InvalidInput',
      'This import preview did not come from previewImport(); preview the file again.',
    );
  const wanted = options.keys ? new Set(options.keys) : undefined;
  const result: CommitResult = { created: [], skipped: [], notices: [] };
  for (const key of wanted ?? []) {
    if (!preview.items.some((item) => item.key === key))
      result.skipped.push({ key, source: key, reason: 'No such item in the preview.' });
  }
  const taken = new Set((await store.list()).map((c) => connectionNameKey(c.name)));
  for (const item of preview.items) {
    if (wanted && !wanted.has(item.key)) continue;
    if (item.status === 'unsupported' || !item.connection) {
      if (wanted)
        result.skipped.push({
          key: item.key,
          source: item.source,
          reason: item.warnings.join(' ') || 'Not supported.',
        });
      continue;
    }
    const name = freeName(item.connection.name, taken);
    try {
      const { connection, notices } = await store.create({ ...item.connection, name }, secrets.get(item.key) ?? {});
      taken.add(connectionNameKey(name));
      for (const notice of notices) if (!result.notices.includes(notice)) result.notices.push(notice);
      result.created.push({
        key: item.key,
        connection,
        missingSecrets: item.missingSecrets,
        ...(name !== item.connection.name ? { renamedFrom: item.connection.name } : {}),
      });
    } catch (error) {
      result.skipped.push({
        key: item.key,
        source: item.source,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return result;
}

function freeName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(connectionNameKey(name))) return name;
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? `${name} (imported)` : `${name} (imported ${n})`;
    if (!taken.has(connectionNameKey(candidate))) return candidate;
  }
}
