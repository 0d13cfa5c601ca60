// Dashboard: the DOI funnel per form and day, the mail outbox and the workflow runs at a glance.
import { useState } from 'preact/hooks';
import { api, query, type RunCounts } from '../api.ts';
import { DataTable } from '../parts/data-table.tsx';
import { FunnelChart, type FunnelDay } from '../parts/funnel-chart.tsx';
import { SelectInput } from '../parts/inputs.tsx';
import { Loading, PageTitle, useLoad } from '../parts/ui.tsx';
import { href } from '../router.ts';

interface Funnel {
  from: string;
  to: string;
  days: (FunnelDay & { form: string | null })[];
  totals: (Omit<FunnelDay, 'date'> & { form: string | null })[];
}

type OutboxCounts = Record<'pending' | 'sent' | 'failed' | 'cancelled' | 'dueNow', number>;

const PERIODS = [7, 30, 90];

const percent = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 100)} %`);

export function DashboardPage() {
  const [days, setDays] = useState(30);
  const [form, setForm] = useState('');
  const funnel = useLoad(() => api<Funnel>(`/funnel${query({ days, form })}`), [days, form]);
  const forms = useLoad(() => api<{ items: { id: string; name: string }[] }>('/forms'), []);
  const outbox = useLoad(() => api<OutboxCounts>('/mail-outbox/counts'), []);
  const runs = useLoad(() => api<{ total: RunCounts }>('/workflow-runs/counts'), []);

  return (
    <>
      <PageTitle>Dashboard</PageTitle>
      <section aria-labelledby="funnel-title">
        <h2 id="funnel-title">Double opt-in funnel</h2>
        <div class="filters">
          <SelectInput
            label="Form"
            value={form}
            onValue={setForm}
            options={[
              ['', 'All forms'],
              ...(forms.data?.items ?? []).map((f) => [f.id, `${f.name} (${f.id})`] as const),
            ]}
          />
          <SelectInput
            label="Period"
            value={String(days)}
            onValue={(value) => setDays(Number(value))}
            options={PERIODS.map((n) => [String(n), `${n} days`])}
          />
        </div>
        <Loading state={funnel}>
          {(f) => (
            <>
              <FunnelChart days={mergeForms(f.days)} from={f.from} to={f.to} />
              <DataTable
                caption={`Per form, ${f.from} to ${f.to}`}
                showCaption
                columns={['Form', 'Subscribed', 'Confirmed', 'Unsubscribed', 'Confirmation rate']}
                items={f.totals}
                empty="No sign-ups in this period."
                row={(t) => (
                  <tr key={t.form ?? ''}>
                    <th scope="row">{t.form ?? '(no form)'}</th>
                    <td>{t.subscribed}</td>
                    <td>{t.confirmed}</td>
                    <td>{t.unsubscribed}</td>
                    <td>{percent(t.confirmationRate)}</td>
                  </tr>
                )}
              />
            </>
          )}
        </Loading>
      </section>
      <div class="cards">
        <section aria-labelledby="outbox-title" class="card">
          <h2 id="outbox-title">Mail outbox</h2>
          <Loading state={outbox}>
            {(o) => (
              <dl class="stats">
                <dt>Queued</dt>
                <dd>{o.pending}</dd>
                <dt>Due now</dt>
                <dd>{o.dueNow}</dd>
                <dt>Failed</dt>
                <dd class={o.failed ? 'warn' : ''}>{o.failed}</dd>
                <dt>Sent</dt>
                <dd>{o.sent}</dd>
              </dl>
            )}
          </Loading>
        </section>
        <section aria-labelledby="runs-title" class="card">
          <h2 id="runs-title">Workflow runs</h2>
          <Loading state={runs}>
            {(r) => (
              <dl class="stats">
                <dt>
                  <a href={`${href('workflows')}?status=waiting`}>Waiting</a>
                </dt>
                <dd>{r.total.waiting}</dd>
                <dt>Running</dt>
                <dd>{r.total.running}</dd>
                <dt>
                  <a href={`${href('workflows')}?status=failed`}>Failed</a>
                </dt>
                <dd class={r.total.failed ? 'warn' : ''}>{r.total.failed}</dd>
                <dt>Completed</dt>
                <dd>{r.total.completed}</dd>
              </dl>
            )}
          </Loading>
        </section>
      </div>
    </>
  );
}

/** One bar group per day: with "all forms" the per-form rows of a day add up. */
function mergeForms(days: FunnelDay[]): FunnelDay[] {
  const merged = new Map<string, FunnelDay>();
  for (const d of days) {
    const m = merged.get(d.date) ?? {
      date: d.date,
      subscribed: 0,
      confirmed: 0,
      unsubscribed: 0,
      confirmationRate: null,
    };
    m.subscribed += d.subscribed;
    m.confirmed += d.confirmed;
    m.unsubscribed += d.unsubscribed;
    merged.set(d.date, m);
  }
  return [...merged.values()];
}
