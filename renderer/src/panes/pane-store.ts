// One pane's state: where it is (a connection and a path), where it has been (back and forward), what the
// folder holds as its listing streams in, and how it is shown (sort, filter, hidden files, selection). A small
// zustand store per pane; components render what it holds and call its actions. Listings arrive as 'listing'
// events; pages are gathered and shown at most every 100 ms (less often as the folder grows), so a folder of
// 100,000 entries shows its first rows at once and does not re-render 50 times a second while the rest arrives.
// The rows the grid shows (sorted, filtered) are kept here, merged page by page (rows.ts).
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ApiLocation, FileFerryApi, ListingPage } from '../../../shared/api';
import type { ConnectionRef, ConnectionSpec } from '../../../shared/connection';
import { isErrorCode, type SerializedError } from '../../../shared/errors';
import { ApiClientError } from '../api/transport';
import { joinPath, parentPath } from '../../../shared/paths';
import type { Entry, SkippedName } from '../../../shared/provider';
import { addRows, visibleRows, type RowOptions, type SortKey } from './rows';

export type { SortKey } from './rows';
export type Side = 'left' | 'right';

/** A place a pane shows, with how to call its connection in the picker and the address bar. */
export interface PaneLocation extends ApiLocation {
  /** The connection's display name ("Local disk", "work", "s3://bucket"). */
  title: string;
  /** The connection's settings (a saved one's too, from its summary): its kind, its addresses. */
  spec: ConnectionSpec;
}

export interface Listing {
  id: string;
  state: 'loading' | 'complete' | 'failed' | 'cancelled';
  count: number;
  error?: SerializedError;
  skipped: SkippedName[];
}

export interface PaneState {
  side: Side;
  location?: PaneLocation;
  back: PaneLocation[];
  forward: PaneLocation[];
  /** The folder's entries as they arrived. */
  entries: Entry[];
  /** What the grid shows of them: visibleRows(entries) for the sort, filter and hidden-files setting. */
  rows: Entry[];
  listing?: Listing;
  sort: { key: SortKey; descending: boolean };
  filter: string;
  showHidden: boolean;
  /** Selected entries by name. */
  selected: ReadonlySet<string>;
  /** The row keyboard focus is on (a name), and where a Shift-selection starts. */
  focused?: string;
  anchor?: string;
  /** The name being renamed in place (F2). */
  renaming?: string;
  /** Bumped when the pane's files should be listed again (a job wrote into this folder). */
  version: number;

  open(location: PaneLocation, options?: { keepHistory?: boolean }): void;
  openPath(path: string): void;
  up(): void;
  goBack(): void;
  goForward(): void;
  refresh(): void;
  setSort(key: SortKey): void;
  setFilter(filter: string): void;
  setShowHidden(show: boolean): void;
  select(names: Iterable<string>, focus?: string, anchor?: string): void;
  setRenaming(name: string | undefined): void;
  /** A page of some listing: taken when it is this pane's. */
  receive(page: ListingPage): void;
}

export type PaneStore = StoreApi<PaneState>;

const FLUSH_MS = 100;
/** Entries per extra millisecond between flushes: a flush costs more as the folder grows (0.5 s at 100,000). */
const ENTRIES_PER_FLUSH_MS = 200;

const rowOptions = (state: PaneState): RowOptions => ({
  sort: state.sort,
  filter: state.filter,
  showHidden: state.showHidden,
});

export function createPaneStore(side: Side, api: FileFerryApi): PaneStore {
  // What arrived for the listing under way and is not shown yet (flush).
  let pending: Entry[] = [];
  let pendingSkipped: SkippedName[] = [];
  let pendingCount = 0;
  let flushTimer: ReturnType<typeof setTimeout> | undefined;

  return createStore<PaneState>()((set, get) => {
    /**
     * Shows what arrived since the last flush, in one update: the entries, the count, names skipped, and with
     * `end` the listing's outcome (one render per flush, however many pages came meanwhile).
     */
    const flush = (end?: Pick<Listing, 'state' | 'error'>) => {
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = undefined;
      const arrived = pending;
      const skipped = pendingSkipped;
      pending = [];
      pendingSkipped = [];
      set((state) => {
        const listing = state.listing;
        if (!listing) return {};
        return {
          ...(arrived.length > 0
            ? { entries: state.entries.concat(arrived), rows: addRows(state.rows, arrived, rowOptions(state)) }
            : {}),
          listing: {
            ...listing,
            count: pendingCount,
            skipped: skipped.length > 0 ? [...listing.skipped, ...skipped] : listing.skipped,
            ...(end ? { state: end.state, ...(end.error ? { error: end.error } : {}) } : {}),
          },
        };
      });
    };

    const list = (location: PaneLocation) => {
      const previous = get().listing;
      if (previous?.state === 'loading') void api.browse.cancel({ listingId: previous.id }).catch(() => undefined);
      pending = [];
      pendingSkipped = [];
      pendingCount = 0;
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = undefined;
      const id = `${side}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
      set({ entries: [], rows: [], listing: { id, state: 'loading', count: 0, skipped: [] }, renaming: undefined });
      const target: ApiLocation = { connection: location.connection, path: location.path };
      // The outcome arrives as the last 'listing' event; a call that fails without one (the connection to the
      // core closed) ends the listing here, or the pane would say "Listing…" for ever.
      api.browse.list({ listingId: id, location: target }).catch((error: unknown) => {
        const listing = get().listing;
        if (listing?.id !== id || listing.state !== 'loading') return;
        const failure = error instanceof ApiClientError ? error : undefined;
        set({
          listing: {
            ...listing,
            state: 'failed',
            error: {
              code: failure && isErrorCode(failure.code) ? failure.code : 'Network',
              message: failure?.message ?? String(error),
            },
          },
        });
      });
    };

    return {
      side,
      back: [],
      forward: [],
      entries: [],
      rows: [],
      sort: { key: 'name', descending: false },
      filter: '',
      showHidden: false,
      selected: new Set(),
      version: 0,

      open(location, options = {}) {
        const current = get().location;
        const back = current && !options.keepHistory ? [...get().back.slice(-49), current] : get().back;
        set({
          location,
          back,
          forward: options.keepHistory ? get().forward : [],
          selected: new Set(),
          focused: undefined,
          anchor: undefined,
          filter: '',
        });
        list(location);
      },
      openPath(path) {
        const current = get().location;
        if (current) get().open({ ...current, path });
      },
      up() {
        const current = get().location;
        if (!current || current.path === '/') return;
        const child = current.path.split('/').pop();
        get().open({ ...current, path: parentPath(current.path) });
        // Land on the folder just left, as file managers do.
        if (child) set({ focused: child, anchor: child, selected: new Set([child]) });
      },
      goBack() {
        const { back, location } = get();
        const previous = back[back.length - 1];
        if (!previous) return;
        set({ back: back.slice(0, -1), forward: location ? [location, ...get().forward] : get().forward });
        get().open(previous, { keepHistory: true });
      },
      goForward() {
        const { forward, location } = get();
        const next = forward[0];
        if (!next) return;
        set({ forward: forward.slice(1), back: location ? [...get().back, location] : get().back });
        get().open(next, { keepHistory: true });
      },
      refresh() {
        const location = get().location;
        if (location) {
          set((state) => ({ version: state.version + 1 }));
          list(location);
        }
      },
      setSort(key) {
        const { sort } = get();
        const next = { key, descending: sort.key === key ? !sort.descending : key === 'modified' || key === 'size' };
        set((state) => ({ sort: next, rows: visibleRows(state.entries, { ...rowOptions(state), sort: next }) }));
      },
      setFilter(filter) {
        set((state) => ({ filter, rows: visibleRows(state.entries, { ...rowOptions(state), filter }) }));
      },
      setShowHidden(showHidden) {
        set((state) => ({ showHidden, rows: visibleRows(state.entries, { ...rowOptions(state), showHidden }) }));
      },
      select(names, focused, anchor) {
        set({
          selected: new Set(names),
          ...(focused !== undefined ? { focused } : {}),
          ...(anchor !== undefined ? { anchor } : {}),
        });
      },
      setRenaming(renaming) {
        set({ renaming });
      },
      receive(page) {
        const listing = get().listing;
        if (!listing || page.listingId !== listing.id) return;
        pending.push(...page.entries);
        if (page.skipped) pendingSkipped.push(...page.skipped);
        pendingCount = page.count;
        if (page.done) flush({ state: page.done, ...(page.error ? { error: page.error } : {}) });
        // The first page shows at once; later ones are gathered.
        else if (get().entries.length === 0 && page.entries.length > 0) flush();
        else flushTimer ??= setTimeout(flush, FLUSH_MS + get().entries.length / ENTRIES_PER_FLUSH_MS);
      },
    };
  });
}

/** The location of an entry of the folder a pane shows. */
export function childLocation(location: PaneLocation, name: string): ApiLocation {
  return { connection: location.connection, path: joinPath(location.path, name) };
}

/** Whether two connection refs are the same site (a drop onto the same folder does nothing). */
export function sameConnection(a: ConnectionRef, b: ConnectionRef): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
