import * as z from 'zod/mini';
import { straddleOperations } from '../../providers/straddle/operator';
import { ProviderRateLimited } from '../../shared/errors';
import { ONBOARDING_ID } from '../../shared/ids';
import { parseOrThrow } from '../../shared/validation';
import { recordAudit } from '../../store/audit';
import { getOnboarding } from '../../store/onboardings';

export { type AuditEntry, auditTrail } from '../../store/audit';

export const unmaskRequestSchema = z.strictObject({
  onboardingId: z.string().check(z.regex(ONBOARDING_ID, 'onboardingId must be an onboarding id')),
  operator: z.string().check(z.regex(/^[A-Za-z0-9._@:-]{1,128}$/, 'operator must be 1 to 128 letters, digits or . _ @ : -')),
  reason: z
    .string()
    .check(
      z.trim(),
      z.minLength(10, 'reason must say why, in at least 10 characters'),
      z.maxLength(500, 'reason must be at most 500 characters'),
    ),
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
  const customerId = record.providerIds.profileId;
  return (await whenBudgetAllows(() => straddleOperations().getUnmaskedCustomer(customerId))) as unknown as Record<
    string,
    unknown
  >;
}

/**
 * An operator's look runs in the operator's own process (the CLI), not in a Lambda: when the provider's
 * rate budget is full (a burst of onboardings), it waits for the budget's retry-after, a few times, rather
 * than failing a look that is already on record.
 */
async function whenBudgetAllows<T>(call: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof ProviderRateLimited) || error.code !== 'RATE_BUDGET' || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, (error.retryAfterSeconds ?? 1) * 1000));
    }
  }
}
