// The admin console: signs in with an API key, then routes between its pages (hash routes).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { session, whenUnauthorized } from './api.ts';
import { ContactPage } from './pages/contact.tsx';
import { ContactsPage } from './pages/contacts.tsx';
import { DashboardPage } from './pages/dashboard.tsx';
import { EventsPage } from './pages/events.tsx';
import { FormEditorPage } from './pages/form-editor.tsx';
import { FormsPage } from './pages/forms.tsx';
import { KeysPage } from './pages/keys.tsx';
import { RunPage } from './pages/run.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { WorkflowsPage } from './pages/workflows.tsx';
import { href, type Route, useRoute } from './router.ts';

const NAV = [
  ['dashboard', 'Dashboard'],
  ['contacts', 'Contacts'],
  ['forms', 'Forms'],
  ['events', 'Events'],
  ['workflows', 'Workflows'],
  ['keys', 'API keys'],
] as const;

function page(route: Route) {
  const [section = 'dashboard', id] = route.path;
  switch (section) {
    case 'contacts':
      return id ? <ContactPage id={Number(id)} /> : <ContactsPage params={route.params} />;
    case 'forms':
      return id ? <FormEditorPage id={id === 'new' ? null : id} /> : <FormsPage />;
    case 'events':
      return <EventsPage params={route.params} />;
    case 'workflows':
      return <WorkflowsPage params={route.params} />;
    case 'runs':
      return <RunPage id={Number(id)} />;
    case 'keys':
      return <KeysPage />;
    default:
      return <DashboardPage />;
  }
}

function App() {
  const [signedIn, setSignedIn] = useState(() => session.key() !== null);
  const route = useRoute();
  const section = route.path[0] ?? 'dashboard';

  useEffect(() => {
    whenUnauthorized(() => {
      session.signOut();
      setSignedIn(false);
    });
  }, []);
  // A new page: move focus to its heading, as a full page load would for assistive technology.
  useEffect(() => {
    document.getElementById('page-title')?.focus();
  }, [route.path.join('/')]);

  if (!signedIn) return <SignInPage onSignedIn={() => setSignedIn(true)} />;
  return (
    <>
      {/* A button, not an anchor: the hash is the route, so `#main` would leave the page. */}
      <button type="button" class="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <span class="brand">Subflow</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([path, label]) => (
              <li key={path}>
                <a href={href(path)} aria-current={section === path ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <button
          type="button"
          class="link"
          onClick={() => {
            session.signOut();
            setSignedIn(false);
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {page(route)}
      </main>
    </>
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
