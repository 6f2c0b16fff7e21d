// FileFerry's own export (no ids, no secrets) and, for recovery, its connections.json (including one moved
// aside as connections.corrupt-*.json after repair): both import like any other source.
import type { ConnectionsExport, SavedConnection } from '../../../shared/connections';
import { FerryError } from '../../../shared/errors';
import { writeFileAtomic } from '../connections/atomic-file';
import { requiredSecretField } from '../connections/secret-fields';
import type { ConnectionStore } from '../connections/store';
import type { ParsedFile, ParsedSite } from './types';

export function toExport(connections: readonly SavedConnection[], now = new Date()): ConnectionsExport {
  return {
    format: 'fileferry-connections',
    version: 1,
    exportedAt: now.toISOString(),
    connections: connections.map(({ id: _id, kind: _kind, createdAt: _c, updatedAt: _u, ...draft }) => draft),
  };
}

/** Writes every saved connection, without secrets, as JSON to `file`. Returns how many. */
export async function exportConnections(store: ConnectionStore, file: string): Promise<number> {
  const data = toExport(await store.list());
  await writeFileAtomic(file, JSON.stringify(data, null, 2) + '\n', 0o644);
  return data.connections.length;
}

export function looksLikeFileFerry(json: unknown): boolean {
  if (typeof json !== 'object' || json === null) return false;
  const value = json as Record<string, unknown>;
  return value.format === 'fileferry-connections' || (value.version === 1 && Array.isArray(value.connections));
}

/** Each entry becomes one item; entries that fail validation are reported per item by the preview. */
export function parseFileFerryFile(json: unknown): ParsedFile {
  const list = (json as { connections?: unknown }).connections;
  if (!Array.isArray(list)) throw new FerryError('InvalidInput', 'This FileFerry file has no "connections" list.');
  const sites = list.map((raw: unknown, index): ParsedSite => {
    const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const { id: _id, kind: _kind, createdAt: _c, updatedAt: _u, ...draft } = entry;
    const name = typeof draft.name === 'string' ? draft.name : `Connection ${index + 1}`;
    const spec = (draft.spec ?? {}) as { kind: string };
    const needed = typeof spec === 'object' ? requiredSecretField(spec) : undefined;
    return {
      key: `fileferry-${index + 1}`,
      source: `FileFerry: ${name}`,
      draft: draft as ParsedSite['draft'],
      secrets: {},
      // Exports carry no secrets: a connection that uses one needs it entered again.
      missingSecrets: needed ? [needed] : [],
      warnings: [],
    };
  });
  return { sites, warnings: [] };
}
