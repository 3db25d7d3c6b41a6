import * as z from 'zod';
import { straddleOperations } from '../../providers/straddle/operator';
import { ONBOARDING_ID } from '../../shared/ids';
import { parseOrThrow } from '../../shared/validation';
import { recordAudit } from '../../store/audit';
import { getOnboarding } from '../../store/onboardings';

export { type AuditEntry, auditTrail } from '../../store/audit';

export const unmaskRequestSchema = z.strictObject({
  onboardingId: z.string().regex(ONBOARDING_ID, 'onboardingId must be an onboarding id'),
  operator: z.string().regex(/^[A-Za-z0-9._@:-]{1,128}$/, 'operator must be 1 to 128 letters, digits or . _ @ : -'),
  reason: z
    .string()
    .trim()
    .min(10, 'reason must say why, in at least 10 characters')
    .max(500, 'reason must be at most 500 characters'),
});

/**
 * Straddle's unmasked customer (full date of birth, SSN or EIN), for an operator who states why. The
 * use is recorded before the provider is asked, so a look that fails half-way is still on record; the
 * answer goes back to the caller only: it is never logged or stored.
 */
export async function unmaskedStraddleCustomer(input: unknown): Promise<Record<string, unknown>> {
  const { onboardingId, operator, reason } = parseOrThrow(unmaskRequestSchema, input);
  const record = await getOnboarding(onboardingId);
  if (record.provider !== 'straddle' || !record.providerIds.profileId) {
    throw new Error(`onboarding ${onboardingId} has no Straddle customer`);
  }
  await recordAudit(onboardingId, 'unmasked-customer', operator, reason);
  return (await straddleOperations().getUnmaskedCustomer(record.providerIds.profileId)) as unknown as Record<string, unknown>;
}
