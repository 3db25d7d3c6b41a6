import type { OnboardingRequest, ProviderName } from '../onboarding/request';

/** The provider's verdict on a customer profile, in the workflow's own words. */
export type ProfileStatus = 'verified' | 'pending' | 'review' | 'rejected';

export interface ProfileResult {
  profileId: string;
  status: ProfileStatus;
  /** False when an earlier attempt had created it already and it was found again. */
  created: boolean;
  rejection?: { reason?: string; retryable?: boolean };
}

export interface AccountResult {
  id: string;
  referenceId: string;
  currency: string;
  status: 'enabled' | 'pending' | 'disabled';
  accountNo?: string;
  bankShortCode?: string;
  created: boolean;
}

export interface StepContext {
  onboardingId: string;
  request: OnboardingRequest;
}

/**
 * One port, one adapter per provider. Every mutating call is safe to repeat: the adapter looks up what
 * an earlier attempt made, or sends a key the provider de-duplicates on, before it creates anything.
 */
export interface ProviderAdapter {
  readonly name: ProviderName;
  /** Whether this onboarding ends with a virtual bank account at the provider. */
  needsVirtualAccount(request: OnboardingRequest): boolean;
  /** Creates the customer profile, or finds the one an earlier attempt created. */
  createProfile(context: StepContext): Promise<ProfileResult>;
  /** Creates the virtual bank account for a verified profile, or finds the existing one. */
  createVirtualAccount(context: StepContext & { profileId: string }): Promise<AccountResult>;
}
