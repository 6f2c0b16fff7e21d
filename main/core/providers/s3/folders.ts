// Folders in a flat key space: a folder exists while a zero-byte "prefix/" marker or any object lies under
// its prefix. These helpers answer whether one exists, keep one from vanishing, and walk or delete its keys.
import {
  DeleteObjectsCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { FerryError } from '../../../../shared/errors';
import { s3Error } from './errors';
import { folderPrefix } from './location';

const DELETE_BATCH = 1000;

type Signal = AbortSignal | undefined;

export class PrefixFolders {
  /**
   * Folders (bucket + "\0" + key) seen to exist, so a folder job's writes check their parent folder once, not
   * once per file. Forgotten when FileFerry removes or moves them; a folder deleted by someone else meanwhile
   * is only re-created implicitly by the next upload into it, which is what S3 would do anyway.
   */
  private readonly known = new Set<string>();

  constructor(private readonly client: S3Client) {}

  /** Records that a folder and all its parents exist (after a write, a marker or a successful check). */
  remember(bucket: string, key: string): void {
    for (let at = key.length; at > 0; at = key.lastIndexOf('/', at - 1)) {
      const folder = `${bucket}\0${key.slice(0, at)}`;
      if (this.known.has(folder)) return; // its parents were recorded with it
      this.known.add(folder);
    }
  }

  /** Records that the parent folders of an object key exist (an object now lives under them). */
  rememberParentsOf(bucket: string, key: string): void {
    const cut = key.lastIndexOf('/');
    if (cut > 0) this.remember(bucket, key.slice(0, cut));
  }

  /** Forgets a folder and everything under it (it was removed or moved away). */
  forget(bucket: string, key: string): void {
    const self = `${bucket}\0${key}`;
    const under = key === '' ? `${bucket}\0` : `${self}/`;
    for (const folder of this.known) if (folder === self || folder.startsWith(under)) this.known.delete(folder);
  }

  /** Whether the folder is known to exist without asking S3. */
  isKnown(bucket: string, key: string): boolean {
    return this.known.has(`${bucket}\0${key}`);
  }

  /** Whether anything (a marker or objects) lives under the folder's prefix; for a bucket root, whether the bucket exists. */
  async folderExists(bucket: string, key: string, signal?: Signal): Promise<boolean> {
    if (key !== '' && this.isKnown(bucket, key)) return true;
    try {
      if (key === '') {
        await this.client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal });
        return true;
      }
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: folderPrefix(key), MaxKeys: 1 }),
        { abortSignal: signal },
      );
      const exists = (page.KeyCount ?? page.Contents?.length ?? 0) > 0;
      if (exists) this.remember(bucket, key);
      return exists;
    } catch (error) {
      const mapped = s3Error(error, `s3://${bucket}/${key}`);
      if (mapped.code === 'NotFound') return false;
      throw mapped;
    }
  }

  async requireParentFolder(bucket: string, key: string, what: string, signal?: Signal): Promise<void> {
    const cut = key.lastIndexOf('/');
    if (cut < 0) return; // the bucket root: a missing bucket shows up as NotFound on the request itself
    const parent = key.slice(0, cut);
    if (!(await this.folderExists(bucket, parent, signal))) {
      throw new FerryError('NotFound', `The folder that should hold ${what} does not exist. Create it first.`);
    }
  }

  /**
   * Deleting the last object under a prefix makes the folder vanish in S3. Folders exist on their own in
   * FileFerry (emptyFolders), so the parent gets a marker when it would otherwise disappear.
   */
  async keepParentFolder(bucket: string, key: string): Promise<void> {
    const cut = key.lastIndexOf('/');
    if (cut < 0) return;
    const parent = key.slice(0, cut);
    this.forget(bucket, parent); // the delete may just have emptied it: ask S3, not the cache
    if (!(await this.folderExists(bucket, parent))) await this.putMarker(bucket, parent);
  }

  async putMarker(bucket: string, key: string, signal?: Signal): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: bucket, Key: folderPrefix(key), Body: new Uint8Array(0), ContentLength: 0 }),
        { abortSignal: signal },
      );
      this.remember(bucket, key);
    } catch (error) {
      throw s3Error(error, `s3://${bucket}/${key}/`);
    }
  }

  /** Every key under a prefix (no delimiter), a page at a time. */
  async *keysUnder(bucket: string, prefix: string, signal?: Signal): AsyncGenerator<string[]> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
        { abortSignal: signal },
      );
      yield (page.Contents ?? []).map((o) => o.Key!).filter((k) => k !== undefined);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async deleteKeys(bucket: string, keys: string[], signal?: Signal): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      const result = await this.client.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
        { abortSignal: signal },
      );
      const failed = result.Errors?.[0];
      if (failed) {
        throw s3Error(
          { name: failed.Code, message: failed.Message, $metadata: {} },
          `s3://${bucket}/${failed.Key ?? ''}`,
        );
      }
    }
  }
}
