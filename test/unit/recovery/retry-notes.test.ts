import middy from '@middy/core';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { publicView } from '../../../functions/onboarding/record';
import { retryNotes } from '../../../functions/onboarding/retry-notes';
import { providerRetryPolicy } from '../../../functions/onboarding/retry-policy';
import { ProviderInvalidRequest, ProviderUnavailable } from '../../../functions/shared/errors';
import { ID, record, resetCloud, stopCloud, store, stored } from './fixture';

const NOW = new Date('2026-01-15T12:00:00Z');

/** A provider step behind the middleware: each call plays the next outcome. */
function step(outcomes: Array<Error | object>) {
  let call = 0;
  return middy<unknown, unknown>()
    .use(retryNotes('create-profile'))
    .handler(async () => {
      const outcome = outcomes[call++];
      if (outcome instanceof Error) throw outcome;
      return outcome;
    });
}
const context = {} as never;

beforeEach(() => {
  resetCloud();
  vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
  process.env.PROVIDER_RETRY_POLICY = JSON.stringify(providerRetryPolicy());
});
afterAll(async () => {
  vi.useRealTimers();
  delete process.env.PROVIDER_RETRY_POLICY;
  await stopCloud();
});

describe('retry notes of the provider steps', () => {
  it('show the step, the failed attempt and by when the next one starts, while the workflow retries', async () => {
    await store(record({ status: 'ACCEPTED' }));
    const handler = step([new ProviderUnavailable({ provider: 'wallex', httpStatus: 503 })]);

    await expect(handler({ onboardingId: ID, execution: ID, retryCount: 3 }, context)).rejects.toBeInstanceOf(
      ProviderUnavailable,
    );

    const view = publicView(stored());
    expect(view).toMatchObject({
      status: 'IN_PROGRESS',
      waitingFor: 'provider',
      retry: {
        step: 'create-profile',
        attempt: 4,
        error: 'ProviderUnavailable',
        nextAttemptBy: '2026-01-15T12:00:16.000Z',
      },
    });
  });

  it('are cleared once the step goes through', async () => {
    await store(record());
    const handler = step([new ProviderUnavailable({ provider: 'wallex' }), { profileStatus: 'verified' }]);

    await expect(handler({ onboardingId: ID, retryCount: 0 }, context)).rejects.toThrow();
    expect(stored().retry).toBeDefined();
    await expect(handler({ onboardingId: ID, retryCount: 1 }, context)).resolves.toEqual({ profileStatus: 'verified' });

    expect(stored().retry).toBeUndefined();
    expect(publicView(stored()).waitingFor).toBeUndefined();
  });

  it('are not written for an error no retry follows', async () => {
    await store(record());
    const handler = step([new ProviderInvalidRequest({ provider: 'wallex', httpStatus: 422 })]);

    await expect(handler({ onboardingId: ID, retryCount: 0 }, context)).rejects.toBeInstanceOf(ProviderInvalidRequest);
    expect(stored().retry).toBeUndefined();
  });
});
