// Confirmation and unsubscribe pages: GET shows a button and changes nothing; POST acts.
import { Hono } from 'hono';
import type { AppDeps } from '../app-deps.ts';
import { formText } from '../forms/form-schema.ts';
import { findForm } from '../forms/forms-store.ts';
import { clientIp } from '../http/client-ip.ts';
import { html, page } from '../http/html.ts';
import { confirmEmail, inspectConfirmToken } from './confirm-email.ts';
import { unsubscribeContact, verifyUnsubscribeToken } from './unsubscribe.ts';

const invalidPage = page(
  'Link not valid',
  html`<h1>This link is not valid</h1><p>Check that you opened the whole link from the mail.</p>`,
);
const expiredPage = page(
  'Link expired',
  html`<h1>This link has expired</h1><p>Please subscribe again to get a new confirmation mail.</p>`,
);

export function confirmRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const { db, config } = deps;
  const verbs = { db, wakeups: deps.wakeups };
  const formFor = (formType: string | null) =>
    formType ? findForm(db, formType) : Promise.resolve(undefined);

  app.get('/confirm/:token', async (c) => {
    const token = c.req.param('token');
    const state = await inspectConfirmToken(db, token);
    if (state.kind === 'invalid') return c.html(invalidPage, 404);
    if (state.kind === 'expired') return c.html(expiredPage, 410);
    const form = await formFor(state.formType);
    if (state.kind === 'alreadyConfirmed') {
      return c.html(page('Confirmed', html`<h1>${formText(form, 'confirmed')}</h1>`));
    }
    return c.html(
      page(
        formText(form, 'confirmSubject'),
        html`<h1>${formText(form, 'confirmSubject')}</h1>
<form method="post" action="/confirm/${token}"><button type="submit">${formText(form, 'confirmButton')}</button></form>`,
      ),
    );
  });

  app.post('/confirm/:token', async (c) => {
    const outcome = await confirmEmail(verbs, {
      token: c.req.param('token'),
      ip: clientIp(c, config.TRUST_PROXY),
      userAgent: c.req.header('user-agent') ?? null,
    });
    if (outcome.kind === 'invalid') return c.html(invalidPage, 404);
    if (outcome.kind === 'expired') return c.html(expiredPage, 410);
    const form = await formFor(outcome.formType);
    if (form?.redirectUrls.confirmed) return c.redirect(form.redirectUrls.confirmed, 303);
    return c.html(page('Confirmed', html`<h1>${formText(form, 'confirmed')}</h1>`));
  });

  app.get('/unsubscribe/:token', (c) => {
    const token = c.req.param('token');
    if (verifyUnsubscribeToken(deps.secretKey, token) === undefined)
      return c.html(invalidPage, 404);
    return c.html(
      page(
        'Unsubscribe',
        html`<h1>Unsubscribe?</h1><p>You will get no more mail from us.</p>
<form method="post" action="/unsubscribe/${token}"><button type="submit">Unsubscribe</button></form>`,
      ),
    );
  });

  // RFC 8058: mail clients POST `List-Unsubscribe=One-Click` here without any user interaction.
  app.post('/unsubscribe/:token', async (c) => {
    const contactId = verifyUnsubscribeToken(deps.secretKey, c.req.param('token'));
    if (contactId === undefined) return c.html(invalidPage, 404);
    await unsubscribeContact(verbs, {
      contactId,
      ip: clientIp(c, config.TRUST_PROXY),
      userAgent: c.req.header('user-agent') ?? null,
    });
    return c.html(page('Unsubscribed', html`<h1>${formText(undefined, 'unsubscribed')}</h1>`));
  });

  return app;
}
