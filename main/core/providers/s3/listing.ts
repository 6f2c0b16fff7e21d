// Listings: a folder's children from ListObjectsV2 with Delimiter "/" (common prefixes are folders, the
// folder's own marker is hidden), and the buckets at "/" when the connection names none.
import { ListBucketsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { FerryError } from '../../../../shared/errors';
import { joinPath, unsafeNameReason } from '../../../../shared/paths';
import type { CancelSignal, Entry, EntryType, ListOptions } from '../../../../shared/provider';
import type { Logger } from '../../log/logger';
import { throwIfAborted } from '../../util/abort';
import { reportSkipped } from '../skipped-names';
import { fileEntryFromListing } from './entries';
import { s3Error } from './errors';
import { folderPrefix } from './location';

type Signal = AbortSignal | undefined;

/** A folder's direct children, a page at a time as S3 delivers them; NotFound when nothing lies under it. */
export async function* listFolder(
  client: S3Client,
  log: Logger,
  location: { bucket: string; key: string; address: string },
  base: string,
  options: ListOptions,
): AsyncGenerator<Entry[]> {
  const signal = options.signal as Signal;
  const prefix = folderPrefix(location.key);
  let token: string | undefined;
  let first = true;
  do {
    throwIfAborted(options.signal);
    let page;
    try {
      page = await client.send(
        new ListObjectsV2Command({
          Bucket: location.bucket,
          Prefix: prefix,
          Delimiter: '/',
          ...(options.pageSize ? { MaxKeys: Math.min(1000, Math.max(1, options.pageSize)) } : {}),
          ...(token ? { ContinuationToken: token } : {}),
          // Tells whether an archived object has been restored; servers that do not know it ignore it.
          OptionalObjectAttributes: ['RestoreStatus'],
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      throw s3Error(error, location.address);
    }
    const contents = page.Contents ?? [];
    const prefixes = page.CommonPrefixes ?? [];
    if (first && location.key !== '' && contents.length === 0 && prefixes.length === 0) {
      throw new FerryError('NotFound', `${location.address} does not exist.`);
    }
    first = false;
    const entries: Entry[] = [];
    for (const common of prefixes) {
      const name = (common.Prefix ?? '').slice(prefix.length, -1);
      if (acceptName(log, name, base, options, 'folder'))
        entries.push({ name, path: joinPath(base, name), type: 'folder' });
    }
    for (const object of contents) {
      if (object.Key === prefix) continue; // the folder's own marker
      const name = (object.Key ?? '').slice(prefix.length);
      if (acceptName(log, name, base, options, 'file'))
        entries.push(fileEntryFromListing(object, name, joinPath(base, name)));
    }
    yield entries;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** S3 stores any key, so only names no site can use ("", "..", a line break) are left out, and reported. */
function acceptName(
  log: Logger,
  name: string,
  folder: string,
  options: Pick<ListOptions, 'onSkipped'>,
  type: EntryType,
): boolean {
  const reason = unsafeNameReason(name);
  if (reason === undefined) return true;
  reportSkipped(log, options, folder, { name, reason, type });
  return false;
}

export async function listBuckets(client: S3Client, log: Logger, cancel?: CancelSignal): Promise<Entry[]> {
  const signal = cancel as Signal;
  try {
    const result = await client.send(new ListBucketsCommand({}), { abortSignal: signal });
    return (result.Buckets ?? [])
      .filter((b) => b.Name && acceptName(log, b.Name, '/', {}, 'folder'))
      .map((b) => ({
        name: b.Name!,
        path: `/${b.Name!}`,
        type: 'folder' as const,
        ...(b.CreationDate ? { modified: b.CreationDate.getTime() } : {}),
      }));
  } catch (error) {
    throw s3Error(error, 'the list of buckets');
  }
}
