// One workflow run: its steps in order with outputs and errors; cancel it while it is active.
import { api, type Run, type Step } from '../api.ts';
import { ActionButton } from '../parts/action-button.tsx';
import { ErrorNote, Loading, PageTitle, Status, Time, useAction, useLoad } from '../parts/ui.tsx';
import { href } from '../router.ts';

const ACTIVE = new Set(['running', 'waiting']);

export function RunPage({ id }: { id: number }) {
  const run = useLoad(() => api<Run & { steps: Step[] }>(`/workflow-runs/${id}`), [id]);
  const [error, act] = useAction();

  return (
    <Loading state={run}>
      {(r) => (
        <>
          <PageTitle>
            Run {r.id} of {r.workflow}
          </PageTitle>
          <p>
            <Status value={r.status} />
            {r.waitingFor && (
              <span>
                {' '}
                waiting for <code>{r.waitingFor}</code>
              </span>
            )}
            {r.dueAt && (
              <span>
                {' '}
                until <Time at={r.dueAt} />
              </span>
            )}
            {r.contactId !== null && (
              <span>
                {' '}
                for <a href={href('contacts', r.contactId)}>contact #{r.contactId}</a>
              </span>
            )}
          </p>
          {r.error && <p class="error-text">{r.error}</p>}
          {ACTIVE.has(r.status) && (
            <ActionButton
              method="POST"
              path={`/workflow-runs/${id}/cancel`}
              act={act}
              onDone={run.reload}
              danger
            >
              Cancel run
            </ActionButton>
          )}
          <ErrorNote error={error} />
          <h2>Steps</h2>
          {r.steps.length === 0 ? (
            <p class="muted">No step has started.</p>
          ) : (
            <ol class="timeline">
              {r.steps.map((s) => (
                <li key={`${s.stepId}-${s.startedAt}`}>
                  <Time at={s.startedAt} /> <code>{s.stepId}</code> ({s.op}){' '}
                  <Status value={s.status} />
                  {s.attempts > 1 && <span class="muted"> {s.attempts} attempts</span>}
                  {s.error && <p class="error-text">{s.error}</p>}
                  {s.output !== null && s.output !== undefined && (
                    <details>
                      <summary>Output</summary>
                      <pre>{JSON.stringify(s.output, null, 2)}</pre>
                    </details>
                  )}
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </Loading>
  );
}
