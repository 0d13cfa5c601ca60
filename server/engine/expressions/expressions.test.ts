// CEL conditions and templates: numbers, missing keys, rendering, and positioned errors.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` in plain strings are workflow templates, not mistakes.
import { describe, expect, it } from 'vitest';
import { compileExpression, evaluateCondition, type Scope } from './cel-environment.ts';
import { ExpressionError } from './expression-error.ts';
import { checkTemplate, interpolate } from './templates.ts';

const scope = (over: Partial<Scope> = {}): Scope => ({
  contact: {
    id: 5,
    firstName: 'Ann',
    lastName: null,
    status: 'confirmed',
    fields: { plan: 'pro', age: 19, score: 0.75 },
    groups: ['News'],
  },
  event: { type: 'emailConfirmed-newsletter', createdAt: new Date('2026-01-02T03:04:05Z') },
  steps: {},
  ContactId: 5,
  EmailAddress: 'ann@example.com',
  ...over,
});

const noPlan = scope({ contact: { id: 6, firstName: null, status: 'unconfirmed', fields: {} } });

describe('evaluateCondition', () => {
  it('compares JS numbers with CEL ints and doubles', () => {
    const s = scope();
    expect(evaluateCondition('ContactId == 5', s)).toBe(true);
    expect(evaluateCondition('ContactId == 5.0', s)).toBe(true);
    expect(evaluateCondition('ContactId + 1 == 6', s)).toBe(true);
    expect(evaluateCondition('contact.fields.age > 18', s)).toBe(true);
    expect(evaluateCondition('contact.fields.age >= 19.5', s)).toBe(false);
    expect(evaluateCondition('contact.fields.score > 0.5', s)).toBe(true);
    expect(evaluateCondition('contact.fields.score < 1', s)).toBe(true);
    expect(evaluateCondition('ContactId in [4, 5]', s)).toBe(true);
    expect(evaluateCondition('"News" in contact.groups', s)).toBe(true);
  });

  it('treats a missing key as a failed comparison, and as null for equality', () => {
    expect(evaluateCondition('contact.fields.plan == "pro"', noPlan)).toBe(false);
    expect(evaluateCondition('contact.fields.plan != "pro"', noPlan)).toBe(true);
    expect(evaluateCondition('contact.fields.plan == null', noPlan)).toBe(true);
    expect(evaluateCondition('contact.fields.age > 18', noPlan)).toBe(false);
    expect(evaluateCondition('contact.fields.age <= 18', noPlan)).toBe(false);
    expect(evaluateCondition('"x" in contact.fields.tags', noPlan)).toBe(false);
    expect(evaluateCondition('!(contact.fields.plan == "pro")', noPlan)).toBe(true);
    expect(
      evaluateCondition('contact.nope.deeper == 1 || contact.status == "unconfirmed"', noPlan),
    ).toBe(true);
    expect(evaluateCondition('has(contact.fields.plan)', noPlan)).toBe(false);
    expect(evaluateCondition('has(contact.nope.plan)', noPlan)).toBe(false);
    expect(evaluateCondition('contact.?fields.?plan.orValue("free") == "free"', noPlan)).toBe(true);
    // A key whose value is undefined reads as missing too, and so does an absent event param.
    expect(evaluateCondition('contact.x == 1', scope({ contact: { x: undefined } }))).toBe(false);
    expect(evaluateCondition('EmailAddress == null', scope({ EmailAddress: undefined }))).toBe(
      true,
    );
    expect(interpolate('<${EmailAddress}>', scope({ EmailAddress: undefined }))).toBe('<>');
  });

  it('keeps comparisons inside macros tolerant', () => {
    const s = scope({ items: [{ plan: 'pro' }, {}] });
    expect(evaluateCondition('items.exists(i, i.plan == "pro")', s)).toBe(true);
    expect(evaluateCondition('items.all(i, i.plan == "pro")', s)).toBe(false);
  });

  it('rejects a non-boolean result and other evaluation errors', () => {
    expect(() => evaluateCondition('contact.firstName', scope())).toThrow(
      /condition must be true or false, got string "Ann"/,
    );
    expect(() => evaluateCondition('ContactId', scope())).toThrow(/got int 5/);
    const err = catchError(() => evaluateCondition('contact.firstName > 3', scope()));
    expect(err).toBeInstanceOf(ExpressionError);
    expect(err.code).toBe('evaluation');
    expect(err.message).toMatch(/no such overload/);
  });

  it('compares timestamps', () => {
    expect(evaluateCondition('event.createdAt < timestamp("2026-02-01T00:00:00Z")', scope())).toBe(
      true,
    );
  });
});

describe('compileExpression', () => {
  it('throws a positioned ExpressionError on a syntax error', () => {
    const err = catchError(() => compileExpression('contact.status == == "x"'));
    expect(err).toBeInstanceOf(ExpressionError);
    expect(err.code).toBe('syntax');
    expect(err.offset).toBe(18);
    expect(err.message).toBe(
      'Unexpected token: EQ at character 19 of "contact.status == == \\"x\\""',
    );
  });

  it('throws on type errors it can see before running', () => {
    expect(() => compileExpression('1 + "a"')).toThrow(/no such overload: int \+ string/);
    expect(() => compileExpression('nosuchfn(contact)')).toThrow(/no matching overload/);
  });

  it('returns plain JS values and caches by source', () => {
    const fn = compileExpression('ContactId + 1');
    expect(fn(scope())).toBe(6);
    expect(compileExpression('ContactId + 1')).not.toBe(fn); // wrappers differ, parse is shared
    expect(compileExpression('{"a": [1, 2.5]}')(scope())).toEqual({ a: [1, 2.5] });
    expect(compileExpression('timestamp("2026-01-01T00:00:00Z")')(scope())).toEqual(
      new Date('2026-01-01T00:00:00Z'),
    );
    expect(compileExpression('9007199254740993')(scope())).toBe('9007199254740993');
  });

  it('reports a missing key with code missing_key', () => {
    const err = catchError(() => compileExpression('contact.fields.plan')(noPlan));
    expect(err.code).toBe('missing_key');
    expect(err.message).toMatch(/No such key: plan at character 16/);
  });
});

describe('interpolate', () => {
  it('renders each value kind', () => {
    const s = scope({ tags: [1, 'a'], obj: { b: true }, nothing: null, half: 0.5 });
    expect(interpolate('Hi ${contact.firstName} <${EmailAddress}>', s)).toBe(
      'Hi Ann <ann@example.com>',
    );
    expect(interpolate('#${ContactId} ${half} ${ContactId > 1}', s)).toBe('#5 0.5 true');
    expect(interpolate('[${nothing}][${contact.lastName}]', s)).toBe('[][]');
    expect(interpolate('${event.createdAt}', s)).toBe('2026-01-02T03:04:05.000Z');
    expect(interpolate('${tags} ${obj}', s)).toBe('[1,"a"] {"b":true}');
    expect(interpolate('${duration("90m")}', s)).toBe('5400s');
    expect(interpolate('no placeholders, $5', s)).toBe('no placeholders, $5');
  });

  it('renders a missing key as empty and supports a CEL fallback', () => {
    expect(interpolate('plan: ${contact.fields.plan}.', noPlan)).toBe('plan: .');
    const greeting = 'Hi ${contact.firstName != null ? contact.firstName : "there"}';
    expect(interpolate(greeting, noPlan)).toBe('Hi there');
    expect(interpolate(greeting, scope())).toBe('Hi Ann');
  });

  it('finds the closing brace past strings and nested maps', () => {
    expect(interpolate('${"}"}|${{"a": "{"}["a"]}|${\'\'\'x}\'\'\'}', scope())).toBe('}|{|x}');
  });
});

describe('checkTemplate', () => {
  it('accepts good templates', () => {
    expect(() => checkTemplate('Hi ${contact.firstName}, ${EmailAddress}')).not.toThrow();
  });

  it('positions errors on the whole template', () => {
    const err = catchError(() => checkTemplate('Hello ${contact.firstName +}!'));
    expect(err.offset).toBe(27); // the `}`: the expression ended early
    expect(err.message).toMatch(/^Unexpected token: RBRACE|^Unexpected token: EOF/);
    expect(err.message).toContain('of "Hello ${contact.firstName +}!"');
    expect(() => checkTemplate('Hi ${contact.firstName')).toThrow(
      /"\$\{" without a closing "}" at character 4/,
    );
    expect(() => checkTemplate('Hi ${ }')).toThrow(/empty "\$\{}"/);
  });
});

function catchError(fn: () => unknown): ExpressionError {
  try {
    fn();
  } catch (err) {
    return err as ExpressionError;
  }
  throw new Error('expected an error');
}
