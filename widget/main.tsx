// Widget entry: finds [data-subflow-form] elements and renders each form into an open shadow root.
import { render } from 'preact';
import { type FormDef, SubflowForm } from './form.tsx';
import { adoptStyles } from './styles.ts';

// currentScript is only set while the script first runs, so capture the server origin now.
const script = document.currentScript as HTMLScriptElement | null;
const server = script?.src ? new URL(script.src).origin : location.origin;

// The only text the widget carries itself: the server that has the others could not be reached.
const FAILED = 'The subscription form could not be loaded.';

function mount(el: HTMLElement): void {
  if (el.hasAttribute('data-subflow-ready')) return;
  el.setAttribute('data-subflow-ready', '');
  const formId = el.dataset.subflowForm;
  if (!formId) return;
  // A <form> cannot host a shadow root; render beside it and keep it as the no-JS fallback.
  const isForm = el.tagName === 'FORM';
  const host = isForm ? document.createElement('div') : el;
  if (isForm) el.before(host);
  if (el.dataset.theme) host.setAttribute('data-theme', el.dataset.theme);
  if (el.dataset.accent) host.style.setProperty('--sf-accent', el.dataset.accent);
  const root = host.attachShadow({ mode: 'open' });
  adoptStyles(root);
  // Without data-lang the server reads the browser's Accept-Language.
  const lang = el.dataset.lang ? `?lang=${encodeURIComponent(el.dataset.lang)}` : '';

  fetch(`${server}/v1/forms/${encodeURIComponent(formId)}${lang}`, { credentials: 'omit' })
    .then((res) =>
      res.ok ? (res.json() as Promise<FormDef>) : Promise.reject(new Error(String(res.status))),
    )
    .then((def) => {
      if (isForm) el.hidden = true;
      render(<SubflowForm def={def} server={server} />, root);
    })
    .catch(() => {
      // The plain form still works without us; a bare <div> gets a visible explanation.
      if (isForm) host.remove();
      else
        root.append(
          Object.assign(document.createElement('p'), { textContent: FAILED, role: 'alert' }),
        );
    });
}

function init(): void {
  for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-subflow-form]')))
    mount(el);
}

const global = window as unknown as { Subflow?: { init(): void } };
if (global.Subflow) {
  global.Subflow.init();
} else {
  global.Subflow = { init };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
}
