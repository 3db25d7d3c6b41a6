import type * as z from 'zod/mini';
import type { FieldError } from '../shared/validation';
import type { OnboardingRequest, ProviderName } from './registry';

export type { OnboardingRequest, ProviderName } from './registry';

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

/** What a provider's webhook says, reduced to ids and statuses (each provider's webhook module maps to this). */
export type ProviderUpdate =
  | {
      kind: 'profile';
      profileId: string;
      status: ProfileStatus;
      providerStatus?: string;
      rejection?: { reason?: string; retryable?: boolean };
      /** The provider's own time of the change: an older update never overwrites a newer one. */
      changedAt?: string;
    }
  | { kind: 'account'; accountId: string; status: 'enabled' | 'disabled' | 'pending' }
  | { kind: 'information'; profileId: string; requestId: string; status: string; open: boolean }
  | { kind: 'attention'; profileId: string; reference: string; codes: string[] }
  | { kind: 'bankAccount'; bankAccountId: string; status: string };

/** One webhook delivery as it reached the API, before anything is believed of it. */
export interface WebhookDelivery {
  /** The body exactly as sent: every signature is over these bytes. */
  raw: Buffer;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  /** The `{event}` path segment, for providers that name the callback type in the URL. */
  event?: string;
}

/**
 * Something a provider reports that is not an onboarding's change (a funding, a refund): published on the
 * bus under `eventId`, after the receiver's `confirmNotice` has read it back from the provider. Ids and
 * statuses only, so a notice the rate budget cannot confirm now can be kept and confirmed later.
 */
export interface WebhookNotice {
  kind: 'funding' | 'refund';
  /** The provider's id of the funding or refund. */
  id: string;
  /** The status the notification claimed. */
  notifiedStatus: string;
}

/** What a verified delivery says, in the port's words; a refusal says which HTTP answer it gets. */
export type WebhookParseResult =
  | { success: false; status: 400 | 404; message: string; errors?: FieldError[] }
  | {
      success: true;
      /** The same for every repeat of one transition: deliveries are de-duplicated on it. */
      dedupeKey: string;
      /** Changes to onboardings, applied in order (none for a delivery this stack does not act on). */
      updates: ProviderUpdate[];
      /**
       * Set when the payload proves nothing by itself: a profile update is read again with the adapter's
       * `getProfileStatus` before it is applied, when the profile belongs to an onboarding still running.
       */
      recheckProfiles?: boolean;
      /** Events to publish once (checked before, recorded after): at least once, keyed by `dedupeKey`. */
      notices?: WebhookNotice[];
    };

/**
 * How a provider's webhook is received: one generic handler serves every provider through this, so a new
 * provider brings its own and no handler file.
 */
export interface ProviderWebhook {
  /** The callback types the `{event}` path segment may name; absent when the route has no `{event}`. */
  readonly events?: readonly string[];
  /** Whether the provider documents a JSON Content-Type (then checked after the signature, never before). */
  readonly jsonContentType: boolean;
  /**
   * Checks the delivery on its raw body with the provider's secret (read here). Never throws for a bad
   * delivery; a missing secret is a ConfigurationError. `deliveryId` is the provider's delivery id, if signed.
   */
  verify(delivery: WebhookDelivery): Promise<{ valid: true; deliveryId?: string } | { valid: false }>;
  /** Reads a verified body (parsed JSON) into updates, notices and the dedupe key. */
  parse(body: unknown, context: { event?: string; deliveryId?: string }): WebhookParseResult;
  /** Reads a notice's resource back from the provider: the ids and statuses to publish. Needed when `parse` gives notices. */
  confirmNotice?(notice: WebhookNotice): Promise<Record<string, string | undefined>>;
}

/**
 * The fields that identify a customer at the provider; with the merchant they make the onboarding id.
 * The registration id is folded (see `foldKey`) so that the provider's own notion of "same customer" holds.
 */
export interface BusinessKey {
  registrationType: string;
  registrationId: string;
}

/** Upper-cased and space-folded: S1234567A and s1234567a are one customer to every provider so far. */
export const foldKey = (value: string): string => value.trim().replace(/\s+/g, ' ').toUpperCase();

/** What the infrastructure needs to know of a provider: data only, read by the CDK app and the local stack. */
export interface ProviderDescriptor {
  /** What the operator puts in the provider's secret, as the adapter reads it (shown in the secret's description). */
  secretShape: string;
  /** The provider's sandbox API, the default of the `<name>BaseUrl` context value. */
  defaultBaseUrl: string;
  /** The webhook route under `/webhooks/`: `{event}` when the provider names the callback type in the path. */
  webhookPath: `/webhooks/${string}`;
  /** How the webhook is authenticated, for the API's documentation and cdk-nag's acknowledgement. */
  webhookCheck: string;
  /** Set when the provider signs nothing: only these addresses may call the webhook route. */
  sourceAddresses?: readonly string[];
}

/**
 * Everything the rest of the stack knows of one provider: its request, how a customer is identified, the
 * adapter the workflow steps call, and the descriptor the infrastructure reads. A provider folder exports
 * one of these and the registry lists it.
 */
export interface ProviderDefinition<Name extends string = string, Schema extends z.ZodMiniType = z.ZodMiniType> {
  readonly name: Name;
  /** The body of `POST /onboardings` for this provider, with the provider's documented rules. */
  readonly requestSchema: Schema;
  /** The business key of a valid request. */
  businessKey(request: z.output<Schema>): BusinessKey;
  /** Makes the adapter (once per Lambda container; see the registry). */
  adapter(): ProviderAdapter;
  /** How its webhooks are verified and read (see the generic webhook handler). */
  readonly webhook: ProviderWebhook;
  readonly descriptor: ProviderDescriptor;
}
