/** A labelled text input that shows its own error under it and marks itself invalid. */
export function Field(props: {
  id: string;
  label: string;
  value: string;
  onChange(value: string): void;
  error?: string | null;
  hint?: string;
  placeholder?: string;
  big?: boolean;
  multiline?: boolean;
}) {
  const { id, label, value, onChange, error, hint, placeholder, big, multiline } = props;
  const describedBy = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  const common = {
    id,
    value,
    placeholder,
    spellCheck: false,
    autoComplete: 'off',
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy,
    className: `${big ? 'input big' : 'input'} mono${error ? ' invalid' : ''}`,
  } as const;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea {...common} rows={6} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input {...common} type="text" onChange={(e) => onChange(e.target.value)} />
      )}
      {error ? (
        <p id={`${id}-error`} className="field-error" role="alert" data-testid={`${id}-error`}>
          {error}
        </p>
      ) : hint ? (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      ) : null}
    </div>
  );
}
