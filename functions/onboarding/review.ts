import * as z from 'zod/mini';
import { adapterFor } from '../providers/registry';
import { logger } from '../shared/powertools';
import { Refusal } from '../shared/refusals';
import { parseRequestOrThrow } from '../shared/validation';
import { recordDecisionAudit } from '../store/audit';
import { findOnboarding, mutateOnboarding, timelineEntry } from '../store/onboardings';
import { getPersonalData } from '../store/vault';
import type { OnboardingRecord } from './record';
import type { OnboardingRequest } from './request';
import { resumeIfReady } from './waits';

export const reviewDecisionSchema = z.strictObject({
  decision: z.enum(['verified', 'rejected'], 'decision must be verified or rejected'),
  reason: z.optional(
    z
      .string()
      .check(z.trim(), z.minLength(1, 'reason must not be empty'), z.maxLength(500, 'reason must be at most 500 characters')),
  ),
  /** Who decided: an operator id, kept on the record for the audit trail. */
  operator: z.optional(
    z.string().check(z.regex(/^[A-Za-z0-9._@:-]{1,128}$/, 'operator must be 1 to 128 letters, digits or . _ @ : -')),
  ),
});

export class ReviewNotPossible extends Refusal {
  override readonly name = 'ReviewNotPossible';
  constructor(statusCode: 404 | 409, message: string) {
    super(statusCode, message);
  }
}

/**
 * An operator's decision on a profile in review: recorded at the provider (Straddle: PATCH review), then
 * on the record, and the waiting execution resumes with the verdict. Only a profile in review can be
 * decided; the provider refuses the rest as well.
 */
export async function decideReview(onboardingId: string, input: unknown): Promise<OnboardingRecord> {
  const { decision, reason, operator } = parseRequestOrThrow(reviewDecisionSchema, input);
  const record = await findOnboarding(onboardingId);
  if (!record) throw new ReviewNotPossible(404, 'No onboarding with this id.');
  const adapter = await adapterFor(record.provider);
  if (!adapter.decideReview) throw new ReviewNotPossible(409, `${record.provider} profiles are not reviewed by operators.`);
  // A repeat of a decision that took effect (its answer was lost, the provider's webhook told us) is
  // answered as the first one would have been, so an operator's tool can retry safely.
  if (record.profileStatus === decision && record.providerIds.profileId) {
    // The first call may have died before its audit write: the decision is audited once either way.
    await recordDecisionAudit(onboardingId, `review-${decision}`, operator ?? 'unknown', reason ?? '(no reason given)');
    await resumeIfReady(record);
    return record;
  }
  if (record.profileStatus !== 'review' || !record.providerIds.profileId) {
    throw new ReviewNotPossible(409, `The profile is ${record.profileStatus ?? 'not created yet'}, not in review.`);
  }
  const request = await getPersonalData<OnboardingRequest>(record.vaultKey);
  const result = await adapter.decideReview({ onboardingId, request, profileId: record.providerIds.profileId, decision, reason });
  // Who decided and why is operators' free text: it goes to the audit trail, not the record or events.
  await recordDecisionAudit(onboardingId, `review-${decision}`, operator ?? 'unknown', reason ?? '(no reason given)');
  const updated = await mutateOnboarding(onboardingId, (current) => ({
    profileStatus: result.status,
    ...(result.status === 'rejected' ? { outcome: { reason: 'rejected in review', retryable: false } } : {}),
    timeline: [...current.timeline, timelineEntry('review', result.status, 'operator decision')],
  }));
  logger.info('review decided', { onboardingId, decision: result.status });
  await resumeIfReady(updated);
  return updated;
}
