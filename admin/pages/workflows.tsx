// Workflows: each loaded file with its version and run counts, files that failed with file:line:column,
// and the runs (filtered by status or workflow).
import { api, type Page, query, type Run, type RunCounts } from '../api.ts';
import { DataTable, NextPageLink } from '../parts/data-table.tsx';
import { SelectInput } from '../parts/inputs.tsx';
import { ContactRef, Loading, PageTitle, Status, Time, useLoad } from '../parts/ui.tsx';
import { href, navigate } from '../router.ts';

interface Workflows {
  items: {
    name: string;
    version: string;
    versionId: number;
    on: string[] | string;
    steps: number;
  }[];
  errors: { file: string; line: number; column: number; message: string }[];
}

const STATUSES = ['', 'running', 'waiting', 'completed', 'failed', 'cancelled'];

export function WorkflowsPage({ params }: { params: URLSearchParams }) {
  const status = params.get('status') ?? '';
  const workflow = params.get('workflow') ?? '';
  const cursor = params.get('cursor') ?? '';
  const workflows = useLoad(() => api<Workflows>('/workflows'), []);
  const counts = useLoad(
    () => api<{ byWorkflow: ({ workflow: string } & RunCounts)[] }>('/workflow-runs/counts'),
    [],
  );
  const runs = useLoad(
    () => api<Page<Run>>(`/workflow-runs${query({ status, workflow, cursor, limit: 50 })}`),
    [status, workflow, cursor],
  );
  const filter = (patch: Record<string, string>) =>
    navigate(`${href('workflows')}${query({ status, workflow, ...patch })}`);

  return (
    <>
      <PageTitle>Workflows</PageTitle>
      <Loading state={workflows}>
        {(w) => (
          <>
            {w.errors.length > 0 && (
              <section aria-labelledby="wf-errors" class="card problems">
                <h2 id="wf-errors">Files that failed to load</h2>
                <ul>
                  {w.errors.map((e) => (
                    <li key={`${e.file}:${e.line}:${e.column}`}>
                      <code>
                        {e.file}:{e.line}:{e.column}
                      </code>{' '}
                      {e.message}
                    </li>
                  ))}
                </ul>
              </section>
            )}
            <DataTable
              caption="Loaded workflows"
              columns={[
                'Workflow',
                'Version',
                'On',
                'Steps',
                'Runs (waiting / running / failed / completed)',
              ]}
              items={w.items}
              empty="No workflow is loaded."
              row={(item) => {
                const c = counts.data?.byWorkflow.find((x) => x.workflow === item.name);
                return (
                  <tr key={item.name}>
                    <th scope="row">
                      <a href={`${href('workflows')}${query({ workflow: item.name })}`}>
                        {item.name}
                      </a>
                    </th>
                    <td>
                      <code>{item.version}</code>
                    </td>
                    <td>
                      <code>{[item.on].flat().join(', ')}</code>
                    </td>
                    <td>{item.steps}</td>
                    <td>
                      {c ? `${c.waiting} / ${c.running} / ${c.failed} / ${c.completed}` : '0'}
                    </td>
                  </tr>
                );
              }}
            />
          </>
        )}
      </Loading>
      <h2>Runs</h2>
      <div class="filters">
        <SelectInput
          label="Status"
          value={status}
          onValue={(value) => filter({ status: value })}
          options={STATUSES.map((s) => [s, s || 'any'])}
        />
        {workflow && (
          <button type="button" onClick={() => filter({ workflow: '' })}>
            Show every workflow (now: {workflow})
          </button>
        )}
      </div>
      <Loading state={runs}>
        {(page) => (
          <>
            <DataTable
              caption="Runs, newest first"
              columns={['Run', 'Workflow', 'Status', 'Contact', 'Started']}
              items={page.items}
              empty="No runs."
              row={(r) => (
                <tr key={r.id}>
                  <th scope="row">
                    <a href={href('runs', r.id)}>Run {r.id}</a>
                  </th>
                  <td>{r.workflow}</td>
                  <td>
                    <Status value={r.status} />
                    {r.error && <span class="error-text"> {r.error}</span>}
                  </td>
                  <td>
                    <ContactRef id={r.contactId} />
                  </td>
                  <td>
                    <Time at={r.createdAt} />
                  </td>
                </tr>
              )}
            />
            <NextPageLink
              cursor={page.nextCursor}
              pageHref={(cursor) => `${href('workflows')}${query({ status, workflow, cursor })}`}
            />
          </>
        )}
      </Loading>
    </>
  );
}
