// Files dropped into the page in web mode: the page PUTs each file's bytes to UPLOAD_PATH/<uploadId>/<index>
// (transfers.upload gave it the id) and the request body streams into the transfer queue through the
// service. Nothing is buffered here: the body is read as fast as the queue writes it to the target, and the
// answer comes once the queue has read it all, or says why it could not.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { UPLOAD_PATH, type ApiError } from '../../shared/api/wire';
import { isFerryError } from '../../shared/errors';
import { ApiCallError, type ApiService } from '../core/api/types';
import type { Logger } from '../core/log/logger';

const TARGET = new RegExp(`^${UPLOAD_PATH}/([0-9a-f-]{36})/(\\d{1,6})$`);

const STATUS_OF: Partial<Record<ApiError['code'], number>> = {
  InvalidInput: 400,
  NotFound: 404,
  AlreadyExists: 409,
  Cancelled: 409,
};

/** Whether a request path is an upload's, with its id and file index. */
export function uploadTarget(rawPath: string): { uploadId: string; index: number } | undefined {
  const match = TARGET.exec(rawPath);
  return match ? { uploadId: match[1]!, index: Number(match[2]) } : undefined;
}

export async function receiveUpload(
  target: { uploadId: string; index: number },
  request: IncomingMessage,
  response: ServerResponse,
  service: ApiService,
  log: Logger,
): Promise<void> {
  try {
    await service.upload(target.uploadId, target.index, request);
    response.writeHead(204, { 'Cache-Control': 'no-store' });
    response.end();
  } catch (error) {
    const apiError: ApiError =
      error instanceof ApiCallError
        ? error.error
        : isFerryError(error)
          ? { code: error.code, message: error.message }
          : { code: 'Internal', message: 'FileFerry could not receive the file because of an internal error.' };
    if (apiError.code === 'Internal') log.error('an upload failed', { error });
    const body = JSON.stringify(apiError);
    response.writeHead(STATUS_OF[apiError.code] ?? 500, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
    });
    response.end(body);
  }
}
