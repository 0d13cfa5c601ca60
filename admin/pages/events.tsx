// The event log, newest first, filtered by type and contact, live: new events appear as they come.
import { useEffect, useState } from 'preact/hooks';
import { api, type EventItem, type Page, query } from '../api.ts';
import { DataTable } from '../parts/data-table.tsx';
import { TextInput } from '../parts/inputs.tsx';
import { ContactRef, ErrorNote, messageOf, PageTitle, Time } from '../parts/ui.tsx';
import { href, navigate } from '../router.ts';

/** How often the live log asks for newer events. */
const POLL_MS = 3000;

export function EventsPage({ params }: { params: URLSearchParams }) {
  const type = params.get('type') ?? '';
  const contactId = params.get('contactId') ?? '';
  const [draft, setDraft] = useState({ type, contactId });
  const [items, setItems] = useState<EventItem[]>();
  const [live, setLive] = useState(true);
  const [error, setError] = useState<string>();

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () =>
      api<Page<EventItem>>(`/events${query({ type, contactId, limit: 100 })}`)
        .then(
          (page) => {
            if (stopped) return;
            setItems(page.items);
            setError(undefined);
          },
          (err) => !stopped && setError(messageOf(err)),
        )
        .finally(() => {
          if (!stopped && live) timer = setTimeout(load, POLL_MS);
        });
    load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [type, contactId, live]);

  return (
    <>
      <PageTitle>Events</PageTitle>
      <form
        class="filters"
        aria-label="Filter events"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(`${href('events')}${query(draft)}`);
        }}
      >
        <TextInput
          label="Type"
          value={draft.type}
          onValue={(value) => setDraft({ ...draft, type: value })}
        />
        <TextInput
          label="Contact id"
          inputMode="numeric"
          value={draft.contactId}
          onValue={(contactId) => setDraft({ ...draft, contactId })}
        />
        <button type="submit">Filter</button>
        <label class="check">
          <input
            type="checkbox"
            checked={live}
            onChange={(e) => setLive(e.currentTarget.checked)}
          />{' '}
          Live
        </label>
      </form>
      <ErrorNote error={error} />
      {items && (
        <DataTable
          live={live}
          caption="Events, newest first"
          columns={['When', 'Type', 'Contact', 'Params']}
          items={items}
          empty="No events."
          row={(e) => (
            <tr key={e.id}>
              <td>
                <Time at={e.createdAt} />
              </td>
              <td>
                <code>{e.type}</code>
              </td>
              <td>
                <ContactRef id={e.contactId} />
              </td>
              <td class="wrap">
                <code>{JSON.stringify(e.params)}</code>
              </td>
            </tr>
          )}
        />
      )}
    </>
  );
}
