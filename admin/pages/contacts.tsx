// Contacts: search and filter with the API's filters (email, phone, status, group, tag, source).
import { useState } from 'preact/hooks';
import { api, type Contact, type Page, query } from '../api.ts';
import { DataTable, NextPageLink } from '../parts/data-table.tsx';
import { SelectInput, TextInput } from '../parts/inputs.tsx';
import { Loading, PageTitle, Status, Time, useLoad } from '../parts/ui.tsx';
import { href, navigate } from '../router.ts';

const FILTERS = ['email', 'phone', 'externalId', 'group', 'tag', 'source'] as const;
const FILTER_LABELS: Record<(typeof FILTERS)[number], string> = {
  email: 'Email',
  phone: 'Phone',
  externalId: 'External id',
  group: 'Group',
  tag: 'Tag',
  source: 'Source',
};
const STATUSES = ['', 'unconfirmed', 'confirmed', 'unsubscribed', 'bounced', 'deleted'];

export function ContactsPage({ params }: { params: URLSearchParams }) {
  const filters = Object.fromEntries(
    [...FILTERS, 'status', 'cursor'].map((k) => [k, params.get(k) ?? '']),
  );
  const [draft, setDraft] = useState(filters);
  const contacts = useLoad(
    () => api<Page<Contact>>(`/contacts${query({ ...filters, limit: 50 })}`),
    [params.toString()],
  );

  function search(e: Event) {
    e.preventDefault();
    navigate(`${href('contacts')}${query({ ...draft, cursor: undefined })}`);
  }

  return (
    <>
      <PageTitle>Contacts</PageTitle>
      <form class="filters" onSubmit={search} aria-label="Filter contacts">
        {FILTERS.map((key) => (
          <TextInput
            key={key}
            label={FILTER_LABELS[key]}
            name={key}
            type={key === 'email' ? 'search' : 'text'}
            value={draft[key] ?? ''}
            onValue={(value) => setDraft({ ...draft, [key]: value })}
          />
        ))}
        <SelectInput
          label="Status"
          value={draft.status ?? ''}
          onValue={(status) => setDraft({ ...draft, status })}
          options={STATUSES.map((s) => [s, s || 'any but deleted'])}
        />
        <button type="submit">Search</button>
      </form>
      <Loading state={contacts}>
        {(page) => (
          <>
            <DataTable
              caption="Contacts found"
              columns={['Contact', 'Status', 'Groups', 'Source', 'Created']}
              items={page.items}
              empty="No contact matches."
              row={(c) => (
                <tr key={c.id}>
                  <th scope="row">
                    <a href={href('contacts', c.id)}>{c.email ?? c.phone ?? `#${c.id}`}</a>
                    {(c.firstName || c.lastName) && (
                      <span class="muted">
                        {' '}
                        {[c.firstName, c.lastName].filter(Boolean).join(' ')}
                      </span>
                    )}
                  </th>
                  <td>
                    <Status value={c.status} />
                  </td>
                  <td>{c.groups.join(', ')}</td>
                  <td>{c.source}</td>
                  <td>
                    <Time at={c.createdAt} />
                  </td>
                </tr>
              )}
            />
            <NextPageLink
              cursor={page.nextCursor}
              pageHref={(cursor) => `${href('contacts')}${query({ ...filters, cursor })}`}
            />
          </>
        )}
      </Loading>
    </>
  );
}
