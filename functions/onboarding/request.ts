import type { z } from 'zod';
import { straddleRequestSchema } from '../providers/straddle/request';
import { straitsxRequestSchema } from '../providers/straitsx/request';
import { wallexRequestSchema } from '../providers/wallex/request';
import { parseRequestOrThrow, ValidationFailed } from '../shared/validation';

/** Providers this stack onboards onto. */
export const PROVIDERS = ['straitsx', 'wallex', 'straddle'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** Each provider's request: the customer in the provider's own field names, and its options. */
const REQUEST_SCHEMAS = {
  straitsx: straitsxRequestSchema,
  wallex: wallexRequestSchema,
  straddle: straddleRequestSchema,
} as const satisfies Record<ProviderName, z.ZodType>;

/**
 * The body of `POST /onboardings` and the detail of a `Customer Onboarding Requested` event:
 * the provider, the merchant's own reference, and the customer in the provider's own field names.
 */
export type OnboardingRequest = z.output<(typeof REQUEST_SCHEMAS)[ProviderName]>;

/** Validates an onboarding request against the provider's documented rules. */
export function parseOnboardingRequest(input: unknown): OnboardingRequest {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationFailed([{ path: '', message: 'the body must be a JSON object' }]);
  }
  const provider = (input as { provider?: unknown }).provider;
  const schema =
    typeof provider === 'string' && Object.hasOwn(REQUEST_SCHEMAS, provider)
      ? REQUEST_SCHEMAS[provider as ProviderName]
      : undefined;
  if (!schema) throw new ValidationFailed([{ path: 'provider', message: `provider must be one of: ${PROVIDERS.join(', ')}` }]);
  return parseRequestOrThrow(schema, input);
}

const fold = (value: string) => value.trim().replace(/\s+/g, ' ').toUpperCase();

/**
 * The fields that identify a customer at the provider; with the merchant they make the onboarding id.
 * StraitsX: registrationType + registrationId (its uniqueness rule). Straddle: customer type + e-mail
 * (an e-mail is unique per Straddle account). Wallex: account type + e-mail (a Wallex user is its e-mail).
 */
export function businessKeyOf(request: OnboardingRequest): {
  provider: ProviderName;
  registrationType: string;
  registrationId: string;
} {
  switch (request.provider) {
    case 'straitsx':
      // Upper-cased and space-folded: S1234567A and s1234567a are one person to the provider.
      return {
        provider: request.provider,
        registrationType: request.customer.registrationType,
        registrationId: fold(request.customer.registrationId),
      };
    case 'wallex':
      return {
        provider: request.provider,
        registrationType: request.customer.accountType,
        registrationId: fold(request.customer.email),
      };
    case 'straddle':
      return {
        provider: request.provider,
        registrationType: request.customer.type,
        registrationId: fold(request.customer.email),
      };
  }
}

/** The customer's kind as the record shows it (personal/business, individual/business). */
export function customerKindOf(request: OnboardingRequest): string {
  return businessKeyOf(request).registrationType;
}
