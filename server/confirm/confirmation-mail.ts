// The double opt-in mail. It carries only the site owner's texts, never what the subscriber typed.
import { type FormConfig, formText } from '../forms/form-schema.ts';
import { escapeHtml } from '../http/html.ts';

export function renderConfirmationMail(
  form: Pick<FormConfig, 'texts'> | undefined,
  confirmUrl: string,
): { subject: string; text: string; html: string } {
  const intro = formText(form, 'confirmIntro');
  const button = formText(form, 'confirmButton');
  return {
    subject: formText(form, 'confirmSubject'),
    text: `${intro}\n\n${button}:\n${confirmUrl}\n`,
    html:
      `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">` +
      `<p>${escapeHtml(intro)}</p>` +
      `<p><a href="${escapeHtml(confirmUrl)}" style="display:inline-block;padding:10px 18px;` +
      `background:#1f6feb;color:#fff;text-decoration:none;border-radius:4px">${escapeHtml(button)}</a></p>` +
      `<p style="color:#59636e;font-size:13px">${escapeHtml(confirmUrl)}</p>` +
      `</body></html>`,
  };
}
