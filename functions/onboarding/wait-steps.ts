import * as z from 'zod/mini';
import { adapterFor } from '../providers/registry';
import { logger, metrics } from '../shared/powertools';
import { parseOrThrow } from '../shared/validation';
import { getOnboarding, mutateOnboarding, timelineEntry } from '../store/onboardings';
import { getPersonalData } from '../store/vault';
import type { OnboardingRequest } from './request';
import { stepInputSchema } from './step-input';
import { clearWaiting, startWaiting } from './waits';

export const waitInputSchema = z.extend(stepInputSchema, {
  waitFor: z.enum(['documents', 'verification', 'account']),
  taskToken: z.string().check(z.minLength(1, 'taskToken is required')),
});

/** Workflow step behind every `.waitForTaskToken` state: parks the token on the record (see waits.ts). */
export async function waitForStep(input: unknown): Promise<{ waitingFor: string }> {
  const { onboardingId, waitFor, taskToken } = parseOrThrow(waitInputSchema, input);
  await startWaiting(onboardingId, waitFor, taskToken);
  metrics.addMetric('WaitStarted', 'Count', 1);
  return { waitingFor: waitFor };
}

export const checkInputSchema = z.extend(stepInputSchema, { check: z.enum(['profile', 'account']) });

/**
 * After a wait timed out, asks the provider where things stand before the workflow gives up: a webhook
 * may have been lost, or the provider may never send one. Answers the status word the workflow's
 * Choice states use.
 */
export async function checkStatusStep(input: unknown): Promise<string> {
  const { onboardingId, check } = parseOrThrow(checkInputSchema, input);
  const record = await getOnboarding(onboardingId);
  await clearWaiting(onboardingId);
  metrics.addMetric('StatusChecked', 'Count', 1);
  const request = await getPersonalData<OnboardingRequest>(record.vaultKey);
  const adapter = await adapterFor(record.provider);
  const profileId = record.providerIds.profileId;
  if (!profileId) throw new Error(`onboarding ${onboardingId} has no profile to check`);

  if (check === 'profile') {
    const requested = record.profileCheckRequestedAt;
    const result = await adapter.getProfileStatus({ onboardingId, request, profileId });
    await mutateOnboarding(onboardingId, (current) => ({
      profileStatus: result.status,
      providerStatus: result.providerStatus,
      ...(result.rejection ? { outcome: { reason: result.rejection.reason, retryable: result.rejection.retryable } } : {}),
      // Answered: a notification that arrived while the provider was being asked stays for the next wait.
      ...(current.profileCheckRequestedAt === requested ? { profileCheckRequestedAt: undefined } : {}),
      timeline: [
        ...current.timeline,
        timelineEntry(
          'check-profile',
          result.status,
          requested ? 'asked the provider after its notification' : 'asked the provider after the wait timed out',
        ),
      ],
    }));
    logger.info('profile checked', { onboardingId, profileStatus: result.status, after: requested ? 'notification' : 'timeout' });
    return result.status;
  }

  const accountId = record.virtualAccount?.id;
  if (!accountId || !adapter.getVirtualAccountStatus) throw new Error(`onboarding ${onboardingId} has no account to check`);
  const account = await adapter.getVirtualAccountStatus({ onboardingId, request, profileId, accountId });
  await mutateOnboarding(onboardingId, (current) => ({
    virtualAccount: current.virtualAccount && {
      ...current.virtualAccount,
      status: account.status,
      accountNo: account.accountNo ?? current.virtualAccount.accountNo,
      bankShortCode: account.bankShortCode ?? current.virtualAccount.bankShortCode,
    },
    timeline: [
      ...current.timeline,
      timelineEntry('check-account', account.status, 'asked the provider after the wait timed out'),
    ],
  }));
  logger.info('account checked after timeout', { onboardingId, accountStatus: account.status });
  return account.status;
}
