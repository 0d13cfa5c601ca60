// A contact's timeline: events, mail and workflow steps in one list, newest first.

import { href } from '../router.ts';
import { Status, Time } from './ui.tsx';

export type TimelineEntry =
  | { kind: 'event'; at: string; id: number; type: string; params: Record<string, unknown> }
  | {
      kind: 'mail';
      at: string;
      id: number;
      mailKind: string;
      subject: string;
      status: string;
      sentAt: string | null;
      error: string | null;
    }
  | {
      kind: 'step';
      at: string;
      id: number;
      runId: number;
      workflow: string;
      stepId: string;
      op: string;
      status: string;
      error: string | null;
    };

function describe(entry: TimelineEntry) {
  switch (entry.kind) {
    case 'event':
      return (
        <>
          <strong>Event</strong> <code>{entry.type}</code>
        </>
      );
    case 'mail':
      return (
        <>
          <strong>Mail</strong> ({entry.mailKind}) “{entry.subject}” <Status value={entry.status} />
          {entry.error && <span class="error-text"> {entry.error}</span>}
        </>
      );
    case 'step':
      return (
        <>
          <strong>Step</strong> <code>{entry.stepId}</code> ({entry.op}) of{' '}
          <a href={href('runs', entry.runId)}>
            {entry.workflow} run {entry.runId}
          </a>{' '}
          <Status value={entry.status} />
          {entry.error && <span class="error-text"> {entry.error}</span>}
        </>
      );
  }
}

export function Timeline({ items }: { items: TimelineEntry[] }) {
  if (items.length === 0) return <p class="muted">Nothing yet.</p>;
  return (
    <ol class="timeline">
      {items.map((entry) => (
        <li key={`${entry.kind}-${entry.id}`} class={`timeline-${entry.kind}`}>
          <Time at={entry.at} /> {describe(entry)}
        </li>
      ))}
    </ol>
  );
}
