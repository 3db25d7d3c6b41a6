import * as z from 'zod/mini';
import { type FieldError, toFieldErrors } from '../../shared/validation';
import type { ProfileStatus } from '../port';
import { toProfileStatus } from './mappers';
import { CUSTOMER_STATUSES, type StraddleCustomerStatus } from './schema';

/**
 * Straddle webhook events: `{event_type, event_id, account_id, data: <the full current resource>}`.
 * Customers send `customer.created.v1` once, and `customer.event.v1` on creation and on every later
 * change (review decisions, refreshes). Both are read here; a receiver subscribed to both sees the
 * creation twice, and de-duplication by status and ordering by time make that harmless.
 * Deliveries can repeat and arrive out of order: de-duplicate on the dedupe key, and apply an event only
 * when it is newer than what is recorded (isNewer), by the resource's own time, never by arrival.
 */

export const STRADDLE_CUSTOMER_EVENTS = ['customer.created.v1', 'customer.event.v1'] as const;
export type StraddleCustomerEventType = (typeof STRADDLE_CUSTOMER_EVENTS)[number];

const isCustomerEvent = (type: string): type is StraddleCustomerEventType =>
  (STRADDLE_CUSTOMER_EVENTS as readonly string[]).includes(type);

const isoTime = z.string().check(z.refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 time'));

/** The envelope; account_id may be absent for direct (non-platform) accounts. */
export const eventEnvelopeSchema = z.object({
  event_type: z.string().check(z.minLength(1)),
  event_id: z.string().check(z.minLength(1)),
  account_id: z.nullish(z.string()),
  data: z.unknown(),
});

/** The customer fields an event is reduced to. Statuses are the documented closed set. */
export const customerEventDataSchema = z
  .object({
    id: z.string().check(z.minLength(1)),
    status: z.enum(CUSTOMER_STATUSES),
    updated_at: z.nullish(isoTime),
    status_details: z.nullish(z.object({ changed_at: z.nullish(isoTime), reason: z.nullish(z.string()) })),
  })
  .check(
    z.refine((data) => data.status_details?.changed_at || data.updated_at, {
      message: 'needs status_details.changed_at or updated_at',
      path: ['updated_at'],
    }),
  );

/** A customer event reduced to ids, statuses and the time of the change: no names, emails or numbers. */
export interface StraddleProfileEvent {
  kind: 'profile';
  eventType: StraddleCustomerEventType;
  eventId: string;
  accountId?: string;
  profileId: string;
  status: ProfileStatus;
  providerStatus: StraddleCustomerStatus;
  /** status_details.changed_at, or updated_at when the customer has no status details. */
  changedAt: string;
  /** The webhook-id header (stable across redeliveries of one message), else the event_id. */
  dedupeKey: string;
}

/** An event of another resource (paykeys, charges): acknowledged and not acted upon. */
export interface StraddleIgnoredEvent {
  kind: 'ignored';
  eventType: string;
  eventId: string;
  dedupeKey: string;
}

export type StraddleWebhookEvent = StraddleProfileEvent | StraddleIgnoredEvent;

/** The outcome of parsing: the normalized event, or the failing fields (paths and rules, no values). */
export type StraddleEventParseResult = { success: true; event: StraddleWebhookEvent } | { success: false; errors: FieldError[] };

const dedupe = (webhookId: string | undefined, eventId: string) => `straddle:${webhookId || eventId}`;

/** Parses a verified webhook body (already JSON-parsed); `webhookId` is the `webhook-id` header. */
export function parseStraddleEvent(body: unknown, webhookId?: string): StraddleEventParseResult {
  const envelope = eventEnvelopeSchema.safeParse(body);
  if (!envelope.success) return { success: false, errors: toFieldErrors(envelope.error) };
  const { event_type: eventType, event_id: eventId, account_id: accountId } = envelope.data;
  const dedupeKey = dedupe(webhookId, eventId);
  if (!isCustomerEvent(eventType)) return { success: true, event: { kind: 'ignored', eventType, eventId, dedupeKey } };

  const data = customerEventDataSchema.safeParse(envelope.data.data);
  if (!data.success) return { success: false, errors: toFieldErrors(data.error, ['data']) };
  const customer = data.data;
  return {
    success: true,
    event: {
      kind: 'profile',
      eventType,
      eventId,
      ...(accountId ? { accountId } : {}),
      profileId: customer.id,
      status: toProfileStatus(customer.status),
      providerStatus: customer.status,
      changedAt: (customer.status_details?.changed_at || customer.updated_at) as string,
      dedupeKey,
    },
  };
}

// Straddle may send more than millisecond precision; Date.parse keeps milliseconds only, so the digits
// beyond them break ties between two changes in the same millisecond.
const subMillis = (time: string) => Number((/\.(\d+)/.exec(time)?.[1] ?? '').padEnd(9, '0').slice(3, 9));

/**
 * True when `a` happened after `b` (or there is no `b`): compares the resource's own change times, so a
 * late delivery of an older change never overwrites a newer one. Equal times are not newer.
 */
export function isNewer(a: { changedAt: string }, b: { changedAt: string } | undefined): boolean {
  if (!b) return true;
  const ta = Date.parse(a.changedAt);
  const tb = Date.parse(b.changedAt);
  if (Number.isNaN(ta)) return false;
  if (Number.isNaN(tb)) return true;
  return ta !== tb ? ta > tb : subMillis(a.changedAt) > subMillis(b.changedAt);
}
