// Validation of a TransferRequest crossing a boundary (IPC, WebSocket, CLI, the persisted queue).
// Parsing fills the connection spec's defaults, so equal connections produce equal connection keys.
import { z } from 'zod';
import { connectionSpecSchema } from '../../../shared/connection';
import { FerryError } from '../../../shared/errors';
import { normalizePath } from '../../../shared/paths';
import { OVERWRITE_POLICIES, type TransferRequest } from '../../../shared/transfers';

export const pathSchema = z
  .string()
  .min(1, 'A path is required')
  .refine((p) => !/[\r\n\0]/.test(p), 'A path must not contain line breaks or NUL')
  .transform((p) => normalizePath(p));

const connectionRefSchema = z.union([
  z.strictObject({ savedId: z.string().min(1) }),
  z.strictObject({ spec: connectionSpecSchema, secretsKey: z.string().min(1).optional() }),
]);

export const locationSchema = z.strictObject({ connection: connectionRefSchema, path: pathSchema });

export const transferRequestSchema = z.strictObject({
  source: locationSchema,
  target: locationSchema,
  intoFolder: z.boolean().optional(),
  recursive: z.boolean().optional(),
  overwrite: z.enum(OVERWRITE_POLICIES).optional(),
  storageClass: z.string().min(1).max(64).optional(),
});

export function parseTransferRequest(input: unknown): TransferRequest {
  const parsed = transferRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ');
    throw new FerryError('InvalidInput', `The transfer request is not valid: ${issues}`);
  }
  return parsed.data as TransferRequest;
}
