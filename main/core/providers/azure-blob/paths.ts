// FileFerry paths onto Azure's container/blob names. With spec.container set, "/" is that container's root;
// without it, "/" lists containers and "/container/a/b" addresses blob "a/b". Folders are virtual: a blob
// name prefix ending in "/", made to exist on its own by a zero-byte marker blob named "folder/" (the
// convention rclone's directory markers and the Azure portal use), hidden in listings.
import { FerryError } from '../../../../shared/errors';
import { normalizePath } from '../../../../shared/paths';

export interface BlobLocation {
  /** Undefined for "/" when containers are listed there. */
  container?: string;
  /** Blob name (no leading or trailing "/"); '' for the container root. */
  key: string;
  /** The normalised FileFerry path, for messages. */
  path: string;
}

const SPECIAL_CONTAINERS = new Set(['$root', '$web', '$logs']);
export const CONTAINER_NAME_RULES =
  'Container names are 3 to 63 characters long, use only lower-case letters, digits and hyphens, start and end with a letter or digit, and have no two hyphens in a row.';

/** Checks a container name before any request, so a typo fails fast with the rule instead of a 400. */
export function assertContainerName(name: string): void {
  if (SPECIAL_CONTAINERS.has(name)) return;
  if (!/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/.test(name)) {
    throw new FerryError('InvalidInput', `"${name}" is not a valid Azure container name. ${CONTAINER_NAME_RULES}`);
  }
}

export function locate(path: string, fixedContainer: string | undefined): BlobLocation {
  const normal = normalizePath(path);
  const rest = normal.slice(1);
  if (fixedContainer) return { container: fixedContainer, key: rest, path: normal };
  if (rest === '') return { key: '', path: normal };
  const cut = rest.indexOf('/');
  const container = cut < 0 ? rest : rest.slice(0, cut);
  assertContainerName(container);
  const key = cut < 0 ? '' : rest.slice(cut + 1);
  if (key.length > 1024)
    throw new FerryError('InvalidInput', `${normal} is longer than Azure's 1024-character limit for blob names.`);
  return { container, key, path: normal };
}

/** The blob-name prefix that lists a folder's children ('' at the container root). */
export function folderPrefix(key: string): string {
  return key === '' ? '' : `${key}/`;
}

/** The marker blob that makes an empty folder exist. */
export function folderMarker(key: string): string {
  return `${key}/`;
}
