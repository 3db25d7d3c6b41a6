import type { StoredCustomer } from './store';

/** How the sandbox shows a customer: masked, summarised, unmasked, and its identity review. */

const masked = (value: unknown, mask: string) => (typeof value === 'string' && value !== '' ? mask : null);

/** compliance_profile as responses show it: dob `****-**-**`, ssn `***-**-****`, ein `**-*******`. */
export function maskCompliance(customer: StoredCustomer): Record<string, unknown> | null {
  const profile = customer.compliance_profile;
  if (!profile) return null;
  if (customer.type === 'individual') return { dob: masked(profile.dob, '****-**-**'), ssn: masked(profile.ssn, '***-**-****') };
  return {
    ein: masked(profile.ein, '**-*******'),
    legal_business_name: profile.legal_business_name ?? null,
    website: profile.website ?? null,
    representatives: profile.representatives ?? null,
  };
}

function base(customer: StoredCustomer) {
  return {
    id: customer.id,
    name: customer.name,
    type: customer.type,
    email: customer.email,
    phone: customer.phone,
    external_id: customer.external_id,
    status: customer.status,
    address: customer.address,
    device: customer.device,
    metadata: customer.metadata,
    config: customer.config,
    created_at: customer.created_at,
    updated_at: customer.updated_at,
  };
}

/** The customer object of every customer endpoint and of events. */
export const customerView = (customer: StoredCustomer) => ({ ...base(customer), compliance_profile: maskCompliance(customer) });

/** `GET /v1/customers/{id}/unmasked`: the compliance profile as submitted. */
export const unmaskedView = (customer: StoredCustomer) => ({
  ...base(customer),
  compliance_profile: customer.compliance_profile ? structuredClone(customer.compliance_profile) : null,
});

/** A list entry. */
export const summaryView = (customer: StoredCustomer) => ({
  id: customer.id,
  name: customer.name,
  type: customer.type,
  email: customer.email,
  phone: customer.phone,
  status: customer.status,
  external_id: customer.external_id,
  created_at: customer.created_at,
  updated_at: customer.updated_at,
});

const DECISION = { verified: 'accept', rejected: 'reject', inactive: 'reject', review: 'review', pending: 'review' } as const;

/** Reason codes of the sandbox's synthetic identities: "identity not found" puts them in review. */
const codesFor = (decision: string) => (decision === 'review' ? ['I1001'] : decision === 'reject' ? ['R201'] : []);

function breakdownEntry(decision: string) {
  return {
    decision,
    risk_score: decision === 'accept' ? 0.05 : decision === 'reject' ? 0.92 : 0.5,
    correlation_score: decision === 'accept' ? 0.95 : 0.4,
    correlation: decision === 'accept' ? 'high_confidence' : 'low_confidence',
    codes: codesFor(decision),
  };
}

/** `GET /v1/customers/{id}/review`: the customer and a synthetic identity verification breakdown. */
export function reviewView(customer: StoredCustomer) {
  const decision = DECISION[customer.status];
  const entry = breakdownEntry(decision);
  const individual = customer.type === 'individual';
  return {
    customer_details: customerView(customer),
    identity_details: {
      review_id: customer.reviewId,
      decision,
      created_at: customer.created_at,
      updated_at: customer.updated_at,
      breakdown: individual
        ? { email: entry, phone: entry, address: entry, fraud: entry, synthetic: entry }
        : { business_identification: entry, business_validation: entry, business_evaluation: entry },
      // The SDK types kyc as an object or absent; a business review has no KYC part, so it is left out.
      ...(individual && {
        kyc: {
          decision,
          codes: codesFor(decision),
          validations: Object.fromEntries(
            ['address', 'city', 'dob', 'email', 'first_name', 'last_name', 'phone', 'ssn', 'state', 'zip'].map((k) => [
              k,
              decision === 'accept',
            ]),
          ),
        },
      }),
      watch_list: { decision: decision === 'reject' ? 'reject' : 'accept', codes: [], matched: [], matches: [] },
      network_alerts: { decision: 'accept', alerts: [], codes: [] },
      messages: decision === 'review' ? { I1001: 'Identity not found within Consortium Institutions' } : {},
    },
  };
}
