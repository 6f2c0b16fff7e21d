// One pane: a region named "Left pane" / "Right pane" with its connection picker, back/forward/up/refresh, an
// editable address bar with breadcrumbs, the filter and hidden-files toggle, the file grid, and a footer that
// says what the folder holds. Every state says what to do: nothing open yet, listing, empty, failed.
import clsx from 'clsx';
import { ArrowLeft, ArrowRight, ArrowUp, Eye, EyeOff, Loader2, RefreshCw, Search, TriangleAlert } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { addressOf } from '../../../shared/locations';
import { plural } from '../common/format';
import { useWorkspace } from '../app/workspace';
import { ConnectionPicker } from './ConnectionPicker';
import { FileGrid } from './FileGrid';
import type { PaneLocation, PaneStore, Side } from './pane-store';

export function Pane({ side, store, active }: { side: Side; store: PaneStore; active: boolean }): React.JSX.Element {
  const state = useStore(store);
  const { location, listing, entries, back, forward, filter, showHidden, selected } = state;
  const label = side === 'left' ? 'Left pane' : 'Right pane';
  const shown = state.rows.length;

  return (
    <section
      role="region"
      aria-label={label}
      className={clsx('pane', { active })}
      data-pane={side}
      data-listing={listing?.state}
      data-listing-id={listing?.id}
      aria-busy={listing?.state === 'loading'}
    >
      <header className="pane-toolbar">
        <ConnectionPicker side={side} store={store} />
        <div className="nav-buttons">
          <IconButton label="Back" disabled={back.length === 0} onClick={() => store.getState().goBack()}>
            <ArrowLeft size={15} />
          </IconButton>
          <IconButton label="Forward" disabled={forward.length === 0} onClick={() => store.getState().goForward()}>
            <ArrowRight size={15} />
          </IconButton>
          <IconButton label="Up" disabled={!location || location.path === '/'} onClick={() => store.getState().up()}>
            <ArrowUp size={15} />
          </IconButton>
          <IconButton label="Refresh" disabled={!location} onClick={() => store.getState().refresh()}>
            <RefreshCw size={14} className={clsx({ spinning: listing?.state === 'loading' })} />
          </IconButton>
        </div>
        <AddressBar side={side} location={location} store={store} />
      </header>
      <div className="pane-filter">
        <label className="filter-field">
          <Search size={13} aria-hidden />
          <input
            type="search"
            aria-label="Filter"
            placeholder="Filter"
            value={filter}
            onChange={(event) => store.getState().setFilter(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape') store.getState().setFilter('');
              if (event.key === 'ArrowDown' || event.key === 'Enter') {
                event.preventDefault();
                (event.currentTarget.closest('.pane')?.querySelector('[role="grid"]') as HTMLElement | null)?.focus();
              }
            }}
          />
        </label>
        <button
          type="button"
          className={clsx('toggle', { on: showHidden })}
          aria-pressed={showHidden}
          onClick={() => store.getState().setShowHidden(!showHidden)}
          title="Show hidden files"
        >
          {showHidden ? <Eye size={14} aria-hidden /> : <EyeOff size={14} aria-hidden />}
          <span>Hidden</span>
        </button>
      </div>
      <div className="pane-body">
        {location ? <FileGrid store={store} active={active} /> : <NothingOpen side={side} />}
        <PaneState side={side} store={store} />
      </div>
      <footer className="pane-footer" aria-live="polite">
        {location && listing && (
          <>
            <span>
              {listing.state === 'loading' ? (
                <>
                  <Loader2 size={12} className="spinning" aria-hidden /> Listing… {plural(listing.count, 'item')}
                </>
              ) : (
                plural(shown, 'item') + (shown !== entries.length ? ` shown of ${entries.length.toLocaleString()}` : '')
              )}
            </span>
            {selected.size > 0 && <span>{plural(selected.size, 'selected', 'selected')}</span>}
            {listing.skipped.length > 0 && (
              <span className="warning" title={listing.skipped.map((s) => `${s.name}: ${s.reason}`).join('\n')}>
                <TriangleAlert size={12} aria-hidden /> {plural(listing.skipped.length, 'name')} cannot be used here
              </span>
            )}
          </>
        )}
      </footer>
    </section>
  );
}

export function IconButton({
  label,
  children,
  ...props
}: { label: string; children: React.ReactNode } & React.ButtonHTMLAttributes<HTMLButtonElement>): React.JSX.Element {
  return (
    <button type="button" className="icon-button" aria-label={label} title={label} {...props}>
      {children}
    </button>
  );
}

/** The address bar: breadcrumbs to click, or (on focus) the whole address to edit and open with Enter. */
function AddressBar({
  side,
  location,
  store,
}: {
  side: Side;
  location?: PaneLocation;
  store: PaneStore;
}): React.JSX.Element {
  const workspace = useWorkspace();
  const address = location ? addressOf(location.spec, location.path) : '';
  const [text, setText] = useState(address);
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string>();
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (!editing) setText(address);
  }, [address, editing]);

  const crumbs = location ? location.path.split('/').filter(Boolean) : [];
  const go = async () => {
    setError(undefined);
    try {
      await workspace.openAddress(side, text);
      setEditing(false);
      input.current?.blur();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };
  return (
    <div className={clsx('address-bar', { editing, invalid: error })}>
      <input
        ref={input}
        aria-label="Address"
        value={editing ? text : address}
        placeholder="Type a path or an address: /home/me, ftp://host/dir, s3://bucket, NAME:/path"
        spellCheck={false}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${side}-address-error` : undefined}
        onFocus={(event) => {
          setEditing(true);
          setText(address);
          event.currentTarget.select();
        }}
        onBlur={() => {
          setEditing(false);
          setError(undefined);
        }}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter') void go();
          if (event.key === 'Escape') {
            setText(address);
            input.current?.blur();
          }
        }}
      />
      {!editing && location && (
        <nav className="breadcrumbs" aria-label="Path" onMouseDown={(event) => event.preventDefault()}>
          <button type="button" className="crumb root" onClick={() => store.getState().openPath('/')}>
            {location.title}
          </button>
          {crumbs.map((crumb, index) => (
            <span key={index} className="crumb-wrap">
              <span className="separator" aria-hidden>
                /
              </span>
              <button
                type="button"
                className="crumb"
                onClick={() => store.getState().openPath('/' + crumbs.slice(0, index + 1).join('/'))}
              >
                {crumb}
              </button>
            </span>
          ))}
        </nav>
      )}
      {error && (
        <div id={`${side}-address-error`} role="alert" className="address-error">
          {error}
        </div>
      )}
    </div>
  );
}

function NothingOpen({ side }: { side: Side }): React.JSX.Element {
  return (
    <div className="pane-state">
      <p className="state-title">Nothing open in this pane</p>
      <p>
        Choose a connection above, or type an address in the address bar: a folder such as /home/me, ftp://host/folder,
        s3://bucket or NAME:/path for a saved connection.
      </p>
      <p className="hint">{side === 'left' ? 'Tab' : 'Shift+Tab'} switches panes.</p>
    </div>
  );
}

/** What the grid cannot say by itself: still listing with nothing yet, empty, or failed (with what to do). */
function PaneState({ side, store }: { side: Side; store: PaneStore }): React.JSX.Element | null {
  const workspace = useWorkspace();
  const { listing, entries, location, filter, showHidden } = useStore(store);
  if (!location || !listing) return null;
  if (listing.state === 'failed' && listing.error) {
    const { code, message } = listing.error;
    // An Entra ID connection has no password to re-enter: listing again asks for a new sign-in.
    const entra = location.spec.kind === 'azure-blob' && location.spec.auth === 'entra';
    const action =
      entra && (code === 'AuthFailed' || code === 'Cancelled')
        ? { label: 'Sign in again', run: () => store.getState().refresh() }
        : code === 'AuthFailed'
          ? { label: 'Re-enter password', run: () => workspace.reauthenticate(side) }
          : listing.error.details?.fingerprint
            ? { label: 'Review certificate', run: () => workspace.reviewCertificate(side, listing.error!) }
            : { label: 'Retry', run: () => store.getState().refresh() };
    return (
      <div className="pane-state overlay error" role="alert">
        <TriangleAlert size={20} aria-hidden />
        <p className="state-title">{titleFor(code)}</p>
        <p>{message}</p>
        <div className="state-actions">
          <button type="button" className="primary" onClick={action.run}>
            {action.label}
          </button>
          {location.path !== '/' && (
            <button type="button" onClick={() => store.getState().up()}>
              Go up
            </button>
          )}
        </div>
      </div>
    );
  }
  if (listing.state === 'loading' && entries.length === 0) {
    return (
      <div className="pane-state overlay" aria-live="polite">
        <Loader2 size={18} className="spinning" aria-hidden />
        <p>Listing {location.title}…</p>
      </div>
    );
  }
  if (listing.state === 'complete' && entries.length === 0) {
    return (
      <div className="pane-state overlay quiet">
        <p className="state-title">This folder is empty</p>
        <p>Drop files here, or press F7 to make a folder.</p>
      </div>
    );
  }
  if (
    listing.state === 'complete' &&
    !showHidden &&
    entries.length > 0 &&
    entries.every((e) => e.name.startsWith('.'))
  ) {
    return (
      <div className="pane-state overlay quiet">
        <p className="state-title">Only hidden items here</p>
        <p>
          {entries.length.toLocaleString()} item{entries.length === 1 ? ' is' : 's are'} hidden (their names start with
          a dot). Turn on Hidden above to see them.
        </p>
      </div>
    );
  }
  if (filter && entries.length > 0 && !entries.some((e) => e.name.toLowerCase().includes(filter.toLowerCase()))) {
    return (
      <div className="pane-state overlay quiet">
        <p className="state-title">Nothing matches “{filter}”</p>
        <p>Press Escape in the filter to clear it.</p>
      </div>
    );
  }
  return null;
}

function titleFor(code: string): string {
  switch (code) {
    case 'AuthFailed':
      return 'The server refused the login';
    case 'NotFound':
      return 'This folder does not exist';
    case 'PermissionDenied':
      return 'No permission to read this folder';
    case 'Network':
      return 'The site cannot be reached';
    case 'Timeout':
      return 'The site did not answer in time';
    case 'Protocol':
      return 'The site answered in a way FileFerry cannot use';
    case 'Cancelled':
      return 'The listing was stopped';
    default:
      return 'This folder could not be listed';
  }
}
