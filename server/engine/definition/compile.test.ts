// compileWorkflow: the flat program a good file compiles to, and positioned errors for bad ones.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` in plain strings are workflow templates, not mistakes.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compileWorkflow, DEFAULT_RETRY } from './compile.ts';

const compile = (source: string) => compileWorkflow('w.yaml', source);

/** The errors as `line:column: message`, the way the CLI prints them. */
const errorsOf = (source: string) =>
  compile(source).errors.map((e) => `${e.line}:${e.column}: ${e.message}`);

const GOOD = `name: welcome
on: [emailConfirmed-newsletter, "subscribeFromApi*"]
if: contact.status == "confirmed"
reentry: always
cancel_on: unsubscribed
retry: { attempts: 5, backoff: 30s }
steps:
  - send_email: { subject: "Welcome \${contact.firstName}", text: "Hi \${EmailAddress}" }
  - wait: 2d
  - id: clicked
    wait_for: { event: "emailClicked*", match: 'event.params.url != ""', timeout: 3d }
  - if: 'contact.fields.plan == "pro"'
    then:
      - add_to_groups: [Pro]
      - update_contact: { firstName: "Ann", fields: { plan: pro, score: 2, vip: true, old: null } }
    else:
      - id: hook
        retry: { attempts: 1 }
        webhook: { url: "https://crm.example/hook", body: { id: "\${ContactId}" } }
  - if: steps.clicked.received
    then: [ { emit: clicked } ]
  - stop: true
`;

describe('compileWorkflow: a good file', () => {
  const { workflow, errors } = compile(GOOD);

  it('compiles the header', () => {
    expect(errors).toEqual([]);
    expect(workflow).toMatchObject({
      name: 'welcome',
      version: createHash('sha256').update(GOOD).digest('hex'),
      on: ['emailConfirmed-newsletter', 'subscribeFromApi*'],
      filter: 'contact.status == "confirmed"',
      reentry: 'always',
      cancelOn: ['unsubscribed'],
    });
  });

  it('lays if/then/else out as branch, then-steps, jump, else-steps', () => {
    const program = workflow?.program ?? [];
    expect(program.map((i) => (i.op === 'jump' ? `jump ${i.target}` : `${i.op} ${i.id}`))).toEqual([
      'send_email steps.0',
      'wait steps.1',
      'wait_for clicked',
      'branch steps.3', // 3
      'add_to_groups steps.3.then.0',
      'update_contact steps.3.then.1',
      'jump 8', // 6: over the else part
      'webhook hook', // 7: elseTarget
      'branch steps.4', // 8
      'emit steps.4.then.0',
      'stop steps.5', // 10: elseTarget of the if without else
    ]);
    expect(program[3]).toMatchObject({ op: 'branch', elseTarget: 7, line: 12, column: 5 });
    expect(program[8]).toMatchObject({ op: 'branch', elseTarget: 10 });
  });

  it('fills in defaults and positions', () => {
    const program = workflow?.program ?? [];
    const workflowRetry = { ...DEFAULT_RETRY, attempts: 5, backoffMs: 30_000 };
    expect(program[0]).toEqual({
      op: 'send_email',
      id: 'steps.0',
      line: 8,
      column: 5,
      retry: workflowRetry,
      subject: 'Welcome ${contact.firstName}',
      text: 'Hi ${EmailAddress}',
    });
    expect(program[1]).toMatchObject({ op: 'wait', durationMs: 2 * 86_400_000 });
    expect(program[2]).toMatchObject({ event: 'emailClicked*', timeoutMs: 3 * 86_400_000 });
    expect(program[5]).toMatchObject({
      set: {
        firstName: 'Ann',
        'fields.plan': 'pro',
        'fields.score': 2,
        'fields.vip': true,
        'fields.old': null,
      },
    });
    expect(program[7]).toMatchObject({
      method: 'POST',
      headers: {},
      timeoutMs: 10_000,
      body: { id: '${ContactId}' },
      retry: { ...workflowRetry, attempts: 1 },
    });
    expect(program[9]).toMatchObject({ op: 'emit', event: 'clicked', params: {} });
  });

  it('uses the built-in retry policy and once by default', () => {
    const { workflow } = compile('name: x\non: a\nsteps:\n  - send_confirmation: {}\n');
    expect(workflow).toMatchObject({ reentry: 'once', cancelOn: [] });
    expect(workflow?.filter).toBeUndefined();
    expect(workflow?.program[0]).toMatchObject({ op: 'send_confirmation', retry: DEFAULT_RETRY });
  });
});

describe('compileWorkflow: errors', () => {
  it('positions a YAML syntax error', () => {
    expect(errorsOf('name: x\non: a\nsteps:\n  - wait: [1d\n  - stop: true\n')).toEqual([
      expect.stringMatching(/^5:\d+: YAML syntax error: /),
    ]);
    expect(errorsOf('name: x\nname: y\n')).toEqual([
      '2:1: YAML syntax error: Map keys must be unique',
    ]);
  });

  it('points at an unknown key', () => {
    expect(errorsOf('name: x\non: a\nstep: []\nsteps:\n  - stop: true\n')).toEqual([
      '3:1: unknown key "step"; expected one of: name, on, if, reentry, cancel_on, retry, tracking, steps',
    ]);
    expect(errorsOf('name: x\non: a\nsteps:\n  - send_email: { subject: s, txt: t }\n')).toEqual([
      '4:17: send_email needs text or html',
      '4:31: unknown key "txt"; expected one of: subject, text, html, to',
    ]);
  });

  it('marks the send_email steps of a workflow with tracking: false, and only then', () => {
    const source = (tracking: string) =>
      `name: x\non: a\n${tracking}steps:\n  - send_email: { subject: s, text: t }\n`;
    const sendEmail = (tracking: string) =>
      compile(source(tracking)).workflow?.program.find((ins) => ins.op === 'send_email');
    expect(sendEmail('tracking: false\n')).toMatchObject({ tracking: false });
    expect(sendEmail('tracking: true\n')).not.toHaveProperty('tracking');
    expect(sendEmail('')).not.toHaveProperty('tracking');
    expect(errorsOf(source('tracking: off-ish\n'))).toEqual([
      '3:11: tracking: expected true or false, got "off-ish"',
    ]);
  });

  it('points at an unknown step action, at its key', () => {
    expect(
      errorsOf('name: x\non: a\nsteps:\n  - wait: 1d\n  - sned_email: { subject: x }\n'),
    ).toEqual([
      expect.stringMatching(
        /^5:5: unknown step action "sned_email"; expected one of: send_email, /,
      ),
    ]);
    expect(errorsOf('name: x\non: a\nsteps:\n  - wait: 1d\n    stop: true\n')).toEqual([
      '5:5: a step has one action and this one already has "wait"; split it into two steps',
    ]);
  });

  it('explains a bad duration', () => {
    const format = 'expected a duration like 30s, 5m, 2h, 2d or 1w';
    expect(errorsOf('name: x\non: a\nsteps:\n  - wait: 30\n  - wait: 2 days\n')).toEqual([
      `4:11: wait: ${format}, got 30`,
      `5:11: wait: ${format}, got "2 days"`,
    ]);
    expect(
      errorsOf('name: x\non: a\nsteps:\n  - webhook: { url: "https://x", timeout: 2m }\n'),
    ).toEqual(['4:43: timeout: at most 60s, got "2m"']);
  });

  it('reports a bad expression or template at its string', () => {
    expect(errorsOf('name: x\non: a\nif: contact.status ==\nsteps:\n  - stop: {}\n')).toEqual([
      '3:5: if: invalid expression: Unexpected token: EOF at character 18 of "contact.status =="',
    ]);
    expect(
      errorsOf('name: x\non: a\nsteps:\n  - send_email: { subject: "Hi ${a +}", text: t }\n'),
    ).toEqual([
      '4:28: subject: invalid template: Unexpected token: EOF at character 9 of "Hi ${a +}"',
    ]);
    expect(
      errorsOf('name: x\non: a\nsteps:\n  - emit: { event: e, params: { a: [ "${x" ] } }\n'),
    ).toEqual(['4:38: invalid template: "${" without a closing "}" at character 1 of "${x"']);
  });

  it('rejects a duplicate step id', () => {
    const source =
      'name: x\non: a\nsteps:\n  - id: a\n    stop: true\n  - if: "true"\n    then:\n      - id: a\n        stop: true\n';
    expect(errorsOf(source)).toEqual(['8:13: duplicate step id "a" (first used on line 4)']);
  });

  it('names a missing key at its map', () => {
    expect(errorsOf('name: x\nsteps:\n  - stop: true\n')).toEqual(['1:1: missing key "on"']);
    expect(errorsOf('name: x\non: a\nsteps:\n  - wait_for: { event: e }\n')).toEqual([
      '4:15: missing key "timeout"',
    ]);
    expect(errorsOf('name: x\non: a\nsteps:\n  - if: "true"\n')).toEqual([
      '4:5: missing key "then"',
    ]);
  });

  it('rejects if-step extras, stray then and empty lists', () => {
    expect(
      errorsOf(
        'name: x\non: a\nsteps:\n  - if: "true"\n    then: [ { stop: true } ]\n    retry: {}\n',
      ),
    ).toEqual(['6:5: unknown key "retry" in an if step; expected one of: if, then, else, id']);
    expect(errorsOf('name: x\non: a\nsteps:\n  - then: [ { stop: true } ]\n')).toEqual([
      '4:5: "then" needs an "if: <condition>" in the same step',
    ]);
    expect(errorsOf('name: x\non: []\nsteps: []\n')).toEqual([
      '2:5: on: expected at least one event',
      '3:8: steps: expected at least one step',
    ]);
  });

  it('rejects a bad name and other value errors', () => {
    expect(
      errorsOf('name: "no spaces"\non: a\nreentry: twice\nsteps:\n  - add_tags: vip\n'),
    ).toEqual([
      '1:7: a name is letters, digits, _ and -, starting with a letter or digit',
      '3:10: reentry: expected once or always, got "twice"',
      '5:15: add_tags: expected a list of names like [Pro], got "vip"',
    ]);
    expect(errorsOf('')).toEqual(['1:1: the file is empty; a workflow needs name, on and steps']);
  });
});
