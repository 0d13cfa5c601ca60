// Forms: every form with its groups and origins; a link to edit each or create one.
import { api, type Form } from '../api.ts';
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
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Form</th>
                  <th scope="col">Groups</th>
                  <th scope="col">Fields</th>
                  <th scope="col">Allowed origins</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {items.map((f) => (
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
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Loading>
    </>
  );
}
