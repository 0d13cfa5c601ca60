// Step failures are classified by type, once: permanent ones fail the run, the rest are retried.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { ExpressionError } from './expressions/expression-error.ts';
import { PermanentStepError, RetryableStepError, toStepError } from './step-errors.ts';
import { WebhookError } from './steps/webhook.ts';

describe('toStepError', () => {
  it('classifies by type, not by name', () => {
    const expr = new ExpressionError('bad', { code: 'evaluation', expression: 'x' });
    expect(toStepError(expr)).toBeInstanceOf(PermanentStepError);
    expect(toStepError(new ValidationError([{ field: 'email', message: 'bad' }]))).toBeInstanceOf(
      PermanentStepError,
    );
    const spoofed = Object.assign(new Error('looks permanent'), { name: 'ExpressionError' });
    expect(toStepError(spoofed)).toBeInstanceOf(RetryableStepError);
  });

  it('keeps a webhook’s own verdict and its Retry-After', () => {
    const later = new WebhookError('answered 503', { retryable: true, retryAfterMs: 7000 });
    expect(toStepError(later)).toMatchObject({
      message: 'webhook: answered 503',
      retryAfterMs: 7000,
    });
    expect(toStepError(later)).toBeInstanceOf(RetryableStepError);
    expect(toStepError(new WebhookError('answered 302', { retryable: false }))).toBeInstanceOf(
      PermanentStepError,
    );
  });
});
