// The live preview: the real widget in a same-origin frame, fed the editor's unsaved definition.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Form } from '../api.ts';
import { SelectInput } from './inputs.tsx';
import { ErrorNote, messageOf } from './ui.tsx';

export const LANGS = [
  ['en', 'English'],
  ['de', 'Deutsch'],
  ['fr', 'Français'],
  ['es', 'Español'],
  ['ru', 'Русский'],
  ['uk', 'Українська'],
  ['he', 'עברית'],
] as const;

export function FormPreview({
  form,
  lang,
  onLang,
}: {
  form: Form;
  lang: string;
  onLang: (lang: string) => void;
}) {
  const [definition, setDefinition] = useState<unknown>();
  const [error, setError] = useState<string>();
  const [generation, setGeneration] = useState(0);
  const frame = useRef<HTMLIFrameElement>(null);
  const draft = JSON.stringify(form);

  // The server builds the definition (strings per language, as GET /v1/forms/:id does); typing
  // fast sends one request per pause, not one per key.
  useEffect(() => {
    const timer = setTimeout(() => {
      api('/form-previews', {
        method: 'POST',
        body: { form: toConfig({ ...form, id: form.id || 'new-form' }), lang },
      }).then(
        (def) => {
          setError(undefined);
          setDefinition(def);
          setGeneration((g) => g + 1);
        },
        (err) => setError(messageOf(err)),
      );
    }, 250);
    return () => clearTimeout(timer);
  }, [draft, lang]);

  useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      if (
        event.source !== frame.current?.contentWindow ||
        event.data?.type !== 'subflow-preview-ready'
      )
        return;
      frame.current?.contentWindow?.postMessage(
        { type: 'subflow-preview', definition },
        location.origin,
      );
    };
    window.addEventListener('message', onMessage);
    return () => window.removeEventListener('message', onMessage);
  }, [definition]);

  return (
    <section class="preview card" aria-labelledby="preview-title">
      <h2 id="preview-title">Preview</h2>
      <SelectInput label="Language" value={lang} onValue={onLang} options={LANGS} />
      <ErrorNote error={error} />
      {definition !== undefined && (
        <iframe
          key={generation}
          ref={frame}
          title="Widget preview"
          src={`/admin/preview.html?v=${generation}`}
          data-generation={generation}
        />
      )}
    </section>
  );
}

const filled = (texts: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(texts).filter(([, v]) => v?.trim()));

/** The form as the API takes it: no times, blank texts left out (they fall back to the defaults). */
export function toConfig(form: Form) {
  const { createdAt: _c, updatedAt: _u, ...config } = form;
  return {
    ...config,
    texts: filled(form.texts),
    translations: Object.fromEntries(
      Object.entries(form.translations)
        .map(([lang, texts]) => [lang, filled(texts ?? {})] as const)
        .filter(([, texts]) => Object.keys(texts).length > 0),
    ),
    redirectUrls: {
      success: form.redirectUrls.success?.trim() || null,
      confirmed: form.redirectUrls.confirmed?.trim() || null,
    },
  };
}
