// Labelled form controls: the label wraps its control, so no id is needed to tie them together.
import type { ComponentChildren, InputHTMLAttributes } from 'preact';

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onInput' | 'label'>;

/** A text-like `<input>` in its label; `onValue` gets each keystroke's value. Other props go to the input. */
export function TextInput({
  label,
  value,
  onValue,
  ...input
}: InputProps & { label: ComponentChildren; value: string; onValue: (value: string) => void }) {
  return (
    <label>
      {label} <input {...input} value={value} onInput={(e) => onValue(e.currentTarget.value)} />
    </label>
  );
}

/** A `<select>` in its label, with `[value, text]` options. */
export function SelectInput({
  label,
  value,
  onValue,
  options,
}: {
  label: ComponentChildren;
  value: string;
  onValue: (value: string) => void;
  options: readonly (readonly [string, string])[];
}) {
  return (
    <label>
      {label}{' '}
      <select value={value} onChange={(e) => onValue(e.currentTarget.value)}>
        {options.map(([optionValue, text]) => (
          <option key={optionValue} value={optionValue}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}
