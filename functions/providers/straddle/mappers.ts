import * as z from 'zod/mini';
import { ProviderUnavailable } from '../../shared/errors';
import type { ProfileResult, ProfileStatus } from '../port';
import { PROVIDER } from './errors';
import type { StraddleCustomer } from './schema';

/**
 * What the adapter reads of a customer: id, status and timestamps. Straddle's answers carry far more
 * (name, email, masked compliance data), and none of it is kept here. The status is read as a plain
 * string so an unknown word waits (pending) instead of failing a step that has already succeeded.
 */
export const customerStatusSchema = z.object({
  id: z.string().check(z.minLength(1)),
  status: z.string().check(z.minLength(1)),
  updated_at: z.nullish(z.string()),
  status_details: z.nullish(z.object({ changed_at: z.nullish(z.string()), reason: z.nullish(z.string()) })),
});

export type CustomerStatusView = z.infer<typeof customerStatusSchema>;

/** Reads id and status out of a customer (or a list summary); a malformed answer is the provider's fault. */
export function readCustomer(data: unknown, requestId?: string): CustomerStatusView {
  const parsed = customerStatusSchema.safeParse(data);
  if (!parsed.success) {
    throw new ProviderUnavailable({ provider: PROVIDER, code: 'malformed_response', requestId, cause: parsed.error });
  }
  return parsed.data;
}

/** Straddle's customer status in the workflow's words; `inactive` ends like a rejection. */
export function toProfileStatus(status: string): ProfileStatus {
  switch (status) {
    case 'verified':
      return 'verified';
    case 'review':
      return 'review';
    case 'rejected':
    case 'inactive':
      return 'rejected';
    default:
      // `pending` (checks running) and any word not documented: wait for the event or the next status check.
      return 'pending';
  }
}

// status_details.reason is a closed machine-readable set (e.g. failed_verification), never free text.
const REASON_SHAPE = /^[a-z_]{1,60}$/;

/** Maps a customer to the port's result. */
export function toProfileResult(customer: CustomerStatusView, created: boolean): ProfileResult {
  const status = toProfileStatus(customer.status);
  const result: ProfileResult = { profileId: customer.id, status, created, providerStatus: customer.status };
  if (customer.status === 'inactive') result.rejection = { reason: 'inactive' };
  else if (status === 'rejected') {
    const reason = customer.status_details?.reason;
    result.rejection = { reason: reason && REASON_SHAPE.test(reason) ? reason : 'rejected' };
  }
  return result;
}

/** The `POST /v1/customers` body: the validated customer plus our onboarding id as external_id. */
export function toCreateBody(customer: StraddleCustomer, onboardingId: string): Record<string, unknown> {
  return { ...customer, external_id: onboardingId };
}
