import type { MiddlewareObj } from '@middy/core';
import { RETRYABLE_ERRORS } from '../shared/errors';
import { ONBOARDING_ID } from '../shared/ids';
import { logger, metrics } from '../shared/powertools';
import { mutateOnboarding } from '../store/onboardings';
import { nextAttemptBy, policyFromEnv } from './retry-policy';

const RETRYABLE: ReadonlySet<string> = new Set(RETRYABLE_ERRORS);

/** The onboarding id and `$$.State.RetryCount` of a step's input, when it has them. */
function stepOf(event: unknown): { onboardingId: string; retryCount: number } | undefined {
  const input = event as { onboardingId?: unknown; retryCount?: unknown } | undefined;
  if (typeof input?.onboardingId !== 'string' || !ONBOARDING_ID.test(input.onboardingId)) return undefined;
  const retryCount = typeof input.retryCount === 'number' && input.retryCount >= 0 ? Math.floor(input.retryCount) : 0;
  return { onboardingId: input.onboardingId, retryCount };
}

/** Writes on the record that `step` failed with a retryable error and when the workflow tries again. */
export async function noteRetry(onboardingId: string, step: string, retryCount: number, error: string): Promise<void> {
  const next = nextAttemptBy(policyFromEnv(), retryCount);
  await mutateOnboarding(onboardingId, (current) => ({
    ...(current.status === 'ACCEPTED' ? { status: 'IN_PROGRESS' as const } : {}),
    retry: {
      step,
      attempt: retryCount + 1,
      error,
      ...(next ? { nextAttemptBy: next.toISOString() } : {}),
      at: new Date().toISOString(),
    },
  }));
}

/** Forgets the retry note once a provider step went through. */
export async function clearRetry(onboardingId: string): Promise<void> {
  await mutateOnboarding(onboardingId, (current) => (current.retry ? { retry: undefined } : undefined));
}

/**
 * Middleware of the provider-calling steps: on a retryable error the record says which step is being
 * retried, which attempt failed and by when the next one starts, before the error goes back to Step
 * Functions (whose Retry does the waiting); on success the note is cleared.
 */
export function retryNotes(step: string): MiddlewareObj<unknown, unknown> {
  return {
    after: async (request) => {
      const input = stepOf(request.event);
      if (input) await clearRetry(input.onboardingId);
    },
    onError: async (request) => {
      const input = stepOf(request.event);
      const name = request.error?.name;
      if (!input || !name || !RETRYABLE.has(name)) return;
      metrics.addMetric('ProviderCallRetried', 'Count', 1);
      try {
        await noteRetry(input.onboardingId, step, input.retryCount, name);
      } catch (error) {
        // The note is for people; the retry itself must go ahead with the original error.
        logger.warn('retry note not written', { onboardingId: input.onboardingId, step, errorName: (error as Error)?.name });
      }
      logger.info('provider call will be retried', { onboardingId: input.onboardingId, step, errorName: name });
    },
  };
}
