// Widget CSS, adopted as a constructable stylesheet (allowed under a CSP without 'unsafe-inline').
export const css = `
:host{all:initial;display:block;
--sf-font:system-ui,-apple-system,"Segoe UI",sans-serif;--sf-text:#1f2328;--sf-muted:#59636e;
--sf-bg:#fff;--sf-border:#d0d7de;--sf-accent:#1f6feb;--sf-accent-text:#fff;--sf-error:#cf222e;
--sf-success:#1a7f37;--sf-radius:6px;--sf-gap:.75rem;--sf-pad:0}
:host([data-theme=dark]){--sf-text:#e6edf3;--sf-muted:#9198a1;--sf-bg:#0d1117;--sf-border:#3d444d;
--sf-accent:#4493f8;--sf-error:#f85149;--sf-success:#3fb950;--sf-pad:1rem}
.f{font:15px/1.4 var(--sf-font);color:var(--sf-text);background:var(--sf-bg);display:grid;gap:var(--sf-gap);padding:var(--sf-pad);border-radius:var(--sf-radius)}
h2{font-size:1.15em;margin:0}
label{display:grid;gap:.25rem;font-weight:500}
.c{display:flex;gap:.5rem;align-items:flex-start;font-weight:400}
input,textarea{font:inherit;color:inherit;background:var(--sf-bg);border:1px solid var(--sf-border);
border-radius:var(--sf-radius);padding:.5rem .6rem}
input:focus-visible,textarea:focus-visible,button:focus-visible{outline:2px solid var(--sf-accent);outline-offset:2px}
[aria-invalid=true]{border-color:var(--sf-error)}
.e{color:var(--sf-error);font-size:.9em;font-weight:400}
button{font:inherit;font-weight:600;border:0;border-radius:var(--sf-radius);padding:.6rem 1rem;
background:var(--sf-accent);color:var(--sf-accent-text);cursor:pointer;justify-self:start}
button[disabled]{opacity:.6;cursor:progress}
.s{margin:0}.s.ok{color:var(--sf-success)}.s.err{color:var(--sf-error)}
.h{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
`;

/** Applies the stylesheet to a shadow root; older browsers get a <style> element instead. */
export function adoptStyles(root: ShadowRoot): void {
  if ('adoptedStyleSheets' in root && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } else {
    const style = document.createElement('style');
    style.textContent = css;
    (root as ShadowRoot).appendChild(style);
  }
}
