// Expressions cannot freeze or exhaust the process: static limits at compile time, a budget at run time.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` in plain strings are workflow templates, not mistakes.
import { describe, expect, it } from 'vitest';
import { compileWorkflow } from '../definition/compile.ts';
import { checkExpression, compileExpression, evaluateCondition } from './cel-environment.ts';
import { ExpressionError } from './expression-error.ts';
import { interpolate } from './templates.ts';

const scope = { contact: {}, event: {}, steps: {} };
const list = (n: number) => `[${Array.from({ length: n }, (_, i) => i).join(',')}]`;
const l200 = list(200);

function failure(fn: () => unknown): ExpressionError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ExpressionError);
    return err as ExpressionError;
  }
  throw new Error('expected an ExpressionError');
}

describe('static limits, checked when a workflow loads', () => {
  it('refuses three comprehensions nested in each other, but not a chain of them', () => {
    const nested = `${list(3)}.all(x, ${list(3)}.exists(y, ${list(3)}.all(z, x + y + z >= 0)))`;
    expect(failure(() => checkExpression(nested))).toMatchObject({
      code: 'limit',
      summary: expect.stringMatching(/nest 3 deep; at most 2/),
    });
    expect(() =>
      checkExpression('[1, 2].map(x, x * 2).filter(y, y > 2).all(z, z > 0)'),
    ).not.toThrow();
    expect(() => checkExpression('[1].all(x, [2].all(y, x < y))')).not.toThrow();
  });

  it('refuses long sources and large literals', () => {
    expect(failure(() => checkExpression(`"${'a'.repeat(2_100)}" == ""`)).summary).toMatch(
      /at most 2000 characters/,
    );
    expect(failure(() => checkExpression(`${list(300)}.size() > 0`))).toMatchObject({
      code: 'limit',
      summary: expect.stringMatching(/maxListElements/),
    });
  });

  it('reports a limit as a definition error at file:line:column', () => {
    const nested = `${list(30)}.all(x, ${list(30)}.all(y, ${list(30)}.all(z, x + y + z >= 0)))`;
    const { workflow, errors } = compileWorkflow(
      'hostile.yaml',
      `name: hostile\non: subscribeFromApi*\nif: '${nested}'\nsteps:\n  - stop: true\n`,
    );
    expect(workflow).toBeUndefined();
    expect(errors).toEqual([
      expect.objectContaining({
        file: 'hostile.yaml',
        line: 3,
        column: 5,
        message: expect.stringMatching(/^if: invalid expression: comprehensions .* nest 3 deep/),
      }),
    ]);
  });
});

describe('the evaluation budget', () => {
  it('ends a loop of loops with a clear error instead of running for seconds', () => {
    const heavy = `${l200}.all(x, ${l200}.all(y, x + y >= 0))`;
    expect(failure(() => evaluateCondition(heavy, scope))).toMatchObject({
      code: 'limit',
      summary: expect.stringMatching(/exceeded its evaluation budget of 100000 steps/),
    });
    // `exists` and `||` absorb errors in CEL; a spent budget is not absorbed.
    const absorbed = `${l200}.exists(x, ${l200}.exists(y, x + y < 0)) || true`;
    expect(failure(() => evaluateCondition(absorbed, scope)).code).toBe('limit');
  });

  it('ends an expression that builds a huge value before the heap fills', () => {
    const build = compileExpression(`${l200}.map(x, ${l200}.map(y, y))`);
    expect(failure(() => build(scope)).code).toBe('limit');
    const long = { ...scope, contact: { bio: 'x'.repeat(600_000) } };
    expect(failure(() => compileExpression('contact.bio + contact.bio')(long)).summary).toMatch(
      /built a string longer than 1000000 characters/,
    );
  });

  it('gives every evaluation its own budget, templates included', () => {
    const light = `${l200}.all(x, x >= 0)`;
    for (let i = 0; i < 50; i++) expect(evaluateCondition(light, scope)).toBe(true);
    expect(failure(() => interpolate(`Hi \${${l200}.map(x, ${l200}.map(y, y))}`, scope)).code).toBe(
      'limit',
    );
  });
});
