// The form preview frame: renders the real /widget.js with a definition the editor sends, unsaved.
// The widget reads its definition from GET /v1/forms/:id; this page answers that one request with the
// editor's draft (from POST /api/v1/form-previews) and lets every other request through.

interface PreviewMessage {
  type: 'subflow-preview';
  definition: { id: string; lang?: string };
}

const realFetch = window.fetch.bind(window);
let definition: PreviewMessage['definition'] | undefined;

window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
  const url = new URL(input instanceof Request ? input.url : String(input), location.href);
  if (definition && url.pathname === `/v1/forms/${encodeURIComponent(definition.id)}`)
    return Promise.resolve(
      new Response(JSON.stringify(definition), {
        headers: { 'content-type': 'application/json' },
      }),
    );
  return realFetch(input, init);
};

window.addEventListener('message', (event: MessageEvent<PreviewMessage>) => {
  // Only the console (same origin) may hand a definition to this page.
  if (event.origin !== location.origin || event.data?.type !== 'subflow-preview') return;
  if (definition) return;
  definition = event.data.definition;
  const host = document.createElement('div');
  host.dataset.subflowForm = definition.id;
  if (definition.lang) host.dataset.lang = definition.lang;
  document.getElementById('preview')?.append(host);
  const script = document.createElement('script');
  script.src = '/widget.js';
  document.body.append(script);
});

window.parent.postMessage({ type: 'subflow-preview-ready' }, location.origin);
