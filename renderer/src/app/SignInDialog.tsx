// "Sign in to Azure": the device code of an Entra ID sign-in that waits for the person (sign-in-store.ts), over
// whatever else is open, the connection manager included. The code is large and selectable, with a Copy
// button; the page it is entered on opens from an ordinary link (the desktop shell sends https links to the
// system browser, main/electron/hardening.ts; web mode opens a tab). It closes by itself when the sign-in
// completes (with a toast) or is cancelled from any window; another failure stays, in words, until closed.
import * as Dialog from '@radix-ui/react-dialog';
import { Check, Copy, ExternalLink, KeyRound, Loader2, TriangleAlert } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { errorText } from '../common/error-text';
import { formatDuration, plural } from '../common/format';
import { copyText } from '../panes/clipboard';
import { signInStore, type ShownSignIn } from './sign-in-store';
import { uiStore } from './ui-store';
import { useWorkspace } from './workspace';
import '../styles/sign-in.css';

export function SignInDialog(): React.JSX.Element | null {
  const { api } = useWorkspace();
  const shown = useStore(signInStore, (state) => state.shown);
  useEffect(() => api.on('signin', (event) => signInStore.getState().receive(event)), [api]);
  const first = shown[0];
  if (!first) return null;
  return <SignIn key={first.prompt.signInId} signIn={first} queued={shown.length - 1} />;
}

function SignIn({ signIn, queued }: { signIn: ShownSignIn; queued: number }): React.JSX.Element {
  const { api } = useWorkspace();
  const { prompt, failure } = signIn;
  const [cancelling, setCancelling] = useState(false);
  const close = () => signInStore.getState().dismiss(prompt.signInId);
  const cancel = async () => {
    setCancelling(true);
    try {
      await api.connections.cancelSignIn({ signInId: prompt.signInId });
      // Its 'failed' event closes it too; closing here as well covers a sign-in that had ended unheard.
      close();
    } catch (error) {
      setCancelling(false);
      uiStore.getState().toast('error', errorText(error));
    }
  };
  return (
    <Dialog.Root open onOpenChange={(open) => !open && (failure ? close() : void cancel())}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay sign-in" />
        <Dialog.Content
          className="dialog sign-in"
          // A stray click beside the dialog must not throw the code away; Escape and the button still cancel.
          onPointerDownOutside={(event) => event.preventDefault()}
          // The first step has the focus: Enter opens the sign-in page, with the code in view to type or paste.
          onOpenAutoFocus={(event) => {
            const first = (event.currentTarget as HTMLElement).querySelector<HTMLElement>('[data-first-step]');
            if (!first) return;
            event.preventDefault();
            first.focus();
          }}
        >
          <Dialog.Title className="dialog-title sign-in-title">
            <KeyRound size={16} aria-hidden /> Sign in to Azure
          </Dialog.Title>
          {failure ? (
            <Failed name={prompt.connectionName} failure={failure} onClose={close} />
          ) : (
            <Waiting signIn={signIn} cancelling={cancelling} onCancel={() => void cancel()} />
          )}
          {queued > 0 && (
            <p className="sign-in-queued">
              {plural(queued, 'more sign-in waits', 'more sign-ins wait')} after this one.
            </p>
          )}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function Waiting({
  signIn: { prompt },
  cancelling,
  onCancel,
}: {
  signIn: ShownSignIn;
  cancelling: boolean;
  onCancel: () => void;
}): React.JSX.Element {
  const left = useSecondsUntil(prompt.expiresAt);
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  const copy = () =>
    copyText(prompt.userCode).then(
      () => setCopied(true),
      (error: unknown) => uiStore.getState().toast('error', errorText(error)),
    );
  const link = httpsLink(prompt.verificationUri);
  return (
    <>
      <Dialog.Description className="dialog-text">
        “{prompt.connectionName}” signs in with Entra ID. Enter this code on Microsoft’s sign-in page; FileFerry goes on
        by itself once you have signed in there.
      </Dialog.Description>
      <div className="sign-in-code-box">
        <span className="sign-in-code-label">Your code</span>
        <div className="sign-in-code-row">
          <span className="sign-in-code">{prompt.userCode}</span>
          <button type="button" onClick={() => void copy()}>
            {copied ? <Check size={14} aria-hidden /> : <Copy size={14} aria-hidden />} Copy code
          </button>
          <span className="sr-only" role="status">
            {copied ? 'Code copied' : ''}
          </span>
        </div>
      </div>
      <div className="sign-in-open">
        {link ? (
          <a className="button-link primary" href={link} target="_blank" rel="noreferrer" data-first-step>
            Open the sign-in page <ExternalLink size={13} aria-hidden />
          </a>
        ) : null}
        <span className="sign-in-address">{prompt.verificationUri}</span>
      </div>
      <p className="sign-in-message">{prompt.message}</p>
      <p className="sign-in-wait">
        {left > 0 ? (
          <>
            <Loader2 size={13} className="spinning" aria-hidden />
            <span>
              Waiting for you to sign in · the code expires in{' '}
              <span className="sign-in-left">{formatDuration(left)}</span>
            </span>
          </>
        ) : (
          <>
            <TriangleAlert size={13} aria-hidden className="warning-icon" />
            <span>The code has expired. Cancel, then open the connection again for a new one.</span>
          </>
        )}
      </p>
      <div className="dialog-buttons">
        <button type="button" disabled={cancelling} onClick={onCancel}>
          {cancelling && <Loader2 size={13} className="spinning" aria-hidden />} Cancel sign-in
        </button>
      </div>
    </>
  );
}

function Failed({
  name,
  failure,
  onClose,
}: {
  name: string;
  failure: NonNullable<ShownSignIn['failure']>;
  onClose: () => void;
}): React.JSX.Element {
  return (
    <>
      <Dialog.Description className="sr-only">The sign-in to “{name}” failed.</Dialog.Description>
      <div className="sign-in-failed" role="alert">
        <TriangleAlert size={18} aria-hidden />
        <div>
          <p className="sign-in-failed-title">The sign-in to “{name}” failed</p>
          <p>{errorText(failure)}</p>
          <p className="sign-in-hint">Open the connection again to get a new code.</p>
        </div>
      </div>
      <div className="dialog-buttons">
        <button type="button" className="primary" autoFocus onClick={onClose}>
          Close
        </button>
      </div>
    </>
  );
}

/** Whole seconds until `at`, counting down once a second (0 once it has passed). */
function useSecondsUntil(at: number): number {
  const [seconds, setSeconds] = useState(() => secondsUntil(at));
  useEffect(() => {
    setSeconds(secondsUntil(at));
    const timer = setInterval(() => setSeconds(secondsUntil(at)), 1000);
    return () => clearInterval(timer);
  }, [at]);
  return seconds;
}

const secondsUntil = (at: number) => Math.max(0, Math.ceil((at - Date.now()) / 1000));

/** The page to open, when it is an https address (what the desktop shell hands to the system browser). */
function httpsLink(uri: string): string | undefined {
  try {
    return new URL(uri).protocol === 'https:' ? uri : undefined;
  } catch {
    return undefined;
  }
}
