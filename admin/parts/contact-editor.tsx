// Edits a contact's own data with PATCH /contacts/{id}: changed keys only, an emptied one cleared.
import { useState } from 'preact/hooks';
import { api, type Contact } from '../api.ts';
import { TextInput } from './inputs.tsx';
import { ErrorNote, useAction } from './ui.tsx';

const KEYS = [
  ['email', 'Email', 'email'],
  ['phone', 'Phone', 'tel'],
  ['firstName', 'First name', 'text'],
  ['lastName', 'Last name', 'text'],
  ['externalId', 'External id', 'text'],
] as const;

export function ContactEditor({ contact, onSaved }: { contact: Contact; onSaved: () => void }) {
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(KEYS.map(([key]) => [key, contact[key] ?? ''])),
  );
  const [fields, setFields] = useState(() => JSON.stringify(contact.fields, null, 2));
  const [error, act] = useAction();

  async function save(e: Event) {
    e.preventDefault();
    const patch: Record<string, unknown> = {};
    for (const [key] of KEYS) {
      const value = values[key]?.trim() ?? '';
      if (value !== (contact[key] ?? '')) patch[key] = value === '' ? null : value;
    }
    const ok = await act(async () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(fields || '{}');
      } catch {
        throw new Error('Custom fields: expected a JSON object such as {"plan": "pro"}');
      }
      if (JSON.stringify(parsed) !== JSON.stringify(contact.fields)) {
        // Keys taken out of the object are cleared, as PATCH clears a key set to null.
        const cleared = Object.keys(contact.fields).filter((k) => !(k in (parsed as object)));
        patch.fields = {
          ...(parsed as object),
          ...Object.fromEntries(cleared.map((k) => [k, null])),
        };
      }
      await api(`/contacts/${contact.id}`, { method: 'PATCH', body: patch });
    });
    if (ok) onSaved();
  }

  return (
    <form class="editor card" onSubmit={save} aria-label="Edit contact">
      {KEYS.map(([key, label, type]) => (
        <TextInput
          key={key}
          label={label}
          type={type}
          value={values[key] ?? ''}
          onValue={(value) => setValues({ ...values, [key]: value })}
        />
      ))}
      <label>
        Custom fields (JSON)
        <textarea rows={5} value={fields} onInput={(e) => setFields(e.currentTarget.value)} />
      </label>
      <ErrorNote error={error} />
      <button type="submit">Save contact</button>
    </form>
  );
}
