// Hostile expressions in workflows cost one clear error, never the server: filters skip, steps fail.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` in plain strings are workflow templates, not mistakes.
import { afterEach, describe, expect, it } from 'vitest';
import { testDialects } from './helpers/databases.ts';
import { startWorkflowServer, type WorkflowServer } from './helpers/workflow-server.ts';

// Within the load-time limits (200 elements, two nested comprehensions) but over the run-time
// budget: 40,000 iterations of a few steps each.
const l200 = `[${Array.from({ length: 200 }, (_, i) => i).join(',')}]`;
const heavy = `${l200}.all(x, ${l200}.all(y, x + y >= 0))`;
const huge = `${l200}.map(x, ${l200}.map(y, y))`;

describe.each(testDialects())('expression budgets on %s', (dialect) => {
  let env: WorkflowServer;

  afterEach(async () => {
    await env.stop();
  });

  it('skips a workflow whose filter overruns, fails a step that overruns, and keeps serving', async () => {
    env = await startWorkflowServer(dialect, {
      'filtered.yaml': `
name: filtered
on: subscribeFromApi-newsletter
if: '${heavy}'
steps:
  - send_email: { subject: "filtered", text: "should never be sent" }
`,
      'building.yaml': `
name: building
on: subscribeFromApi-newsletter
steps:
  - id: greet
    send_email: { subject: "big \${${huge}}", text: "should never be sent" }
`,
      'light.yaml': `
name: light
on: subscribeFromApi-newsletter
steps:
  - send_email: { subject: "light", text: "hello" }
`,
    });
    const { server, smtp } = env;
    expect((await server.subscribe('newsletter', { email: 'cel@example.com' })).status).toBe(202);

    const failed = await env.finishedRun('workflow=building');
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/^greet: the expression exceeded its evaluation budget/);
    expect(failed.steps[0]).toMatchObject({ stepId: 'greet', status: 'failed', attempts: 1 });

    // The light workflow's mail is the sign that the event was dispatched to every workflow.
    await env.finishedRun('workflow=light');
    await until(() => smtp.mailsTo('cel@example.com').some((m) => m.subject === 'light'));
    expect(await env.runsOf('workflow=filtered')).toEqual([]);
    expect(smtp.mailsTo('cel@example.com').map((m) => m.subject)).toContain('light');
    expect(smtp.mailsTo('cel@example.com').map((m) => m.subject)).not.toContain('filtered');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

async function until(probe: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((r) => setTimeout(r, 25));
  }
}
