// The editor's labelled controls: a text field and a select, each with its label, an optional hint and the
// problem to fix (aria-invalid, and the message tied to the control by aria-describedby).
import clsx from 'clsx';
import { useId } from 'react';

interface Common {
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  className?: string;
}

function Messages({
  id,
  error,
  hint,
}: {
  id: string;
  error?: string | undefined;
  hint?: string | undefined;
}): React.JSX.Element {
  return (
    <>
      {error && (
        <small id={`${id}-error`} className="cm-error">
          {error}
        </small>
      )}
      {hint && !error && (
        <small id={`${id}-hint`} className="cm-hint">
          {hint}
        </small>
      )}
    </>
  );
}

const describedBy = (id: string, error?: string, hint?: string) =>
  error ? `${id}-error` : hint ? `${id}-hint` : undefined;

export function TextField({
  label,
  error,
  hint,
  className,
  value,
  onChange,
  multiline,
  ...input
}: Common & {
  value: string;
  onChange: (value: string) => void;
  multiline?: boolean;
} & Omit<React.InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'>): React.JSX.Element {
  const id = useId();
  const common = {
    id,
    value,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy(id, error, hint),
  };
  return (
    <div className={clsx('field', className)}>
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea
          {...common}
          rows={2}
          onChange={(event) => onChange(event.target.value)}
          placeholder={input.placeholder}
        />
      ) : (
        <input {...input} {...common} spellCheck={false} onChange={(event) => onChange(event.target.value)} />
      )}
      <Messages id={id} error={error} hint={hint} />
    </div>
  );
}

export function SelectField<T extends string>({
  label,
  error,
  hint,
  className,
  value,
  options,
  onChange,
  disabled,
}: Common & {
  value: T;
  options: ReadonlyArray<{ value: T; label: string }>;
  onChange: (value: T) => void;
  disabled?: boolean;
}): React.JSX.Element {
  const id = useId();
  return (
    <div className={clsx('field', className)}>
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        disabled={disabled}
        aria-describedby={describedBy(id, error, hint)}
        onChange={(event) => onChange(event.target.value as T)}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <Messages id={id} error={error} hint={hint} />
    </div>
  );
}
