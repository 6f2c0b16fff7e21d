// The right side of the connection manager: one connection's settings, new or saved. Save sends the draft and
// the typed secrets (connections.add / connections.update); Test saves pending changes first (the API tests a
// saved connection) and shows the outcome inline, with the error's message; Duplicate and Delete act on the
// saved connection (Delete asks first, naming it). The manager keeps the notices a save returns.
import { CheckCircle2, Copy, Loader2, Plug, Trash2, XCircle } from 'lucide-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { ConnectionSummary } from '../../../shared/api';
import type { SecretField } from '../../../shared/connection';
import type { ConnectionTestResult } from '../../../shared/connections';
import { useWorkspace } from '../app/workspace';
import { KindBadge } from '../panes/ConnectionPicker';
import {
  draftFromForm,
  EMPTY_FORM,
  FAMILY_LABELS,
  formFromSpec,
  secretFieldsOf,
  type ConnectionForm,
  type Family,
} from './connection-form';
import { connectionsStore } from './connections-store';
import { SelectField, TextField } from './fields';
import { AzureFields, FtpFields, LocalFields, S3Fields, type KindFieldsProps } from './KindFields';
import { SecretInput, type SecretChoice } from './SecretInput';
import { errorText } from '../common/error-text';
import { ApiClientError } from '../api/transport';
import { isErrorCode } from '../../../shared/errors';

const FAMILIES: ReadonlyArray<{ value: Family; label: string }> = (['ftp', 's3', 'azure-blob', 'local'] as const).map(
  (value) => ({
    value,
    label: FAMILY_LABELS[value],
  }),
);

type TestState = { state: 'running' } | { state: 'done'; result: ConnectionTestResult };

export function ConnectionEditor({
  summary,
  groups,
  persistent,
  onSaved,
  onDuplicate,
  onDelete,
  onOpen,
  onChanged,
}: {
  /** The saved connection; undefined for a new one. */
  summary: ConnectionSummary | undefined;
  /** Existing groups, offered as the group field's suggestions. */
  groups: string[];
  /** Secrets survive a restart (app.info: capabilities.secrets.persistent). */
  persistent: boolean;
  onSaved: (connection: ConnectionSummary, notices: string[]) => void;
  onDuplicate: (connection: ConnectionSummary) => void;
  onDelete: (connection: ConnectionSummary) => void;
  onOpen: (connection: ConnectionSummary) => void;
  /** Whether the form holds changes not saved yet (the manager asks before they are thrown away). */
  onChanged: (changed: boolean) => void;
}): React.JSX.Element {
  const { api } = useWorkspace();
  const saved = useMemo(() => (summary ? formFromSpec(summary, summary.spec) : EMPTY_FORM), [summary]);
  const [form, setForm] = useState<ConnectionForm>(saved);
  const [secrets, setSecrets] = useState<Partial<Record<SecretField, SecretChoice>>>({});
  const [changing, setChanging] = useState<ReadonlySet<SecretField>>(new Set());
  const [showErrors, setShowErrors] = useState(false);
  const [busy, setBusy] = useState<'save' | 'test'>();
  const [failure, setFailure] = useState<string>();
  const [test, setTest] = useState<TestState>();
  const root = useRef<HTMLFormElement>(null);

  const { draft, errors } = useMemo(() => draftFromForm(form, summary), [form, summary]);
  const shownErrors = showErrors ? errors : {};
  const usedSecrets = secretFieldsOf(form);
  const secretsChanged = usedSecrets.some((field) => secrets[field] !== undefined);
  const changed = JSON.stringify(form) !== JSON.stringify(saved) || secretsChanged;
  const dirty = !summary || changed;
  useEffect(() => onChanged(changed), [changed, onChanged]);

  useEffect(() => {
    if (showErrors) root.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [showErrors]);

  const set = (patch: Partial<ConnectionForm>) => {
    setForm((current) => ({ ...current, ...patch }));
    setFailure(undefined);
  };

  /** Saves the form; resolves with the saved connection, or undefined when something must be fixed first. */
  const save = async (): Promise<ConnectionSummary | undefined> => {
    if (Object.keys(errors).length > 0) {
      setShowErrors(true);
      return undefined;
    }
    const values = Object.fromEntries(
      [...usedSecrets, ...(form.family === 'azure-blob' ? (['tokenCache'] as const) : [])]
        .filter((field) => secrets[field] !== undefined)
        .map((field) => [field, secrets[field]!]),
    );
    const secretsArg = Object.keys(values).length > 0 ? { secrets: values } : {};
    setBusy('save');
    setFailure(undefined);
    try {
      const result = summary
        ? await api.connections.update({ id: summary.id, changes: draft, ...secretsArg })
        : await api.connections.add({ draft, ...secretsArg });
      await connectionsStore.getState().reload(api);
      setSecrets({});
      setChanging(new Set());
      setShowErrors(false);
      // What was saved is now the form's starting point (a new connection's editor stays open on it).
      setForm(formFromSpec(result.connection, result.connection.spec));
      onSaved(result.connection, result.notices);
      return result.connection;
    } catch (error) {
      setFailure(errorText(error));
      return undefined;
    } finally {
      setBusy(undefined);
    }
  };

  const runTest = async () => {
    setTest(undefined);
    const target = dirty ? await save() : summary;
    if (!target) return;
    setBusy('test');
    setTest({ state: 'running' });
    try {
      setTest({ state: 'done', result: await api.connections.test({ id: target.id }) });
    } catch (error) {
      setTest({
        state: 'done',
        result: {
          ok: false,
          path: '/',
          elapsedMs: 0,
          error: {
            code: error instanceof ApiClientError && isErrorCode(error.code) ? error.code : 'Protocol',
            message: errorText(error),
          },
        },
      });
    } finally {
      setBusy(undefined);
    }
  };

  // The failed test showed the certificate's fingerprint next to this button: pin exactly that one, then test
  // again so the person sees the site answer.
  const trustAndRetest = async (id: string, fingerprint: string) => {
    try {
      await api.connections.trust({ id, fingerprint, always: true });
      await connectionsStore.getState().reload(api);
      await runTest();
    } catch (error) {
      setFailure(errorText(error));
    }
  };

  const renderSecret: KindFieldsProps['renderSecret'] = (field, options = {}) => {
    const stored = summary?.storedSecrets.includes(field) ?? false;
    if (field === 'tokenCache') {
      if (!stored) return null;
      return secrets.tokenCache === null ? (
        <p className="cm-note">Signed out when you save.</p>
      ) : (
        <p className="cm-note">
          Signed in; the sign-in is kept {persistent ? 'in the keychain' : 'for this session only'}.
          <button type="button" className="link-button" onClick={() => setSecrets({ ...secrets, tokenCache: null })}>
            Sign out
          </button>
        </p>
      );
    }
    return (
      <SecretInput
        key={field}
        field={field}
        stored={stored}
        persistent={persistent}
        value={secrets[field]}
        editing={changing.has(field)}
        {...(options.optional ? { optional: true } : {})}
        {...(options.hint ? { hint: options.hint } : {})}
        onChange={(value) => setSecrets((current) => ({ ...current, [field]: value }))}
        onEdit={(editing) =>
          setChanging((current) => {
            const next = new Set(current);
            if (editing) next.add(field);
            else next.delete(field);
            return next;
          })
        }
      />
    );
  };

  const kindProps: KindFieldsProps = { form, set, errors: shownErrors, renderSecret };
  const title = summary ? summary.name : form.name.trim() || 'New connection';
  return (
    <form
      ref={root}
      className="cm-editor"
      aria-label={summary ? `Settings of ${summary.name}` : 'New connection'}
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <div className="cm-editor-title">
        {summary && (
          <KindBadge kind={summary.kind} {...(summary.spec.kind === 'ftps' ? { tls: summary.spec.tls } : {})} />
        )}
        <h3>{title}</h3>
        {summary && <span className="cm-editor-address">{summary.address}</span>}
      </div>
      <div className="cm-fields">
        <div className="cm-row">
          <TextField
            label="Name"
            value={form.name}
            error={shownErrors.name}
            placeholder="Work server"
            onChange={(name) => set({ name })}
          />
          <TextField
            label="Group"
            value={form.group}
            error={shownErrors.group}
            placeholder="None (Clients/Acme nests)"
            list="cm-group-suggestions"
            onChange={(group) => set({ group })}
          />
          <datalist id="cm-group-suggestions">
            {groups.map((group) => (
              <option key={group} value={group} />
            ))}
          </datalist>
        </div>
        <SelectField
          label="Protocol"
          value={form.family}
          options={FAMILIES}
          // A saved connection keeps its kind (FTP and FTPS switch through Encryption); make a new one for another.
          disabled={summary !== undefined}
          onChange={(family) => set({ family })}
        />
        {form.family === 'ftp' && <FtpFields {...kindProps} />}
        {form.family === 's3' && <S3Fields {...kindProps} />}
        {form.family === 'azure-blob' && <AzureFields {...kindProps} />}
        {form.family === 'local' && <LocalFields {...kindProps} />}
        {form.family !== 'local' && (
          <TextField
            label="Default remote folder"
            value={form.defaultRemoteFolder}
            error={shownErrors.defaultRemoteFolder}
            placeholder="/"
            hint="Opened first, and checked by Test."
            onChange={(defaultRemoteFolder) => set({ defaultRemoteFolder })}
          />
        )}
        <TextField
          label="Notes"
          multiline
          value={form.notes}
          error={shownErrors.notes}
          onChange={(notes) => set({ notes })}
        />
      </div>

      {failure && (
        <p className="cm-failure" role="alert">
          <XCircle size={14} aria-hidden /> {failure}
        </p>
      )}
      <TestOutcome
        test={test}
        onTrust={summary ? (fingerprint) => void trustAndRetest(summary.id, fingerprint) : undefined}
      />

      <div className="cm-editor-buttons">
        {summary && (
          <>
            <button
              type="button"
              className="quiet-danger"
              onClick={() => onDelete(summary)}
              disabled={busy !== undefined}
            >
              <Trash2 size={13} aria-hidden /> Delete
            </button>
            <button type="button" onClick={() => onDuplicate(summary)} disabled={busy !== undefined}>
              <Copy size={13} aria-hidden /> Duplicate
            </button>
          </>
        )}
        <span className="spacer" />
        {summary && !dirty && (
          <button type="button" onClick={() => onOpen(summary)} title="Open it in the active pane">
            <Plug size={13} aria-hidden /> Connect
          </button>
        )}
        <button
          type="button"
          onClick={() => void runTest()}
          disabled={busy !== undefined}
          title={dirty ? 'Saves the changes, then tests' : undefined}
        >
          {busy === 'test' ? <Loader2 size={13} className="spinning" aria-hidden /> : null} Test
        </button>
        <button type="submit" className="primary" disabled={busy !== undefined || (!dirty && summary !== undefined)}>
          {busy === 'save' ? <Loader2 size={13} className="spinning" aria-hidden /> : null} Save
        </button>
      </div>
    </form>
  );
}

function TestOutcome({
  test,
  onTrust,
}: {
  test: TestState | undefined;
  /** Offered when the test failed on a certificate no authority vouches for: pins the one shown. */
  onTrust?: (fingerprint: string) => void;
}): React.JSX.Element {
  const fingerprint = test?.state === 'done' && !test.result.ok ? test.result.error.details?.fingerprint : undefined;
  return (
    <div className="cm-test" role="status" aria-live="polite">
      {test?.state === 'running' && (
        <p className="cm-test-line">
          <Loader2 size={14} className="spinning" aria-hidden /> Testing…
        </p>
      )}
      {test?.state === 'done' && test.result.ok && (
        <p className="cm-test-line ok">
          <CheckCircle2 size={14} aria-hidden /> Connected: {test.result.path} was listed in{' '}
          {test.result.elapsedMs.toLocaleString()} ms.
        </p>
      )}
      {test?.state === 'done' && !test.result.ok && (
        <p className="cm-test-line failed">
          <XCircle size={14} aria-hidden />
          <span>
            <strong>The test failed ({test.result.error.code}).</strong> {test.result.error.message}
          </span>
          {onTrust && typeof fingerprint === 'string' && (
            <button type="button" className="link-button" onClick={() => onTrust(fingerprint)}>
              Trust this certificate
            </button>
          )}
        </p>
      )}
    </div>
  );
}
