// Saved connections: what FileFerry remembers about a site besides its secrets. Secrets (passwords, keys,
// tokens) never appear here; they live in the credential store, keyed by the connection's id. The main
// process validates the connections file, every IPC/CLI draft and every import with these schemas.
import { z } from 'zod';
import { CONNECTION_KINDS, connectionSpecSchema, type SecretField } from './connection';
import type { SerializedError } from './errors';

const noControlChars = (s: string) => !/[\r\n\0]/.test(s);

/** Display name; unique among saved connections ignoring case (see connectionNameKey). */
const nameSchema = z
  .string()
  .trim()
  .min(1, 'A connection needs a name')
  .max(200)
  .refine(noControlChars, 'A name must not contain line breaks or NUL')
  .refine((s) => !s.includes(':'), 'A name must not contain ":" (the CLI uses NAME:path addresses)');

/** A folder path for organising connections ("Clients/Acme"); "" is the top level. */
const groupSchema = z
  .string()
  .max(500)
  .refine(noControlChars, 'A group must not contain line breaks or NUL')
  .transform((s) =>
    s
      .split('/')
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .join('/'),
  );

const remoteFolderSchema = z.string().max(4096).refine(noControlChars, 'A folder must not contain line breaks or NUL');

/** The editable part of a saved connection: what a form, the CLI or an import supplies. */
export const connectionDraftSchema = z.object({
  name: nameSchema,
  spec: connectionSpecSchema,
  /** Remote folder opened first and stat'ed by "test connection" (provider path, "/a/b"). */
  defaultRemoteFolder: remoteFolderSchema.optional(),
  /** Local folder shown beside it (an OS path). */
  defaultLocalFolder: remoteFolderSchema.optional(),
  /** Parallel transfers to this site; unset = the engine's default for the provider. */
  concurrency: z.number().int().min(1).max(64).optional(),
  notes: z.string().max(10_000).optional(),
  group: groupSchema.optional(),
});

export const savedConnectionSchema = connectionDraftSchema
  .extend({
    id: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9_-]+$/, 'An id is letters, digits, "-" and "_"'),
    /** Same as spec.kind; kept at the top level so lists can filter without opening the spec. */
    kind: z.enum(CONNECTION_KINDS),
    createdAt: z.number().int().nonnegative(),
    updatedAt: z.number().int().nonnegative(),
  })
  .refine((c) => c.kind === c.spec.kind, { message: 'kind must equal spec.kind', path: ['kind'] });

/** The connections file (${dataDir}/connections.json). */
export const connectionsFileSchema = z.object({
  version: z.literal(1),
  connections: z.array(savedConnectionSchema),
});

/** A connections export (no ids, no secrets): what `connections export` writes and import accepts. */
export const connectionsExportSchema = z.object({
  format: z.literal('fileferry-connections'),
  version: z.literal(1),
  exportedAt: z.string(),
  connections: z.array(connectionDraftSchema),
});

export type ConnectionDraft = z.infer<typeof connectionDraftSchema>;
export type ConnectionDraftInput = z.input<typeof connectionDraftSchema>;
export type SavedConnection = z.infer<typeof savedConnectionSchema>;
export type ConnectionsFile = z.infer<typeof connectionsFileSchema>;
export type ConnectionsExport = z.infer<typeof connectionsExportSchema>;

/** Secret values keyed by field, as supplied to create/update (null deletes the stored value). */
export type SecretValues = Partial<Record<SecretField, string | null>>;

/** The key two names collide on: case-insensitive, Unicode-normalised, trimmed. */
export function connectionNameKey(name: string): string {
  return name.normalize('NFC').trim().toLowerCase();
}

/** What "test connection" reports. */
export type ConnectionTestResult =
  | { ok: true; path: string; elapsedMs: number }
  | { ok: false; path: string; elapsedMs: number; error: SerializedError };

/** The first few validation problems as "path: message" lines people can act on. */
export function describeIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
  topLevel = 'connection',
  max = 3,
): string[] {
  return issues.slice(0, max).map((issue) => `${issue.path.map(String).join('.') || topLevel}: ${issue.message}`);
}
