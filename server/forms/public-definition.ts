// The form definition the widget renders: built for GET /v1/forms/:id and for the console's preview.
import type { FormConfig } from './form-schema.ts';
import { pickLanguage, stringsFor, textDirection } from './widget-strings.ts';

/**
 * Widget strings in the visitor's language, with the site owner's texts taking precedence: those
 * written for that language, else the form's `texts`.
 */
export function widgetStrings(
  form: Pick<FormConfig, 'texts' | 'translations'>,
  requested: string | undefined,
  acceptLanguage: string | undefined,
) {
  const lang = pickLanguage(requested, acceptLanguage);
  const { title, submit, success, consentLabel } = { ...form.texts, ...form.translations[lang] };
  const owner = Object.fromEntries(
    Object.entries({ title, submit, success, consentLabel }).filter(([, v]) => v !== undefined),
  );
  return { lang, dir: textDirection(lang), strings: { ...stringsFor(lang), ...owner } };
}

/** What the widget gets: fields, consent, bot defence and strings, never groups or redirects. */
export function publicDefinition(
  form: Pick<FormConfig, 'fields' | 'requireConsent' | 'botDefence' | 'texts' | 'translations'> & {
    id: string;
  },
  view: { lang: string | undefined; acceptLanguage: string | undefined; originAllowed: boolean },
) {
  return {
    id: form.id,
    fields: form.fields,
    requireConsent: form.requireConsent,
    // The widget solves a challenge unless it is off: an adaptive form may require one any time.
    botDefence: form.botDefence,
    originAllowed: view.originAllowed,
    ...widgetStrings(
      form,
      view.lang && view.lang.length <= 35 ? view.lang : undefined,
      view.acceptLanguage,
    ),
  };
}
