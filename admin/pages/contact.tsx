// One contact: its data, groups, tags, phone metadata, consents and timeline; edit and act on it.
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { TimelineEntry } from '../../server/contacts/timeline-entry.ts';
import { api, type Contact } from '../api.ts';
import { ActionButton } from '../parts/action-button.tsx';
import { ContactEditor } from '../parts/contact-editor.tsx';
import { DataTable } from '../parts/data-table.tsx';
import { Timeline } from '../parts/timeline.tsx';
import { ErrorNote, Loading, PageTitle, Status, Time, useAction, useLoad } from '../parts/ui.tsx';

interface Consent {
  id: number;
  kind: string;
  formType: string | null;
  ip: string | null;
  userAgent: string | null;
  createdAt: string;
}

export function ContactPage({ id }: { id: number }) {
  const contact = useLoad(() => api<Contact>(`/contacts/${id}`), [id]);
  const consents = useLoad(() => api<{ items: Consent[] }>(`/contacts/${id}/consents`), [id]);
  const timeline = useLoad(() => api<{ items: TimelineEntry[] }>(`/contacts/${id}/timeline`), [id]);
  const [editing, setEditing] = useState(false);
  const [error, act] = useAction();

  const reloadAll = () => {
    contact.reload();
    timeline.reload();
  };

  return (
    <Loading state={contact}>
      {(c) => (
        <>
          <PageTitle>{c.email ?? c.phone ?? `Contact ${c.id}`}</PageTitle>
          <p>
            <Status value={c.status} />{' '}
            <span class="muted">
              #{c.id}, from {c.source}
            </span>
          </p>
          <div class="actions">
            <button type="button" onClick={() => setEditing(!editing)} aria-expanded={editing}>
              {editing ? 'Close editor' : 'Edit'}
            </button>
            {c.status === 'deleted' ? (
              <ActionButton
                method="POST"
                path={`/contacts/${id}/restore`}
                act={act}
                onDone={reloadAll}
              >
                Restore
              </ActionButton>
            ) : (
              <ActionButton
                method="DELETE"
                path={`/contacts/${id}`}
                act={act}
                onDone={reloadAll}
                confirmText="Delete this contact? It can be restored."
                danger
              >
                Delete
              </ActionButton>
            )}
          </div>
          <ErrorNote error={error} />
          {editing && (
            <ContactEditor
              contact={c}
              onSaved={() => {
                setEditing(false);
                reloadAll();
              }}
            />
          )}
          <div class="cards">
            <section class="card" aria-labelledby="data-title">
              <h2 id="data-title">Data</h2>
              <dl class="pairs">
                <dt>Email</dt>
                <dd>{c.email ?? '—'}</dd>
                <dt>Phone</dt>
                <dd>{c.phone ?? '—'}</dd>
                <dt>Name</dt>
                <dd>{[c.firstName, c.lastName].filter(Boolean).join(' ') || '—'}</dd>
                <dt>External id</dt>
                <dd>{c.externalId ?? '—'}</dd>
                <dt>Confirmed</dt>
                <dd>
                  <Time at={c.emailConfirmedAt} />
                </dd>
                <dt>Created</dt>
                <dd>
                  <Time at={c.createdAt} />
                </dd>
                <ValuePairs values={c.fields} />
              </dl>
              {c.phoneMeta && (
                <>
                  <h3>Phone metadata</h3>
                  <dl class="pairs">
                    <ValuePairs values={c.phoneMeta} />
                  </dl>
                </>
              )}
            </section>
            <Labels contact={c} onChanged={reloadAll} />
          </div>
          <section aria-labelledby="consents-title">
            <h2 id="consents-title">Consents</h2>
            <Loading state={consents}>
              {(list) =>
                list.items.length === 0 ? (
                  <p class="muted">No consent records.</p>
                ) : (
                  <DataTable
                    columns={['Kind', 'Form', 'IP', 'User agent', 'When']}
                    items={list.items}
                    row={(r) => (
                      <tr key={r.id}>
                        <td>{r.kind}</td>
                        <td>{r.formType ?? '—'}</td>
                        <td>{r.ip ?? '—'}</td>
                        <td class="wrap">{r.userAgent ?? '—'}</td>
                        <td>
                          <Time at={r.createdAt} />
                        </td>
                      </tr>
                    )}
                  />
                )
              }
            </Loading>
          </section>
          <section aria-labelledby="timeline-title">
            <h2 id="timeline-title">Timeline</h2>
            <Loading state={timeline}>{(t) => <Timeline items={t.items} />}</Loading>
          </section>
        </>
      )}
    </Loading>
  );
}

/** An object's keys and values as `<dt>`/`<dd>` pairs, for a `<dl>` (custom fields, phone metadata). */
function ValuePairs({ values }: { values: Record<string, unknown> }) {
  return (
    <>
      {Object.entries(values).map(([key, value]) => (
        <Fragment key={key}>
          <dt>{key}</dt>
          <dd>{String(value)}</dd>
        </Fragment>
      ))}
    </>
  );
}

/** Groups (confirmed and pending) and tags, with a form to add one of each. */
function Labels({ contact, onChanged }: { contact: Contact; onChanged: () => void }) {
  const [group, setGroup] = useState('');
  const [tag, setTag] = useState('');
  const [error, act] = useAction();
  const groups = useLoad(
    () => api<{ items: { id: number; name: string }[] }>('/groups?limit=1000'),
    [],
  );

  async function addToGroup(e: Event) {
    e.preventDefault();
    const name = group.trim();
    const ok = await act(async () => {
      const known = groups.data?.items.find((g) => g.name === name);
      const target =
        known ?? (await api<{ id: number }>('/groups', { method: 'POST', body: { name } }));
      await api(`/group/${target.id}/contacts/attach`, {
        method: 'POST',
        body: { contactIds: [contact.id] },
      });
    });
    if (ok) {
      setGroup('');
      groups.reload();
      onChanged();
    }
  }

  async function addTag(e: Event) {
    e.preventDefault();
    const ok = await act(() =>
      api(`/contacts/${contact.id}/tags`, { method: 'POST', body: { tags: [tag.trim()] } }),
    );
    if (ok) {
      setTag('');
      onChanged();
    }
  }

  return (
    <section class="card" aria-labelledby="labels-title">
      <h2 id="labels-title">Groups and tags</h2>
      <p>
        Groups: {contact.groups.join(', ') || <span class="muted">none</span>}
        {contact.pendingGroups.length > 0 && (
          <span class="muted"> (pending: {contact.pendingGroups.join(', ')})</span>
        )}
      </p>
      <p>Tags: {contact.tags.join(', ') || <span class="muted">none</span>}</p>
      <form class="inline" onSubmit={addToGroup}>
        <label for="add-group">Add to group</label>
        <input
          id="add-group"
          list="group-names"
          required
          value={group}
          onInput={(e) => setGroup(e.currentTarget.value)}
        />
        <datalist id="group-names">
          {groups.data?.items.map((g) => (
            <option key={g.id} value={g.name} />
          ))}
        </datalist>
        <button type="submit">Add</button>
      </form>
      <form class="inline" onSubmit={addTag}>
        <label for="add-tag">Add tag</label>
        <input
          id="add-tag"
          required
          maxLength={200}
          value={tag}
          onInput={(e) => setTag(e.currentTarget.value)}
        />
        <button type="submit">Add</button>
      </form>
      <ErrorNote error={error} />
    </section>
  );
}
