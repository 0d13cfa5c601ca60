// The fields of a form: name, type, label, required, maximum length; add, remove, reorder.
import type { FormField } from '../api.ts';

const TYPES: FormField['type'][] = ['email', 'tel', 'text', 'textarea', 'checkbox', 'number'];

export function FormFieldsEditor({
  fields,
  onChange,
}: {
  fields: FormField[];
  onChange: (fields: FormField[]) => void;
}) {
  const update = (i: number, patch: Partial<FormField>) =>
    onChange(fields.map((f, j) => (j === i ? { ...f, ...patch } : f)));
  const move = (i: number, by: number) => {
    const next = [...fields];
    const [field] = next.splice(i, 1);
    if (field) next.splice(i + by, 0, field);
    onChange(next);
  };

  return (
    <fieldset>
      <legend>Fields</legend>
      <ol class="field-list">
        {fields.map((f, i) => (
          <li key={i} class="field-row">
            <label>
              Name
              <input
                required
                value={f.name}
                onInput={(e) => update(i, { name: e.currentTarget.value })}
              />
            </label>
            <label>
              Type
              <select
                value={f.type}
                onChange={(e) => update(i, { type: e.currentTarget.value as FormField['type'] })}
              >
                {TYPES.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Label
              <input
                value={f.label ?? ''}
                onInput={(e) => update(i, { label: e.currentTarget.value || undefined })}
              />
            </label>
            <label class="check">
              <input
                type="checkbox"
                checked={f.required}
                onChange={(e) => update(i, { required: e.currentTarget.checked })}
              />
              Required
            </label>
            <div class="row-actions">
              <button
                type="button"
                disabled={i === 0}
                onClick={() => move(i, -1)}
                aria-label={`Move ${f.name} up`}
              >
                ↑
              </button>
              <button
                type="button"
                disabled={i === fields.length - 1}
                onClick={() => move(i, 1)}
                aria-label={`Move ${f.name} down`}
              >
                ↓
              </button>
              <button
                type="button"
                class="danger"
                onClick={() => onChange(fields.filter((_, j) => j !== i))}
                aria-label={`Remove ${f.name}`}
              >
                Remove
              </button>
            </div>
          </li>
        ))}
      </ol>
      <button
        type="button"
        onClick={() =>
          onChange([
            ...fields,
            { name: `field${fields.length + 1}`, type: 'text', required: false, maxLength: 500 },
          ])
        }
      >
        Add field
      </button>
    </fieldset>
  );
}
