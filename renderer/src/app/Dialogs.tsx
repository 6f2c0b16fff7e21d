// The window's modal questions, one at a time (ui-store.ts): confirm (the safe button focused for anything
// destructive), a name to type, a password, an FTPS certificate to trust, and the queue's overwrite question.
// Radix Dialog keeps focus inside, returns it after, and names each dialog by its title.
import * as Dialog from '@radix-ui/react-dialog';
import clsx from 'clsx';
import { ShieldAlert } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { OverwriteAnswer } from '../../../shared/transfers';
import { formatDate, formatSize } from '../common/format';
import { ConnectionManager } from '../connections/ConnectionManager';
import { HistoryDialog } from '../history/HistoryDialog';
import { queueStore } from '../queue/queue-store';
import { SettingsDialog } from '../settings/SettingsDialog';
import { uiStore, type DialogRequest } from './ui-store';
import { useWorkspace } from './workspace';

export function Dialogs(): React.JSX.Element | null {
  const dialog = useStore(uiStore, (state) => state.dialog);
  const asks = useStore(queueStore, (state) => state.asks);
  if (dialog?.kind === 'connections') return <ConnectionManager onClose={() => uiStore.getState().close()} />;
  if (dialog?.kind === 'settings') return <SettingsDialog onClose={() => uiStore.getState().close()} />;
  if (dialog?.kind === 'history') return <HistoryDialog onClose={() => uiStore.getState().close()} />;
  if (dialog) return <Question dialog={dialog} />;
  if (asks[0]) return <OverwriteQuestion />;
  return null;
}

function Shell({
  title,
  description,
  onCancel,
  children,
  wide,
}: {
  title: string;
  description?: string;
  onCancel: () => void;
  children: React.ReactNode;
  wide?: boolean;
}): React.JSX.Element {
  return (
    <Dialog.Root open onOpenChange={(open) => !open && onCancel()}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className={clsx('dialog', { wide })} aria-describedby={description ? undefined : undefined}>
          <Dialog.Title className="dialog-title">{title}</Dialog.Title>
          {description ? (
            <Dialog.Description className="dialog-text">{description}</Dialog.Description>
          ) : (
            <Dialog.Description className="sr-only">{title}</Dialog.Description>
          )}
          {children}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function Question({
  dialog,
}: {
  dialog: Exclude<DialogRequest, { kind: 'connections' | 'settings' | 'history' }>;
}): React.JSX.Element {
  switch (dialog.kind) {
    case 'confirm':
      return (
        <Shell title={dialog.title} description={dialog.message} onCancel={() => dialog.resolve(false)}>
          <div className="dialog-buttons">
            {/* Destructive: Cancel has the focus, so Enter does nothing harmful. */}
            <button type="button" autoFocus={dialog.danger} onClick={() => dialog.resolve(false)}>
              Cancel
            </button>
            <button
              type="button"
              autoFocus={!dialog.danger}
              className={dialog.danger ? 'danger' : 'primary'}
              onClick={() => dialog.resolve(true)}
            >
              {dialog.confirm}
            </button>
          </div>
        </Shell>
      );
    case 'prompt':
      return <Prompt dialog={dialog} />;
    case 'password':
      return <PasswordPrompt dialog={dialog} />;
    case 'certificate':
      return <CertificateQuestion dialog={dialog} />;
  }
}

function Prompt({ dialog }: { dialog: Extract<DialogRequest, { kind: 'prompt' }> }): React.JSX.Element {
  const [value, setValue] = useState(dialog.initial);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.select(), []);
  return (
    <Shell title={dialog.title} onCancel={() => dialog.resolve(undefined)}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (value.trim()) dialog.resolve(value.trim());
        }}
      >
        <label className="field">
          <span>{dialog.label}</span>
          <input ref={input} autoFocus value={value} onChange={(event) => setValue(event.target.value)} />
        </label>
        <div className="dialog-buttons">
          <button type="button" onClick={() => dialog.resolve(undefined)}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={!value.trim()}>
            {dialog.confirm}
          </button>
        </div>
      </form>
    </Shell>
  );
}

function PasswordPrompt({ dialog }: { dialog: Extract<DialogRequest, { kind: 'password' }> }): React.JSX.Element {
  const [value, setValue] = useState('');
  return (
    <Shell title={dialog.title} description={dialog.message} onCancel={() => dialog.resolve(undefined)}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          dialog.resolve(value);
        }}
      >
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            autoFocus
            autoComplete="off"
            value={value}
            onChange={(event) => setValue(event.target.value)}
          />
        </label>
        <div className="dialog-buttons">
          <button type="button" onClick={() => dialog.resolve(undefined)}>
            Cancel
          </button>
          <button type="submit" className="primary">
            Connect
          </button>
        </div>
      </form>
    </Shell>
  );
}

function CertificateQuestion({
  dialog,
}: {
  dialog: Extract<DialogRequest, { kind: 'certificate' }>;
}): React.JSX.Element {
  const { details } = dialog;
  const rows: Array<[string, unknown]> = [
    ['Subject', details.subject],
    ['Issuer', details.issuer],
    ['Valid from', details.validFrom],
    ['Valid until', details.validTo],
    ['SHA-256 fingerprint', details.fingerprint],
    ['Why it is not trusted', details.reason],
  ];
  return (
    <Shell
      title="Trust this server's certificate?"
      description={`${dialog.host} presented a certificate that no authority FileFerry trusts vouches for. Trust it only if the server's administrator confirms this fingerprint.`}
      onCancel={() => dialog.resolve(undefined)}
      wide
    >
      <div className="certificate">
        <ShieldAlert size={22} aria-hidden className="warning-icon" />
        <dl>
          {rows
            .filter(([, value]) => value !== undefined && value !== '')
            .map(([label, value]) => (
              <div key={label}>
                <dt>{label}</dt>
                <dd className={label.startsWith('SHA') ? 'mono' : undefined}>{String(value)}</dd>
              </div>
            ))}
        </dl>
      </div>
      <div className="dialog-buttons">
        <button type="button" autoFocus onClick={() => dialog.resolve(undefined)}>
          Cancel
        </button>
        <button type="button" onClick={() => dialog.resolve('once')}>
          Trust once
        </button>
        <button type="button" className="primary" onClick={() => dialog.resolve('always')}>
          Trust always
        </button>
      </div>
    </Shell>
  );
}

const ANSWERS: Array<{ answer: OverwriteAnswer; label: string }> = [
  { answer: 'overwrite', label: 'Overwrite' },
  { answer: 'skip', label: 'Skip' },
  { answer: 'resume', label: 'Resume' },
  { answer: 'rename', label: 'Keep both' },
  { answer: 'if-newer', label: 'Only if newer' },
];

/** The queue's question about an existing target: both files side by side, the answer, "apply to all". */
function OverwriteQuestion(): React.JSX.Element | null {
  const { api } = useWorkspace();
  const question = useStore(queueStore, (state) => state.asks[0]);
  const [all, setAll] = useState(false);
  if (!question) return null;
  const answer = (choice: OverwriteAnswer | undefined) => {
    const chosen = choice ?? 'skip';
    // The other questions of this action (its other jobs) that are open already get the same answer.
    const state = queueStore.getState();
    const group = state.groups[question.jobId];
    const siblings = all
      ? state.asks.filter((other) => other !== question && group !== undefined && state.groups[other.jobId] === group)
      : [];
    state.answered(question, chosen, all);
    for (const ask of [question, ...siblings])
      void api.transfers.answer({ askId: ask.askId, answer: chosen, applyToAll: all }).catch(() => undefined);
  };
  const name = question.path.split('/').pop() ?? question.path;
  const newer = (question.source.modified ?? 0) > (question.target.modified ?? 0);
  return (
    <Shell
      title="The target file exists"
      description={`${name} is already in the target folder. What should happen to it?`}
      onCancel={() => answer('skip')}
      wide
    >
      <table className="compare">
        <thead>
          <tr>
            <th scope="col" />
            <th scope="col">Size</th>
            <th scope="col">Modified</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Copying</th>
            <td>{formatSize(question.source.size)}</td>
            <td className={clsx({ newer })}>{formatDate(question.source.modified)}</td>
          </tr>
          <tr>
            <th scope="row">Already there</th>
            <td>{formatSize(question.target.size)}</td>
            <td className={clsx({ newer: !newer })}>{formatDate(question.target.modified)}</td>
          </tr>
        </tbody>
      </table>
      <label className="checkbox">
        <input type="checkbox" checked={all} onChange={(event) => setAll(event.target.checked)} /> Apply to all in this
        transfer
      </label>
      <div className="dialog-buttons">
        {ANSWERS.map(({ answer: choice, label }) => (
          <button
            key={choice}
            type="button"
            className={choice === 'skip' ? undefined : choice === 'overwrite' ? 'primary' : undefined}
            autoFocus={choice === 'skip'}
            onClick={() => answer(choice)}
          >
            {label}
          </button>
        ))}
      </div>
    </Shell>
  );
}
