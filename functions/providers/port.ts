import type { OnboardingRequest, ProviderName } from '../onboarding/request';

/**
 * The provider's verdict on a customer profile, in the workflow's own words:
 * - `verified`: usable; `rejected`: a business decision, final;
 * - `pending`: the provider is checking, its verdict comes by webhook (or a status check on timeout);
 * - `review`: a human must decide (the operator's review endpoint);
 * - `needs_documents`: the provider asks for (new) documents before it can go on;
 * - `unknown`: a status word the provider never documented: a person must look, it is never approval.
 */
export type ProfileStatus = 'verified' | 'pending' | 'review' | 'rejected' | 'needs_documents' | 'unknown';

export interface ProfileResult {
  profileId: string;
  status: ProfileStatus;
  /** False when an earlier attempt had created it already and it was found again. */
  created: boolean;
  /** The provider's own status word, for the timeline (never personal data). */
  providerStatus?: string;
  rejection?: { reason?: string; retryable?: boolean };
  /**
   * The profile exists but the provider waits for this from us before it screens it: the workflow runs
   * that step next (where the adapter has it), then the ones after it.
   */
  awaiting?: 'details' | 'documents' | 'screening';
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

/** A document slot a provider needs (e.g. `identityDocuments.passport`, `national_identity`). */
export interface DocumentSlot {
  slot: string;
  required: boolean;
}

/** The documents the merchant uploaded to our bucket for this onboarding, as the adapter may use them. */
export interface DocumentAccess {
  /** Slots with a checked upload. */
  uploaded(): string[];
  /** A short-lived URL the provider can fetch the document from. */
  url(slot: string, ttlSeconds: number): Promise<string>;
  /** The bytes and content type, for providers that take an upload. */
  read(slot: string): Promise<{ body: Uint8Array; contentType: string }>;
}

export interface StepContext {
  onboardingId: string;
  request: OnboardingRequest;
}

/**
 * One port, one adapter per provider. Every mutating call is safe to repeat: the adapter looks up what
 * an earlier attempt made, or sends a key the provider de-duplicates on, before it creates anything.
 * Adding a provider adds an adapter; no handler and no workflow step changes.
 */
export interface ProviderAdapter {
  readonly name: ProviderName;
  /** Whether this onboarding ends with a virtual bank account at the provider. */
  needsVirtualAccount(request: OnboardingRequest): boolean;
  /** Documents the provider needs before (or, after a resubmission request, again for) the profile. */
  requiredDocuments(request: OnboardingRequest): DocumentSlot[];
  /**
   * Creates the customer profile, or finds what an earlier attempt created. A provider that takes the
   * details, the documents or the screening as calls of their own says which one it waits for (`awaiting`)
   * and has the methods below; one that takes everything in this call has none of them.
   */
  createProfile(context: StepContext & { documents: DocumentAccess; profileId?: string }): Promise<ProfileResult>;
  /** Sends the profile's details, where the provider takes them apart from the sign-up. */
  submitDetails?(context: StepContext & { profileId: string }): Promise<void>;
  /** Uploads one document (by slot) to the provider, unless the same bytes went up already. */
  uploadDocument?(
    context: StepContext & { profileId: string; slot: string; documents: DocumentAccess },
  ): Promise<{ uploaded: boolean }>;
  /** Starts the screening of the profile with what was sent, unless it was started with the same documents. */
  startScreening?(context: StepContext & { profileId: string }): Promise<ProfileResult>;
  /** Asks the provider where the profile stands (after a wait timed out, or to re-read after a webhook). */
  getProfileStatus(context: StepContext & { profileId: string }): Promise<ProfileResult>;
  /** Creates the virtual bank account for a verified profile, or finds the existing one. */
  createVirtualAccount?(context: StepContext & { profileId: string }): Promise<AccountResult>;
  /** Asks the provider where a pending virtual account stands. */
  getVirtualAccountStatus?(context: StepContext & { profileId: string; accountId: string }): Promise<AccountResult>;
  /** Adds the customer's own bank account to a verified profile (or finds it), where the request carries one. */
  addBankAccount?(
    context: StepContext & { profileId: string; documents: DocumentAccess },
  ): Promise<{ id: string; status: string; created: boolean }>;
  /** Sends fields added to the customer later (e.g. StraitsX's USD-rail fields) to the existing profile. */
  updateProfile?(context: StepContext & { profileId: string; changes: Record<string, unknown> }): Promise<ProfileResult>;
  /** Records an operator's decision on a profile in review, where the provider supports it. */
  decideReview?(
    context: StepContext & { profileId: string; decision: 'verified' | 'rejected'; reason?: string },
  ): Promise<ProfileResult>;
}
