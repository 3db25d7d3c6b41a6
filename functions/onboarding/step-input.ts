import * as z from 'zod/mini';
import { ONBOARDING_ID } from '../shared/ids';
import { FINAL_STATUSES, type OnboardingRecord } from './record';

/** What every workflow step receives: ids only. */
export const stepInputSchema = z.object({
  onboardingId: z.string().check(z.regex(ONBOARDING_ID, 'onboardingId must be an onboarding id')),
  execution: z.optional(z.string()),
});

export const isFinal = (record: OnboardingRecord) => FINAL_STATUSES.includes(record.status);

export const finishInputSchema = z.extend(stepInputSchema, {
  outcome: z.enum(['COMPLETED', 'REJECTED', 'NEEDS_ATTENTION', 'FAILED']),
  state: z.optional(
    z.looseObject({ error: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })) }),
  ),
});
