import { isProviderName, type OnboardingRequest, PROVIDERS, type ProviderName, providerOf } from '../providers/registry';
import { parseRequestOrThrow, ValidationFailed } from '../shared/validation';

export { type OnboardingRequest, PROVIDERS, type ProviderName } from '../providers/registry';

/** Validates an onboarding request against the provider's documented rules. */
export function parseOnboardingRequest(input: unknown): OnboardingRequest {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationFailed([{ path: '', message: 'the body must be a JSON object' }]);
  }
  const provider = (input as { provider?: unknown }).provider;
  if (!isProviderName(provider)) {
    throw new ValidationFailed([{ path: 'provider', message: `provider must be one of: ${PROVIDERS.join(', ')}` }]);
  }
  return parseRequestOrThrow(providerOf(provider).requestSchema, input) as OnboardingRequest;
}

/**
 * The fields that identify a customer at the provider; with the merchant they make the onboarding id.
 * Each provider says which (see its `businessKey`): StraitsX registrationType + registrationId, Straddle
 * customer type + e-mail, Wallex account type + e-mail.
 */
export function businessKeyOf(request: OnboardingRequest): {
  provider: ProviderName;
  registrationType: string;
  registrationId: string;
} {
  return { provider: request.provider, ...providerOf(request.provider).businessKey(request) };
}

/** The customer's kind as the record shows it (personal/business, individual/business). */
export function customerKindOf(request: OnboardingRequest): string {
  return businessKeyOf(request).registrationType;
}
