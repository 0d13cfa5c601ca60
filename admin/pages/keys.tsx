// API keys: the list, a new key with its scopes (its secret shown once), revoking one.
import { useState } from 'preact/hooks';
import { type Scope, scopes } from '../../server/auth/scopes.ts';
import { type ApiKey, api } from '../api.ts';
import { ActionButton } from '../parts/action-button.tsx';
import { DataTable } from '../parts/data-table.tsx';
import { ErrorNote, Loading, PageTitle, Time, useAction, useLoad } from '../parts/ui.tsx';

export function KeysPage() {
  const keys = useLoad(() => api<{ items: ApiKey[] }>('/keys'), []);
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<Scope[]>([]);
  const [created, setCreated] = useState<ApiKey & { key: string }>();
  const [error, act] = useAction();

  async function create(e: Event) {
    e.preventDefault();
    await act(async () => {
      setCreated(await api('/keys', { method: 'POST', body: { name, scopes: chosen } }));
      setName('');
      setChosen([]);
      keys.reload();
    });
  }

  return (
    <>
      <PageTitle>API keys</PageTitle>
      <form class="editor card" onSubmit={create} aria-label="New API key">
        <h2>New key</h2>
        <label>
          Name
          <input
            required
            maxLength={100}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <fieldset>
          <legend>Scopes</legend>
          <div class="scopes">
            {scopes.map((scope) => (
              <label key={scope} class="check">
                <input
                  type="checkbox"
                  checked={chosen.includes(scope)}
                  onChange={(e) =>
                    setChosen(
                      e.currentTarget.checked
                        ? [...chosen, scope]
                        : chosen.filter((s) => s !== scope),
                    )
                  }
                />
                {scope}
              </label>
            ))}
          </div>
        </fieldset>
        <ErrorNote error={error} />
        <button type="submit">Create key</button>
      </form>
      {created && (
        <section class="card notice" aria-labelledby="new-key-title" role="status">
          <h2 id="new-key-title">Key “{created.name}” created</h2>
          <p>Copy it now: it is shown only this once.</p>
          <label for="new-key">Key</label>
          <input id="new-key" readOnly value={created.key} />
          <p>Scopes: {created.scopes.join(', ')}</p>
        </section>
      )}
      <Loading state={keys}>
        {({ items }) => (
          <DataTable
            caption="API keys"
            columns={['Name', 'Prefix', 'Scopes', 'Last used', 'State']}
            items={items}
            row={(k) => (
              <tr key={k.id}>
                <th scope="row">{k.name}</th>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>{k.scopes.join(', ')}</td>
                <td>
                  <Time at={k.lastUsedAt} />
                </td>
                <td>
                  {k.revokedAt ? (
                    <span>
                      revoked <Time at={k.revokedAt} />
                    </span>
                  ) : (
                    <ActionButton
                      method="DELETE"
                      path={`/keys/${k.id}`}
                      act={act}
                      onDone={keys.reload}
                      danger
                      label={`Revoke ${k.name}`}
                    >
                      Revoke
                    </ActionButton>
                  )}
                </td>
              </tr>
            )}
          />
        )}
      </Loading>
    </>
  );
}
