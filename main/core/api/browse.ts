// browse.*: folders of any connection, for the panes. Listings stream: each page goes to the caller as a
// 'listing' event as the site delivers it, so the first rows show while a folder of 100,000 entries is still
// arriving; navigating away cancels the listing. Every error names the full address (ftp://host/path,
// s3://bucket/key), never a bare path: two panes may show the same path on different sites.
import type { ApiArg, ApiLocation, ListingPage } from '../../../shared/api';
import type { ConnectionRef, ConnectionSpec } from '../../../shared/connection';
import { FerryError, isFerryError, cancelledError } from '../../../shared/errors';
import { withAddress } from '../../../shared/locations';
import type { Entry, Provider } from '../../../shared/provider';
import { connectionKey } from '../transfers/connection-key';
import type { CallContext } from './types';

export interface BrowseDeps {
  /** The provider for a connection (cached by the caller), and the spec it was opened with (for addresses). */
  open(ref: ConnectionRef, signal?: AbortSignal): Promise<{ provider: Provider; spec: ConnectionSpec }>;
}

/** What a page may hold at most, however large the site's own pages are: a renderer takes it in one go. */
const MAX_PAGE = 2000;

export class Browser {
  private readonly listings = new Map<string, AbortController>();

  constructor(private readonly deps: BrowseDeps) {}

  async list({ listingId, location }: ApiArg<'browse.list'>, context: CallContext): Promise<{ count: number }> {
    if (this.listings.has(listingId))
      throw new FerryError('InvalidInput', `A listing with the id ${listingId} is under way already.`);
    const controller = new AbortController();
    this.listings.set(listingId, controller);
    const { signal } = controller;
    let count = 0;
    const send = (page: Omit<ListingPage, 'listingId' | 'count'>) =>
      context.emit('listing', { listingId, count, ...page });
    let spec: ConnectionSpec | undefined;
    try {
      const opened = await this.deps.open(location.connection, signal);
      spec = opened.spec;
      const skipped: NonNullable<ListingPage['skipped']> = [];
      const onSkipped = (name: NonNullable<ListingPage['skipped']>[number]) => void skipped.push(name);
      for await (const page of opened.provider.list(location.path, { signal, onSkipped })) {
        for (let at = 0; at < page.length; at += MAX_PAGE) {
          const entries = page.slice(at, at + MAX_PAGE);
          count += entries.length;
          send({ entries, ...(skipped.length > 0 ? { skipped: skipped.splice(0) } : {}) });
          // At the pace of the window showing it, not of the disk: the pages would pile up in a buffer.
          await context.drained?.();
        }
        if (signal.aborted) throw cancelledError('The listing');
      }
      send({ entries: [], done: 'complete', ...(skipped.length > 0 ? { skipped } : {}) });
      return { count };
    } catch (error) {
      const failure = located(error, spec, location);
      send({ entries: [], done: signal.aborted ? 'cancelled' : 'failed', error: failure.toJSON() });
      throw failure;
    } finally {
      this.listings.delete(listingId);
    }
  }

  cancel({ listingId }: ApiArg<'browse.cancel'>): void {
    this.listings.get(listingId)?.abort(cancelledError('The listing'));
  }

  async stat({ location }: ApiArg<'browse.stat'>): Promise<Entry> {
    return this.on(location, (provider) => provider.stat(location.path));
  }

  async mkdir({ location }: ApiArg<'browse.mkdir'>): Promise<void> {
    await this.on(location, (provider) => provider.mkdir(location.path));
  }

  async rename({ location, to }: ApiArg<'browse.rename'>): Promise<void> {
    await this.on(location, async (provider) => {
      // A rename never silently replaces another entry from a pane (the provider's would, for a file).
      const existing = await provider.stat(to).catch((error: unknown) => {
        if (isFerryError(error, 'NotFound')) return undefined;
        throw error;
      });
      if (existing) throw new FerryError('AlreadyExists', `${to} already exists. Choose another name.`);
      await provider.rename(location.path, to);
    });
  }

  async remove({ location, recursive }: ApiArg<'browse.remove'>): Promise<void> {
    await this.on(location, (provider) => provider.remove(location.path, { recursive: recursive === true }));
  }

  async setStorageClass({ location, storageClass }: ApiArg<'browse.setStorageClass'>): Promise<Entry> {
    return this.on(location, async (provider) => {
      if (!provider.setStorageClass)
        throw new FerryError('Unsupported', 'Only S3 objects and Azure blobs have a storage class or access tier.');
      await provider.setStorageClass(location.path, storageClass);
      return provider.stat(location.path);
    });
  }

  /** Stops every listing under way (the service is closing). */
  cancelAll(): void {
    for (const controller of this.listings.values()) controller.abort(cancelledError('The listing'));
  }

  private async on<T>(location: ApiLocation, work: (provider: Provider) => Promise<T>): Promise<T> {
    let spec: ConnectionSpec | undefined;
    try {
      const opened = await this.deps.open(location.connection);
      spec = opened.spec;
      return await work(opened.provider);
    } catch (error) {
      throw located(error, spec, location);
    }
  }
}

/** The error as a FerryError whose message names the full address of `location`. */
function located(error: unknown, spec: ConnectionSpec | undefined, location: ApiLocation): FerryError {
  const failure = isFerryError(error)
    ? error
    : new FerryError('Protocol', error instanceof Error ? error.message : String(error), { cause: error });
  if (!spec) return failure;
  return new FerryError(failure.code, withAddress(failure.message, spec, location.path), {
    cause: failure,
    details: { ...failure.details, connection: connectionKey(location.connection) },
  });
}
