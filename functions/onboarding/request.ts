import { isProviderName, type OnboardingRequest, PROVIDERS, type ProviderName, providerOf } from '../providers/registry';
import { parseRequestOrThrow, ValidationFailed } from '../shared/validation';

export { type OnboardingRequest, PROVIDERS, type ProviderName } from '../providers/registry';

/** Validates an onboarding request against the provider's documented rules (loading that provider only). */
export async function parseOnboardingRequest(input: unknown): Promise<OnboardingRequest> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationFailed([{ path: '', message: 'the body must be a JSON object' }]);
  }
  const provider = (input as { provider?: unknown }).provider;
  if (!isProviderName(provider)) {
    throw new ValidationFailed([{ path: 'provider', message: `provider must be one of: ${PROVIDERS.join(', ')}` }]);
  }
  return parseRequestOrThrow((await providerOf(provider)).requestSchema, input) as OnboardingRequest;
}

/**
 * The fields that identify a customer at the provider; with the merchant they make the onboarding id.
 * Each provider says which (see its `businessKey`): StraitsX registrationType + registrationId, Straddle
 * customer type + e-mail, Wallex account type + e-mail.
 */
export async function businessKeyOf(request: OnboardingRequest): Promise<{
  provider: ProviderName;
  registrationType: string;
  registrationId: string;
}> {
  return { provider: request.provider, ...(await providerOf(request.provider)).businessKey(request) };
}

/** The customer's kind as the record shows it (personal/business, individual/business). */
export async function customerKindOf(request: OnboardingRequest): Promise<string> {
  return (await businessKeyOf(request)).registrationType;
}
