import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import { $ZodError } from 'zod/v4/core';
import { ConfigurationError } from '../../shared/errors';
import { type FieldError, toFieldErrors } from '../../shared/validation';

/**
 * StraitsX callbacks. Each is a POST of JSON signed with `Xfers-Signature` = lowercase hex
 * HMAC-SHA256(signing secret, raw body). The payload names no event: the event is known only from the
 * URL it was registered under, so the receiver passes the event name in. There is no timestamp or nonce,
 * so replays are caught by de-duplication (the dedupe key) and not by the signature.
 */

/** The header carrying the callback signature. */
export const STRAITSX_SIGNATURE_HEADER = 'Xfers-Signature';

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/**
 * True when the header holds the HMAC-SHA256 of the raw body under the secret. Compared in constant
 * time; a missing or malformed header is false without comparing.
 */
export function verifyStraitsxSignature(rawBody: string | Buffer, signatureHeader: string | undefined, secret: string): boolean {
  // An empty key would let anyone compute a valid signature: a deployment fault, not a bad callback.
  if (secret === '') throw new ConfigurationError('StraitsX callback signing secret is empty');
  if (typeof signatureHeader !== 'string' || !HEX_SHA256.test(signatureHeader)) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(signatureHeader, 'hex');
  // The regex fixes the length already; timingSafeEqual throws on unequal lengths, so check regardless.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The callback events this service understands (the provider has more; they are not subscribed). */
export const STRAITSX_CALLBACK_EVENTS = [
  'cpVerificationStatusUpdated',
  'virtualAccountStatusUpdated',
  'cpRfiStatusUpdated',
  'paymentStatusUpdated',
  'cpbaVerificationStatusUpdated',
] as const;

export type StraitsxCallbackEvent = (typeof STRAITSX_CALLBACK_EVENTS)[number];

/** True for an event name this module can parse. */
export const isStraitsxCallbackEvent = (name: string): name is StraitsxCallbackEvent =>
  (STRAITSX_CALLBACK_EVENTS as readonly string[]).includes(name);

// Statuses are closed enums as documented: an unknown value fails the parse (the provider retries and an
// operator sees it) rather than being silently read as something else. Other fields are ignored.
const id = z.string().check(z.minLength(1));

/** cpVerificationStatusUpdated: the profile document, camelCase, JSON:API style. */
export const profileCallbackSchema = z.object({
  data: z.object({
    id,
    attributes: z.object({
      verificationStatus: z.enum(['pending', 'verified', 'rejected']),
      isRetryable: z.nullish(z.boolean()),
      verificationRejectionSummary: z.nullish(z.string()),
    }),
  }),
});

/** virtualAccountStatusUpdated: the account document. */
export const virtualAccountCallbackSchema = z.object({
  data: z.object({ id, attributes: z.object({ referenceId: id, status: z.enum(['enabled', 'disabled']) }) }),
});

/** cpRfiStatusUpdated: the RFI document; the status is the active request's. */
export const rfiCallbackSchema = z.object({
  data: z.object({
    id,
    attributes: z.object({
      customerProfileId: id,
      activeRfiRequest: z.object({ status: z.enum(['sent', 'received', 'completed', 'expired']) }),
    }),
  }),
});

/** paymentStatusUpdated: flat snake_case; blocked_reasons lists why a pending payment is held. */
export const paymentCallbackSchema = z.object({
  id,
  status: z.enum(['pending', 'completed', 'refunded']),
  blocked_reasons: z.nullish(z.array(z.string())),
  customer_profile_id: z.nullish(z.string()),
});

/** cpbaVerificationStatusUpdated: flat snake_case bank account with an integer id. */
export const bankAccountCallbackSchema = z.object({
  id: z.number().check(z.int(), z.nonnegative()),
  verification_status: z.enum(['pending', 'verified', 'rejected']),
});

interface Normalized {
  event: StraitsxCallbackEvent;
  /** event + resource id + status: the same transition delivered twice has the same key. */
  dedupeKey: string;
}

/** A callback reduced to ids and statuses (and the provider's rejection summary): no names, numbers or documents. */
export type StraitsxCallback = Normalized &
  (
    | {
        kind: 'profile';
        profileId: string;
        status: 'pending' | 'verified' | 'rejected';
        isRetryable?: boolean;
        rejectionSummary?: string;
      }
    | { kind: 'virtualAccount'; accountId: string; referenceId: string; status: 'enabled' | 'disabled' }
    | { kind: 'rfi'; rfiId: string; profileId: string; status: 'sent' | 'received' | 'completed' | 'expired' }
    | {
        kind: 'payment';
        paymentId: string;
        profileId?: string;
        status: 'pending' | 'completed' | 'refunded';
        blockedReasons: string[];
      }
    | { kind: 'bankAccount'; bankAccountId: number; status: 'pending' | 'verified' | 'rejected' }
  );

const dedupe = (event: string, resourceId: string | number, status: string) => `${event}:${resourceId}:${status}`;

const normalizers: { [E in StraitsxCallbackEvent]: (body: unknown) => StraitsxCallback } = {
  cpVerificationStatusUpdated: (body) => {
    const { id: profileId, attributes: a } = profileCallbackSchema.parse(body).data;
    const event = 'cpVerificationStatusUpdated';
    return {
      event,
      kind: 'profile',
      profileId,
      status: a.verificationStatus,
      ...(a.isRetryable != null ? { isRetryable: a.isRetryable } : {}),
      // The summary is the provider's free text: keep it on the record, never in a log line.
      ...(a.verificationRejectionSummary != null ? { rejectionSummary: a.verificationRejectionSummary } : {}),
      dedupeKey: dedupe(event, profileId, a.verificationStatus),
    };
  },
  virtualAccountStatusUpdated: (body) => {
    const { id: accountId, attributes: a } = virtualAccountCallbackSchema.parse(body).data;
    const event = 'virtualAccountStatusUpdated';
    return {
      event,
      kind: 'virtualAccount',
      accountId,
      referenceId: a.referenceId,
      status: a.status,
      dedupeKey: dedupe(event, accountId, a.status),
    };
  },
  cpRfiStatusUpdated: (body) => {
    const { id: rfiId, attributes: a } = rfiCallbackSchema.parse(body).data;
    const event = 'cpRfiStatusUpdated';
    const status = a.activeRfiRequest.status;
    return { event, kind: 'rfi', rfiId, profileId: a.customerProfileId, status, dedupeKey: dedupe(event, rfiId, status) };
  },
  paymentStatusUpdated: (body) => {
    const p = paymentCallbackSchema.parse(body);
    const event = 'paymentStatusUpdated';
    return {
      event,
      kind: 'payment',
      paymentId: p.id,
      ...(p.customer_profile_id ? { profileId: p.customer_profile_id } : {}),
      status: p.status,
      blockedReasons: p.blocked_reasons ?? [],
      dedupeKey: dedupe(event, p.id, p.status),
    };
  },
  cpbaVerificationStatusUpdated: (body) => {
    const b = bankAccountCallbackSchema.parse(body);
    const event = 'cpbaVerificationStatusUpdated';
    return {
      event,
      kind: 'bankAccount',
      bankAccountId: b.id,
      status: b.verification_status,
      dedupeKey: dedupe(event, b.id, b.verification_status),
    };
  },
};

/** The outcome of parsing: the normalized callback, or the failing fields (paths and rules, no values). */
export type CallbackParseResult = { success: true; callback: StraitsxCallback } | { success: false; errors: FieldError[] };

/** Parses a callback body (already JSON-parsed) for the event its URL was registered under. */
export function parseStraitsxCallback(event: StraitsxCallbackEvent, body: unknown): CallbackParseResult {
  try {
    return { success: true, callback: normalizers[event](body) };
  } catch (error) {
    if (error instanceof $ZodError) return { success: false, errors: toFieldErrors(error) };
    throw error;
  }
}
