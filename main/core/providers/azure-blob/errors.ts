// Maps Azure SDK errors (RestError with an x-ms-error-code, Node network errors, aborts) to FerryErrors a
// person can act on. The operation kind matters: a 403 on a write through a read-only SAS deserves a message
// about the SAS's permissions, not a generic "access denied".
import { FerryError } from '../../../../shared/errors';
import type { AzureSpec } from '../../../../shared/connection';

export type AzureOperation = 'read' | 'write' | 'list' | 'delete' | 'copy' | 'tier' | 'connect';

export interface AzureErrorContext {
  /** The path or thing the operation concerned, for the message. */
  what: string;
  operation: AzureOperation;
  auth?: AzureSpec['auth'];
}

interface RestErrorLike {
  name?: string;
  code?: string;
  statusCode?: number;
  message?: string;
  details?: { errorCode?: string };
}

/** Node and Azure SDK (core-rest-pipeline) codes for a service that was not reached or stopped answering. */
export const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'REQUEST_SEND_ERROR',
  'UND_ERR_SOCKET',
]);

/** The service's error code (x-ms-error-code), or the Node error code for transport failures. */
export function azureErrorCode(error: unknown): string | undefined {
  const e = error as RestErrorLike | undefined;
  return e?.details?.errorCode ?? e?.code;
}

export function azureStatus(error: unknown): number | undefined {
  return (error as RestErrorLike | undefined)?.statusCode;
}

export function isNotFound(error: unknown): boolean {
  return azureStatus(error) === 404;
}

const WRITE_OPERATIONS = new Set<AzureOperation>(['write', 'delete', 'copy', 'tier']);

export function azureError(error: unknown, context: AzureErrorContext): FerryError {
  if (error instanceof FerryError) return error;
  const e = (error ?? {}) as RestErrorLike;
  const code = azureErrorCode(error) ?? '';
  const status = e.statusCode;
  const { what, operation } = context;
  const serviceSays = e.message ? ` Azure said: ${firstLine(e.message)}` : '';
  const options = { cause: error, details: { azureCode: code, status: status ?? 0 } };

  if (e.name === 'AbortError' || code === 'ABORT_ERR')
    return new FerryError('Cancelled', 'The operation was cancelled.', { cause: error });
  switch (code) {
    case 'ContainerNotFound':
      return new FerryError('NotFound', `The container for ${what} does not exist.`, options);
    case 'BlobNotFound':
    case 'ResourceNotFound':
      return new FerryError('NotFound', `${what} does not exist.`, options);
    case 'ContainerAlreadyExists':
    case 'BlobAlreadyExists':
      return new FerryError('AlreadyExists', `${what} already exists.`, options);
    case 'ContainerBeingDeleted':
      return new FerryError('Network', `The container for ${what} is being deleted; try again in a minute.`, options);
    case 'AuthenticationFailed':
    case 'InvalidAuthenticationInfo':
      return new FerryError(
        'AuthFailed',
        `Azure did not accept the credentials (${authHint(context.auth)}).${serviceSays}`,
        options,
      );
    case 'AuthorizationFailure':
      // Azurite (and some proxies) report a bad signature this way; Azure itself says AuthenticationFailed.
      if (/failed to authenticate/i.test(e.message ?? '')) {
        return new FerryError(
          'AuthFailed',
          `Azure did not accept the credentials (${authHint(context.auth)}).${serviceSays}`,
          options,
        );
      }
      return new FerryError('PermissionDenied', permissionMessage(context), options);
    case 'AuthorizationPermissionMismatch':
    case 'AuthorizationResourceTypeMismatch':
    case 'AuthorizationServiceMismatch':
    case 'AuthorizationProtocolMismatch':
    case 'AuthorizationSourceIPMismatch':
    case 'InsufficientAccountPermissions':
      return new FerryError('PermissionDenied', permissionMessage(context), options);
    case 'BlobArchived':
      return new FerryError(
        'Unsupported',
        `${what} is in the Archive tier. Change its access tier to Hot, Cool or Cold and wait for rehydration (up to 15 hours) before reading it.`,
        options,
      );
    case 'InvalidResourceName':
    case 'OutOfRangeInput':
      return new FerryError(
        'InvalidInput',
        `Azure rejected the name ${what}: container names are 3-63 lower-case letters, digits and single hyphens; blob names at most 1024 characters.`,
        options,
      );
    case 'InvalidBlockList':
    case 'InvalidBlobOrBlock':
    case 'InvalidBlockId':
      return new FerryError(
        'Protocol',
        `Azure rejected the uploaded blocks of ${what}; the upload will start over.${serviceSays}`,
        options,
      );
    case 'Md5Mismatch':
    case 'InvalidMd5':
    case 'Crc64Mismatch':
      return new FerryError(
        'Integrity',
        `Azure found the bytes of ${what} damaged in transit (checksum mismatch).`,
        options,
      );
    case 'ServerBusy':
    case 'OperationTimedOut':
    case 'InternalError':
      return new FerryError(
        'Network',
        `Azure is busy or failed temporarily while handling ${what}; try again.${serviceSays}`,
        options,
      );
    case 'NotImplemented':
    case 'FeatureNotSupported':
    case 'UnsupportedHeader':
      return new FerryError(
        'Unsupported',
        `This Azure endpoint does not support the operation on ${what}.${serviceSays}`,
        options,
      );
  }
  if (NETWORK_CODES.has(code) || (status === undefined && /network|socket|connect/i.test(e.message ?? ''))) {
    return new FerryError(
      'Network',
      `Could not reach the Azure Blob endpoint for ${what} (${code || 'network error'}). Check the endpoint and your connection.`,
      options,
    );
  }
  switch (status) {
    case 401:
      return new FerryError(
        'AuthFailed',
        `Azure did not accept the credentials (${authHint(context.auth)}).${serviceSays}`,
        options,
      );
    case 403:
      return new FerryError('PermissionDenied', permissionMessage(context), options);
    case 404:
      return new FerryError('NotFound', `${what} does not exist.`, options);
    case 409:
      return new FerryError(
        'AlreadyExists',
        `${what} conflicts with its current state on Azure (${code || 'conflict'}).${serviceSays}`,
        options,
      );
    case 412:
      return new FerryError(
        'AlreadyExists',
        `${what} changed on Azure during the operation (${code || 'precondition failed'}).`,
        options,
      );
    case 408:
    case 500:
    case 502:
    case 503:
    case 504:
      return new FerryError('Network', `Azure failed temporarily on ${what} (HTTP ${status}).${serviceSays}`, options);
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return new FerryError(
      'Protocol',
      `Azure refused the ${operation} of ${what} (HTTP ${status} ${code}).${serviceSays}`,
      options,
    );
  }
  return new FerryError(
    'Protocol',
    `The ${operation} of ${what} on Azure failed: ${firstLine(e.message ?? String(error))}`,
    options,
  );
}

function permissionMessage(context: AzureErrorContext): string {
  const writing = WRITE_OPERATIONS.has(context.operation);
  if (context.auth === 'sas') {
    return writing
      ? `This SAS does not allow writing to ${context.what}: it lacks the write, create or delete permission, has expired, or does not cover this container. Ask for a SAS with the permissions (racwdl) you need.`
      : `This SAS does not allow reading or listing ${context.what}: it lacks the read or list permission, has expired, or does not cover this container.`;
  }
  if (context.auth === 'entra') {
    return `Your Entra ID account has no ${writing ? 'write' : 'read'} access to ${context.what}. Ask for the "Storage Blob Data ${writing ? 'Contributor' : 'Reader'}" role on the account or container.`;
  }
  return `Access to ${context.what} was denied by Azure (${writing ? 'write' : 'read'}). Check the account key, firewall and network rules of the storage account.`;
}

function authHint(auth: AzureSpec['auth'] | undefined): string {
  switch (auth) {
    case 'key':
      return 'check the account name and key';
    case 'sas':
      return 'check that the SAS token is complete, unexpired and its signature intact';
    case 'entra':
      return 'sign in again with Entra ID';
    default:
      return 'check the connection string';
  }
}

/** The first line of a service message (Azure appends RequestId and Time lines). */
export function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 300);
}
