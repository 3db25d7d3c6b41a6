import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_OUTAGE,
  HISTORY_EVENT_BUDGET,
  inlineNumbers,
  nextAttemptBy,
  providerRetryPolicy,
  type RetryPolicy,
  retryHistoryEvents,
  retryingSteps,
  retryPlaceholders,
} from '../../../functions/onboarding/retry-policy';

/** The longest pause before each retry: interval times backoff to the power of the retries so far, capped. */
const maxPauses = (policy: RetryPolicy) =>
  Array.from({ length: policy.maxAttempts }, (_, n) =>
    Math.min(policy.intervalSeconds * policy.backoffRate ** n, policy.maxDelaySeconds),
  );
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

describe('provider retry policy', () => {
  it('waits out the default six-hour outage on average with full jitter, in pauses of five minutes at most', () => {
    const policy = providerRetryPolicy();
    const pauses = maxPauses(policy);

    expect(policy).toMatchObject({ intervalSeconds: 2, backoffRate: 2, maxDelaySeconds: 300 });
    // Full jitter draws each pause between 0 and its maximum: on average half of it.
    expect(sum(pauses) / 2).toBeGreaterThanOrEqual(DEFAULT_OUTAGE.outageHours * 3600);
    expect(sum(pauses) / 2).toBeLessThan(DEFAULT_OUTAGE.outageHours * 3600 + policy.maxDelaySeconds * 4);
  });

  it.each([
    [1, 60],
    [24, 900],
  ])('scales to an outage of %i hours with pauses of %i s at most', (outageHours, maxDelaySeconds) => {
    const policy = providerRetryPolicy({ outageHours, maxDelaySeconds });
    expect(Math.max(...maxPauses(policy))).toBe(maxDelaySeconds);
    expect(sum(maxPauses(policy)) / 2).toBeGreaterThanOrEqual(outageHours * 3600);
  });

  it('says by when the next attempt starts, and that none does once the attempts are spent', () => {
    const policy = providerRetryPolicy();
    const now = new Date('2026-01-15T12:00:00Z');
    expect(nextAttemptBy(policy, 0, now)?.toISOString()).toBe('2026-01-15T12:00:02.000Z');
    expect(nextAttemptBy(policy, 3, now)?.toISOString()).toBe('2026-01-15T12:00:16.000Z');
    expect(nextAttemptBy(policy, 20, now)?.toISOString()).toBe('2026-01-15T12:05:00.000Z');
    expect(nextAttemptBy(policy, policy.maxAttempts, now)).toBeUndefined();
  });

  it('writes numbers in place of quoted numeric placeholders and leaves every other placeholder', () => {
    const policy = providerRetryPolicy();
    const placeholder = (name: string) => ['$', '{', name, '}'].join('');
    const text =
      `{"MaxAttempts": "${placeholder('ProviderRetryMaxAttempts')}", "FunctionName": "${placeholder('CreateProfileFunctionArn')}",` +
      ` "Note": "${placeholder('ProviderRetryMaxDelaySeconds')} s"}`;

    const inlined = JSON.parse(inlineNumbers(text, retryPlaceholders(policy)));

    expect(inlined).toEqual({
      MaxAttempts: policy.maxAttempts,
      FunctionName: placeholder('CreateProfileFunctionArn'),
      Note: `${placeholder('ProviderRetryMaxDelaySeconds')} s`,
    });
  });
  it('keeps the default policy well inside the history limit of every workflow', () => {
    const policy = providerRetryPolicy();
    for (const name of ['onboarding', 'connect-migration']) {
      const steps = retryingSteps(readFileSync(`workflows/${name}.asl.json`, 'utf8'));
      expect(steps).toBeGreaterThan(0);
      expect(retryHistoryEvents(policy, steps)).toBeLessThan(HISTORY_EVENT_BUDGET / 4);
    }
    expect(policy.maxAttempts).toBe(152);
  });
});
