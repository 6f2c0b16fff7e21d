// Maps Node file-system errors to FerryErrors a person can act on.
import { FerryError } from '../../../../shared/errors';

/**
 * A path with U+FFFD was most likely typed or passed as bytes that are not UTF-8, which Node turned into U+FFFD
 * (a command-line argument, say): the file exists under its real bytes, which no string names.
 */
const NOT_UTF8_HINT =
  ' Its name holds "\uFFFD" (U+FFFD), which stands for bytes that are not UTF-8: if the real name has such' +
  ' bytes, FileFerry cannot name that file. Rename it to UTF-8 (convmv can) to copy it.';

export function fsError(error: unknown, path: string): FerryError {
  if (error instanceof FerryError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new FerryError('NotFound', `${path} does not exist.${path.includes('\uFFFD') ? NOT_UTF8_HINT : ''}`, {
        cause: error,
      });
    case 'EEXIST':
      return new FerryError('AlreadyExists', `${path} already exists.`, { cause: error });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new FerryError(
        'PermissionDenied',
        `You do not have permission to change ${path}. Check the folder's permissions.`,
        { cause: error },
      );
    case 'ENOTEMPTY':
      return new FerryError(
        'InvalidInput',
        `The folder ${path} is not empty. Remove it recursively to delete its contents too.`,
        { cause: error },
      );
    case 'EISDIR':
      return new FerryError('InvalidInput', `${path} is a folder, not a file.`, { cause: error });
    case 'ENXIO':
    case 'ENODEV':
      return new FerryError('InvalidInput', `${path} is a special file (socket or device) and cannot be copied.`, {
        cause: error,
      });
    case 'ENAMETOOLONG':
      // Not worth a retry: the same name fails the same way.
      return new FerryError(
        'InvalidInput',
        `The name ${path} is too long for this file system (most allow 255 bytes per name). Choose a shorter name or folder.`,
        { cause: error },
      );
    case 'ENOSPC':
      return new FerryError('PermissionDenied', `The disk holding ${path} is full. Free some space and retry.`, {
        cause: error,
      });
    case 'ABORT_ERR':
      return new FerryError('Cancelled', 'The operation was cancelled.', { cause: error });
    default:
      return new FerryError(
        'Protocol',
        `The local file system refused an operation on ${path} (${code ?? 'unknown error'}).`,
        { cause: error },
      );
  }
}
