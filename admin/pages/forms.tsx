// Forms: every form with its groups and origins; a link to edit each or create one.
import { api, type Form } from '../api.ts';
import { DataTable } from '../parts/data-table.tsx';
import { Loading, PageTitle, Time, useLoad } from '../parts/ui.tsx';
import { href } from '../router.ts';

export function FormsPage() {
  const forms = useLoad(() => api<{ items: Form[] }>('/forms'), []);
  return (
    <>
      <PageTitle>Forms</PageTitle>
      <p>
        <a class="button" href={href('forms', 'new')}>
          New form
        </a>
      </p>
      <Loading state={forms}>
        {({ items }) => (
          <DataTable
            columns={['Form', 'Groups', 'Fields', 'Allowed origins', 'Updated']}
            items={items}
            row={(f) => (
              <tr key={f.id}>
                <th scope="row">
                  <a href={href('forms', f.id)}>{f.name}</a> <code>{f.id}</code>
                </th>
                <td>{f.groups.join(', ') || '—'}</td>
                <td>{f.fields.map((field) => field.name).join(', ')}</td>
                <td>{f.allowedOrigins.join(', ') || 'any'}</td>
                <td>
                  <Time at={f.updatedAt} />
                </td>
              </tr>
            )}
          />
        )}
      </Loading>
    </>
  );
}
