// A contact's timeline: events, mail and workflow steps in one list, newest first.

import type { TimelineEntry } from '../../server/contacts/timeline-entry.ts';
import { href } from '../router.ts';
import { Status, Time } from './ui.tsx';

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
