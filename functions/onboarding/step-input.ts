import * as z from 'zod';
import { ONBOARDING_ID } from '../shared/ids';
import { FINAL_STATUSES, type OnboardingRecord } from './record';

/** What every workflow step receives: ids only. */
export const stepInputSchema = z.object({
  onboardingId: z.string().regex(ONBOARDING_ID, 'onboardingId must be an onboarding id'),
  execution: z.string().optional(),
});

export const isFinal = (record: OnboardingRecord) => FINAL_STATUSES.includes(record.status);

export const finishInputSchema = stepInputSchema.extend({
  outcome: z.enum(['COMPLETED', 'REJECTED', 'NEEDS_ATTENTION', 'FAILED']),
  state: z
    .object({ error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional() })
    .passthrough()
    .optional(),
});
