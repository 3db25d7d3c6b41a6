import type { AccountResult, ProfileResult, ProfileStatus } from '../port';
import type { StraitsxCustomer } from './schema';

/** A customer profile as StraitsX returns it: `{ data: { id, type, attributes } }`. */
export interface StraitsxProfileDocument {
  data: {
    id: string;
    type: string;
    attributes: {
      registrationId?: string;
      registrationType?: string;
      verificationStatus?: string;
      isRetryable?: boolean;
      verificationRejectionSummary?: string;
    };
  };
}

/** A virtual bank account as StraitsX returns it. */
export interface StraitsxVirtualAccountDocument {
  data: {
    id: string;
    type: string;
    attributes: {
      referenceId: string;
      currency?: string;
      status?: string;
      instructions?: { bankShortCode?: string; accountNo?: string };
    };
  };
}

/** The create-profile body: StraitsX takes the customer's fields flat, named as we validated them. */
export function toProfileBody(customer: StraitsxCustomer): Record<string, unknown> {
  return { ...customer, registrationId: customer.registrationId.trim() };
}

/**
 * The reason recorded for a StraitsX rejection. Its `verificationRejectionSummary` is free text written
 * about the person, so it stays with the provider: the record and events carry this code and
 * `retryable` only.
 */
export const STRAITSX_REJECTED = 'rejected by StraitsX verification';

/** StraitsX's verificationStatus in the workflow's words; anything unknown waits rather than passes. */
export function toProfileStatus(value: string | undefined): ProfileStatus {
  switch (value) {
    case 'verified':
      return 'verified';
    case 'rejected':
      return 'rejected';
    default:
      return 'pending';
  }
}

/** Maps a profile document to the port's result. */
export function toProfileResult(doc: StraitsxProfileDocument, created: boolean): ProfileResult {
  const status = toProfileStatus(doc.data.attributes.verificationStatus);
  return {
    profileId: doc.data.id,
    status,
    created,
    ...(status === 'rejected' ? { rejection: { retryable: doc.data.attributes.isRetryable, reason: STRAITSX_REJECTED } } : {}),
  };
}

/** True when a listed profile is the one for this customer (StraitsX's uniqueness rule). */
export function sameCustomer(
  doc: StraitsxProfileDocument,
  customer: { registrationType: string; registrationId: string },
): boolean {
  const a = doc.data.attributes;
  const norm = (s: string | undefined) => (s ?? '').trim().replace(/\s+/g, ' ').toUpperCase();
  return a.registrationType === customer.registrationType && norm(a.registrationId) === norm(customer.registrationId);
}

/** The create-virtual-account body (JSON:API style, as the reference documents it). */
export function toVirtualAccountBody(
  referenceId: string,
  profileId: string,
  options: { currency: string; network: string },
): Record<string, unknown> {
  return {
    data: {
      attributes: { referenceId, currency: options.currency, bankShortCode: 'FAZZ', network: options.network },
      relationships: { customerProfile: { data: { id: profileId } } },
    },
  };
}

/** Maps a virtual account document to the port's result. SGD accounts carry instructions at once. */
export function toAccountResult(doc: StraitsxVirtualAccountDocument, created: boolean): AccountResult {
  const a = doc.data.attributes;
  const declared = a.status?.toLowerCase();
  const status: AccountResult['status'] =
    declared === 'disabled' ? 'disabled' : declared === 'pending' ? 'pending' : a.instructions?.accountNo ? 'enabled' : 'pending';
  return {
    id: doc.data.id,
    referenceId: a.referenceId,
    currency: (a.currency ?? 'SGD').toUpperCase(),
    status,
    accountNo: a.instructions?.accountNo,
    bankShortCode: a.instructions?.bankShortCode,
    created,
  };
}
