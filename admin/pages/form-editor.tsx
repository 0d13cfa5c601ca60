// Creates or edits a form: fields, texts, groups, allowed origins and redirects, beside its preview.
import { useState } from 'preact/hooks';
import { api, type Form, type FormField } from '../api.ts';
import { FormFieldsEditor } from '../parts/form-fields-editor.tsx';
import { FormPreview, LANGS, toConfig } from '../parts/form-preview.tsx';
import { SelectInput, TextInput } from '../parts/inputs.tsx';
import { ErrorNote, Loading, PageTitle, useAction, useLoad } from '../parts/ui.tsx';
import { href, navigate } from '../router.ts';

const NEW_FORM: Form = {
  id: '',
  name: '',
  groups: [],
  fields: [{ name: 'email', type: 'email', required: true, maxLength: 254 }],
  allowedOrigins: [],
  doubleOptIn: true,
  requireConsent: false,
  defaultCountry: null,
  texts: {},
  translations: {},
  redirectUrls: {},
  botDefence: { challenge: 'adaptive', turnstileSiteKey: null },
};

const TEXTS = [
  ['title', 'Title'],
  ['submit', 'Button'],
  ['success', 'After subscribing'],
  ['consentLabel', 'Consent checkbox'],
  ['confirmSubject', 'Confirmation mail subject'],
  ['confirmIntro', 'Confirmation mail text'],
  ['confirmButton', 'Confirmation button'],
  ['confirmed', 'Confirmed page'],
  ['unsubscribed', 'Unsubscribed page'],
] as const;

const REDIRECTS = [
  ['success', 'Redirect after subscribing (URL)'],
  ['confirmed', 'Redirect after confirming (URL)'],
] as const;

/** The texts the widget shows, which can differ per language; the others go out in one language. */
const WIDGET_TEXTS = new Set(['title', 'submit', 'success', 'consentLabel']);

const lines = (text: string) =>
  text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);

export function FormEditorPage({ id }: { id: string | null }) {
  const loaded = useLoad(
    () => (id ? api<Form>(`/forms/${encodeURIComponent(id)}`) : Promise.resolve(NEW_FORM)),
    [id],
  );
  return (
    <Loading state={loaded}>
      {(form) => <Editor key={id ?? 'new'} initial={form} isNew={id === null} />}
    </Loading>
  );
}

function Editor({ initial, isNew }: { initial: Form; isNew: boolean }) {
  const [form, setForm] = useState(initial);
  const [origins, setOrigins] = useState(initial.allowedOrigins.join('\n'));
  const [groups, setGroups] = useState(initial.groups.join(', '));
  const [saved, setSaved] = useState(false);
  const [copied, setCopied] = useState(false);
  // '' edits the texts every language falls back to; a code edits that language's widget texts.
  const [textLang, setTextLang] = useState('');
  const [previewLang, setPreviewLang] = useState('en');
  const [error, act] = useAction();
  const set = (patch: Partial<Form>) => {
    setSaved(false);
    setForm({ ...form, ...patch });
  };
  const snippet = `<div data-subflow-form="${form.id || 'FORM_ID'}"></div>\n<script src="${location.origin}/widget.js" async></script>`;

  async function save(e: Event) {
    e.preventDefault();
    const { id, ...config } = toConfig({
      ...form,
      allowedOrigins: lines(origins),
      groups: lines(groups),
    });
    const ok = await act(() =>
      isNew
        ? api('/forms', { method: 'POST', body: { id, ...config } })
        : api(`/forms/${encodeURIComponent(id)}`, { method: 'PATCH', body: config }),
    );
    if (ok) {
      setSaved(true);
      if (isNew) navigate(href('forms', id));
    }
  }

  return (
    <>
      <PageTitle>{isNew ? 'New form' : `Form ${initial.name}`}</PageTitle>
      <div class="split">
        <form class="editor" onSubmit={save} aria-label="Form settings">
          {isNew && (
            <TextInput
              label="Id (its formType, in the embed snippet)"
              required
              pattern="[a-z0-9][a-z0-9_\-]{0,63}"
              value={form.id}
              onValue={(id) => set({ id })}
            />
          )}
          <TextInput
            label="Name"
            required
            maxLength={200}
            value={form.name}
            onValue={(name) => set({ name })}
          />
          <TextInput
            label="Groups (comma separated)"
            value={groups}
            onValue={(value) => {
              setSaved(false);
              setGroups(value);
            }}
          />
          <fieldset>
            <legend>Subscription</legend>
            <label class="check">
              <input
                type="checkbox"
                checked={form.doubleOptIn}
                onChange={(e) => set({ doubleOptIn: e.currentTarget.checked })}
              />
              Double opt-in (send a confirmation link)
            </label>
            <label class="check">
              <input
                type="checkbox"
                checked={form.requireConsent}
                onChange={(e) => set({ requireConsent: e.currentTarget.checked })}
              />
              Require the consent checkbox
            </label>
          </fieldset>
          <FormFieldsEditor
            fields={form.fields}
            onChange={(fields: FormField[]) => set({ fields })}
          />
          <fieldset>
            <legend>Texts (blank: the built-in text in the visitor’s language)</legend>
            <SelectInput
              label="Language of these texts"
              value={textLang}
              onValue={(lang) => {
                setTextLang(lang);
                if (lang) setPreviewLang(lang);
              }}
              options={[['', 'Every language (default)'], ...LANGS]}
            />
            {textLang === ''
              ? TEXTS.map(([key, label]) => (
                  <TextInput
                    key={key}
                    label={label}
                    value={form.texts[key] ?? ''}
                    onValue={(value) => set({ texts: { ...form.texts, [key]: value } })}
                  />
                ))
              : TEXTS.filter(([key]) => WIDGET_TEXTS.has(key)).map(([key, label]) => (
                  <TextInput
                    key={`${textLang}-${key}`}
                    label={label}
                    placeholder={form.texts[key] ?? ''}
                    value={form.translations[textLang]?.[key] ?? ''}
                    onValue={(value) =>
                      set({
                        translations: {
                          ...form.translations,
                          [textLang]: { ...form.translations[textLang], [key]: value },
                        },
                      })
                    }
                  />
                ))}
          </fieldset>
          <fieldset>
            <legend>Where it may run and where it leads</legend>
            <label>
              Allowed origins (one a line; none: any site)
              <textarea
                rows={3}
                value={origins}
                onInput={(e) => {
                  setSaved(false);
                  setOrigins(e.currentTarget.value);
                }}
              />
            </label>
            {REDIRECTS.map(([key, label]) => (
              <TextInput
                key={key}
                label={label}
                type="url"
                value={form.redirectUrls[key] ?? ''}
                onValue={(value) => set({ redirectUrls: { ...form.redirectUrls, [key]: value } })}
              />
            ))}
          </fieldset>
          <ErrorNote error={error} />
          <p aria-live="polite">{saved && 'Saved.'}</p>
          <button type="submit">{isNew ? 'Create form' : 'Save form'}</button>
        </form>
        <div>
          <FormPreview form={form} lang={previewLang} onLang={setPreviewLang} />
          <section class="card" aria-labelledby="embed-title">
            <h2 id="embed-title">Embed snippet</h2>
            <label for="snippet">Paste into your page</label>
            <textarea id="snippet" readOnly rows={3} value={snippet} />
            <button
              type="button"
              onClick={() =>
                navigator.clipboard.writeText(snippet).then(
                  () => setCopied(true),
                  () => setCopied(false),
                )
              }
            >
              Copy snippet
            </button>
            <span aria-live="polite">{copied ? ' Copied.' : ''}</span>
          </section>
        </div>
      </div>
    </>
  );
}
