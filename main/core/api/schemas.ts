// The argument of every API method, validated before anything happens: whatever arrives over IPC or the
// WebSocket is untrusted (a compromised renderer, a page that found the port). The record is typed by
// ApiMethods, so the compiler rejects a method without a schema or a schema that lets through what the
// method's type does not allow.
import { z } from 'zod';
import type { ApiArg, ApiMethodName } from '../../../shared/api';
import { settingsPatchSchema } from '../../../shared/api/dto';
import { SECRET_FIELDS } from '../../../shared/connection';
import { connectionDraftSchema } from '../../../shared/connections';
import { HISTORY_EXPORT_FORMATS, HISTORY_PAGE_MAX, HISTORY_RESULTS } from '../../../shared/history';
import { OVERWRITE_POLICIES } from '../../../shared/transfers';
import { locationSchema, pathSchema, transferRequestSchema } from '../transfers/request-schema';

const id = z.string().min(1).max(200);
const none = z
  .undefined()
  .or(z.null())
  .transform(() => undefined);
const secrets = z.partialRecord(
  z.enum(SECRET_FIELDS),
  z
    .string()
    .max(64 * 1024)
    .nullable(),
);
const jobSelector = z.strictObject({ jobId: id.optional() }).default({});
/** A local file's path (an import source): absolute, no control characters. */
const localFile = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !/[\r\n\0]/.test(p), 'A path must not contain line breaks or NUL');

const epochMs = z.number().int().min(0).max(8.64e15);
const historyFilter = z.strictObject({
  text: z.string().max(1000).optional(),
  result: z.enum(HISTORY_RESULTS).optional(),
  since: epochMs.optional(),
  until: epochMs.optional(),
  connection: z.string().min(1).max(4096).optional(),
  device: z.string().min(1).max(200).optional(),
});

export const ARG_SCHEMAS = {
  'app.info': none,
  'connections.list': none,
  'connections.get': z.strictObject({ id }),
  'connections.add': z.strictObject({ draft: connectionDraftSchema, secrets: secrets.optional() }),
  'connections.update': z.strictObject({
    id,
    changes: connectionDraftSchema.partial(),
    secrets: secrets.optional(),
  }),
  'connections.duplicate': z.strictObject({ id, name: z.string().min(1).max(200).optional() }),
  'connections.remove': z.strictObject({ id }),
  'connections.test': z.strictObject({ id }),
  'connections.importSources': none,
  'connections.importPreview': z.strictObject({ path: localFile }),
  'connections.importApply': z.strictObject({ path: localFile, keys: z.array(z.string().max(500)).max(10_000) }),
  'connections.export': none,
  'connections.trust': z.strictObject({
    id,
    fingerprint: z.string().regex(/^([0-9A-Fa-f]{2}:?){32}$/, 'A fingerprint is 32 hexadecimal bytes'),
    always: z.boolean(),
  }),
  'connections.resolveAddress': z.strictObject({
    address: z.string().min(1).max(8192),
    password: z.string().max(4096).optional(),
  }),
  'connections.cancelSignIn': z.strictObject({ signInId: id }),
  'browse.list': z.strictObject({ listingId: z.string().min(1).max(100), location: locationSchema }),
  'browse.cancel': z.strictObject({ listingId: z.string().min(1).max(100) }),
  'browse.stat': z.strictObject({ location: locationSchema }),
  'browse.mkdir': z.strictObject({ location: locationSchema }),
  'browse.rename': z.strictObject({ location: locationSchema, to: pathSchema }),
  'browse.remove': z.strictObject({ location: locationSchema, recursive: z.boolean().optional() }),
  'browse.setStorageClass': z.strictObject({ location: locationSchema, storageClass: z.string().min(1).max(64) }),
  'transfers.add': transferRequestSchema,
  'transfers.list': none,
  'transfers.upload': z.strictObject({
    target: locationSchema,
    files: z
      .array(
        z.strictObject({
          name: z.string().min(1).max(1024),
          size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
          modified: z.number().int().min(0).optional(),
        }),
      )
      .min(1)
      .max(10_000),
  }),
  'transfers.files': z.strictObject({
    jobId: id,
    after: z.number().int().min(-1).optional(),
    limit: z.number().int().min(1).max(10_000).optional(),
  }),
  'transfers.pause': jobSelector,
  'transfers.resume': jobSelector,
  'transfers.cancel': jobSelector,
  'transfers.retry': z.strictObject({ jobId: id }),
  'transfers.clearFinished': none,
  'transfers.answer': z.strictObject({
    askId: id,
    answer: z.enum(OVERWRITE_POLICIES).exclude(['ask']),
    applyToAll: z.boolean().optional(),
  }),
  'settings.get': none,
  'settings.set': settingsPatchSchema,
  'history.query': historyFilter.extend({
    limit: z.number().int().min(1).max(HISTORY_PAGE_MAX).optional(),
    after: z.string().min(1).max(1000).optional(),
  }),
  'history.count': historyFilter,
  'history.status': none,
  'history.export': z.strictObject({ filter: historyFilter, format: z.enum(HISTORY_EXPORT_FORMATS) }),
  'summaries.summarize': z.strictObject({
    requestId: z.string().min(1).max(100),
    location: locationSchema,
    consent: z.boolean().optional(),
  }),
  'summaries.cancel': z.strictObject({ requestId: z.string().min(1).max(100) }),
  'summaries.status': none,
  'summaries.setAzureOpenAIKey': z.strictObject({ key: z.string().trim().min(1).max(1024).nullable() }),
  'summaries.forgetConsents': none,
} satisfies { [M in ApiMethodName]: z.ZodType<unknown> };

/** The compiler checks that each schema's output fits what its method takes. */
type Checked = { [M in ApiMethodName]: z.output<(typeof ARG_SCHEMAS)[M]> extends ApiArg<M> ? true : M };
const allFit: Checked[ApiMethodName] extends true ? true : never = true;
void allFit;
