import { z } from 'zod';
import { straitsxCustomerSchema, straitsxVirtualAccountSchema } from '../providers/straitsx/schema';
import { parseOrThrow, ValidationFailed } from './validation';

/** Providers this stack onboards onto. */
export const PROVIDERS = ['straitsx'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

const merchantRef = z
  .string()
  .regex(/^[A-Za-z0-9._:\-]{1,191}$/, 'merchantRef must be 1 to 191 letters, digits or . _ : -');

/**
 * The body of `POST /onboardings` and the detail of a `Customer Onboarding Requested` event:
 * the provider, the merchant's own reference, and the customer in the provider's own field names.
 */
export const onboardingRequestSchema = z.discriminatedUnion(
  'provider',
  [
    z.strictObject({
      provider: z.literal('straitsx'),
      merchantRef,
      customer: straitsxCustomerSchema,
      virtualAccount: straitsxVirtualAccountSchema.default({ currency: 'SGD', network: 'fast' }),
    }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? `provider must be one of: ${PROVIDERS.join(', ')}` : undefined) },
);

export type OnboardingRequest = z.infer<typeof onboardingRequestSchema>;

/** Validates an onboarding request against the provider's documented rules. */
export function parseOnboardingRequest(input: unknown): OnboardingRequest {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationFailed([{ path: '', message: 'the body must be a JSON object' }]);
  }
  return parseOrThrow(onboardingRequestSchema, input);
}

/** The fields that identify a customer at the provider: they make the onboarding id. */
export function businessKeyOf(request: OnboardingRequest): { provider: ProviderName; registrationType: string; registrationId: string } {
  return {
    provider: request.provider,
    registrationType: request.customer.registrationType,
    // Upper-cased and space-folded: S1234567A and s1234567a are one person to the provider.
    registrationId: request.customer.registrationId.trim().replace(/\s+/g, ' ').toUpperCase(),
  };
}
