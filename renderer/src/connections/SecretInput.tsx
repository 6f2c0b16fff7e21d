// One secret of a connection (a password, a key, a token): typed into a password field and sent with the save,
// never shown back. A stored one reads "Saved in the keychain" with Change and Remove; what the user chose is
// the value handed up: undefined keeps the stored secret, a string replaces it, null removes it.
import { KeyRound } from 'lucide-react';
import type { SecretField } from '../../../shared/connection';
import { SECRET_LABELS } from './connection-form';

export type SecretChoice = string | null | undefined;

export function SecretInput({
  field,
  stored,
  persistent,
  value,
  editing,
  optional,
  hint,
  onChange,
  onEdit,
}: {
  field: SecretField;
  /** A value is stored for this connection (the summary's storedSecrets). */
  stored: boolean;
  /** Secrets survive a restart (an OS keychain); else they are kept for this session only. */
  persistent: boolean;
  value: SecretChoice;
  /** The user chose to type a new one over the stored one. */
  editing: boolean;
  optional?: boolean;
  hint?: string;
  onChange: (value: SecretChoice) => void;
  onEdit: (editing: boolean) => void;
}): React.JSX.Element {
  const label = SECRET_LABELS[field] + (optional ? ' (optional)' : '');
  const id = `cm-secret-${field}`;
  if (stored && value === null) {
    return (
      <div className="field">
        <span>{label}</span>
        <div className="cm-secret-state removed">
          <span>Removed when you save.</span>
          <button type="button" className="link-button" onClick={() => onChange(undefined)}>
            Keep it
          </button>
        </div>
      </div>
    );
  }
  if (stored && !editing) {
    return (
      <div className="field">
        <span id={`${id}-label`}>{label}</span>
        <div className="cm-secret-state" role="group" aria-labelledby={`${id}-label`}>
          <KeyRound size={13} aria-hidden className="cm-secret-icon" />
          <span>{persistent ? 'Saved in the keychain' : 'Kept for this session only'}</span>
          <button
            type="button"
            className="link-button"
            aria-label={`Change the ${label.toLowerCase()}`}
            onClick={() => onEdit(true)}
          >
            Change
          </button>
          <button
            type="button"
            className="link-button"
            aria-label={`Remove the ${label.toLowerCase()}`}
            onClick={() => onChange(null)}
          >
            Remove
          </button>
        </div>
      </div>
    );
  }
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <span className="cm-secret-input">
        <input
          id={id}
          type="password"
          autoComplete="new-password"
          spellCheck={false}
          value={value ?? ''}
          placeholder={stored ? 'Type the new value' : ''}
          aria-describedby={hint ? `${id}-hint` : undefined}
          onChange={(event) => onChange(event.target.value === '' ? undefined : event.target.value)}
          autoFocus={editing}
        />
        {stored && (
          <button
            type="button"
            className="link-button"
            onClick={() => {
              onChange(undefined);
              onEdit(false);
            }}
          >
            Keep the saved one
          </button>
        )}
      </span>
      {hint && (
        <small id={`${id}-hint`} className="cm-hint">
          {hint}
        </small>
      )}
    </div>
  );
}
