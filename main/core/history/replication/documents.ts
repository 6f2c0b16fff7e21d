// A history record as a Cosmos DB document, and back. The document is the record itself (its id the
// record's, made safe for Cosmos ids) plus a format version; a document pulled from the account is checked
// field by field before it enters the local store, since another device may run another FileFerry version.
import { z } from 'zod';
import { HISTORY_RESULTS, type HistoryRecord } from '../../../../shared/history';

/** Bumped when a field changes meaning; a reader skips documents of a newer major format. */
export const DOCUMENT_FORMAT = 1;

export type HistoryDocument = Omit<HistoryRecord, 'id'> & { id: string; format: number };

const number = z.number().finite();
const recordSchema = z.object({
  id: z.string().min(1),
  jobId: z.string(),
  syncRunId: z.string().optional(),
  source: z.string(),
  destination: z.string(),
  sourceConnection: z.string(),
  destinationConnection: z.string(),
  size: number.optional(),
  bytesDone: number,
  startedAt: number,
  endedAt: number.optional(),
  durationMs: number.optional(),
  rate: number.optional(),
  result: z.enum(HISTORY_RESULTS),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  verification: z.object({ check: z.string(), value: z.string().optional() }).optional(),
  deviceId: z.string().min(1),
  deviceName: z.string(),
  appVersion: z.string(),
  updatedAt: number,
  format: z.number().int().min(1).max(DOCUMENT_FORMAT),
});

/** Cosmos ids may not hold / \ ? #; those (and %) are percent-encoded, so the mapping stays reversible. */
export function documentId(recordId: string): string {
  return recordId.replace(/[/\\?#%]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

export function documentOf(record: HistoryRecord): HistoryDocument {
  return { ...record, id: documentId(record.id), format: DOCUMENT_FORMAT };
}

/** The record a pulled document holds, or undefined when it is not one this version can read. */
export function recordOf(document: unknown): HistoryRecord | undefined {
  const parsed = recordSchema.safeParse(document);
  if (!parsed.success) return undefined;
  const { format: _format, ...fields } = parsed.data;
  const record: HistoryRecord = { ...fields, id: decodeId(fields.id) };
  // zod keeps absent optionals absent; the SDK's own fields (_rid, _ts, …) were never in the schema.
  return record;
}

function decodeId(id: string): string {
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
}
