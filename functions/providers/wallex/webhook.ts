import { createHash, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import { $ZodError } from 'zod/v4/core';
import { ConfigurationError, ProviderUnavailable } from '../../shared/errors';
import { type FieldError, toFieldErrors } from '../../shared/validation';
import type { ProfileStatus } from '../port';
import { wxPath } from './client';
import { PROVIDER } from './errors';
import { isUnknownWallexStatus, recordableStatus, toProfileStatus } from './mappers';
import type { WallexTransport } from './users';

/**
 * Wallex notifications. One subscription URL receives every event; the payload names its `resource` and
 * carries an id and a status only. Wallex documents no signature: the controls are its source IPs and
 * the custom headers the subscription can set, so the receiver checks a secret header
 * (`verifyWallexHeader`), and, since a payload proves nothing by itself, re-reads the resource from the
 * API before acting on it (`getFunding`, `getRefund`, and the adapter's `getProfileStatus` for users).
 * Wallex expects a 200 within 30 s and retries up to 3 times: answer fast, de-duplicate on `dedupeKey`.
 */

/** Looks a header up case-insensitively in Node (lower-cased) or API Gateway (as sent) header maps. */
function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * True when the request carries the subscription's custom header with the expected value. Compared in
 * constant time over digests, so neither the value nor its length leaks through timing.
 */
export function verifyWallexHeader(
  headers: Record<string, string | string[] | undefined>,
  expectedName: string,
  expectedValue: string,
): boolean {
  // An empty secret would let any request through: a deployment fault, not a bad notification.
  if (expectedName === '' || expectedValue === '') throw new ConfigurationError('Wallex webhook header name or value is empty');
  const given = headerValue(headers, expectedName);
  if (typeof given !== 'string' || given === '') return false;
  return timingSafeEqual(digest(given), digest(expectedValue));
}

// Ids and statuses are open strings (the status lists are partly undocumented); anything else is ignored.
const id = z.string().check(z.minLength(1), z.maxLength(128));
const status = z.string().check(z.minLength(1), z.maxLength(64));

const userSchema = z.object({ resource: z.literal('user'), resourceId: id, status });
const fundingSchema = z.object({ resource: z.literal('funding'), fundingId: id, status });
const refundSchema = z.object({ resource: z.literal('simple_payment'), refundId: id, status });
const anySchema = z.object({ resource: z.string().check(z.minLength(1), z.maxLength(64)) });

/** A notification reduced to ids and statuses. `dedupeKey` is the same for a repeat of one transition. */
export type WallexNotification = { dedupeKey: string; resource: string } & (
  | { kind: 'user'; userId: string; status: string; profileStatus: ProfileStatus; unknownStatus: boolean }
  | { kind: 'funding'; fundingId: string; status: string }
  | { kind: 'refund'; refundId: string; status: string }
  /** A resource this service does not act on (payments, collections, ...): acknowledge and drop. */
  | { kind: 'other' }
);

export type NotificationParseResult =
  | { success: true; notification: WallexNotification }
  | { success: false; errors: FieldError[] };

const dedupe = (resource: string, resourceId: string, word: string) => `wallex:${resource}:${resourceId}:${word}`;

function normalize(body: unknown): WallexNotification {
  const { resource } = anySchema.parse(body);
  if (resource === 'user') {
    const u = userSchema.parse(body);
    const word = recordableStatus(u.status);
    return {
      kind: 'user',
      resource,
      userId: u.resourceId,
      status: word,
      profileStatus: toProfileStatus(u.status),
      unknownStatus: isUnknownWallexStatus(u.status),
      dedupeKey: dedupe(resource, u.resourceId, word),
    };
  }
  if (resource === 'funding') {
    const f = fundingSchema.parse(body);
    const word = recordableStatus(f.status);
    return { kind: 'funding', resource, fundingId: f.fundingId, status: word, dedupeKey: dedupe(resource, f.fundingId, word) };
  }
  // A refund's payload names the refunded resource (`simple_payment`) and carries `refundId`.
  if (resource === 'simple_payment' && typeof (body as { refundId?: unknown }).refundId === 'string') {
    const r = refundSchema.parse(body);
    const word = recordableStatus(r.status);
    return {
      kind: 'refund',
      resource,
      refundId: r.refundId,
      status: word,
      dedupeKey: dedupe(`${resource}:refund`, r.refundId, word),
    };
  }
  const raw = body as Record<string, unknown>;
  const anyId = [raw.resourceId, raw.id].find((v): v is string => typeof v === 'string') ?? 'unknown';
  const word = typeof raw.status === 'string' ? recordableStatus(raw.status) : '(none)';
  return {
    kind: 'other',
    resource: recordableStatus(resource),
    dedupeKey: dedupe(recordableStatus(resource), anyId.slice(0, 128), word),
  };
}

/** Parses a notification body (already JSON-parsed) into ids and statuses, or the failing fields. */
export function parseWallexNotification(body: unknown): NotificationParseResult {
  try {
    return { success: true, notification: normalize(body) };
  } catch (error) {
    if (error instanceof $ZodError) return { success: false, errors: toFieldErrors(error) };
    throw error;
  }
}

/** An answer that is not the documented shape did not come from a working provider: retry later. */
function checked<S extends z.ZodMiniType>(schema: S, answer: unknown): z.output<S> {
  const parsed = schema.safeParse(answer);
  if (!parsed.success) throw new ProviderUnavailable({ provider: PROVIDER, code: 'malformed_answer' });
  return parsed.data;
}

/** A funding as `GET /v2/fundings/:fundingId` returns it; amounts are not personal data but are not needed. */
export interface WallexFunding {
  id: string;
  status: string;
  currency?: string;
  reference?: string;
}

const fundingAnswer = z.object({ id, status, currency: z.optional(z.string()), reference: z.optional(z.string()) });

/** Re-reads a funding to confirm a notification's status before acting on it. */
export async function getFunding(client: WallexTransport, fundingId: string): Promise<WallexFunding> {
  const answer = checked(fundingAnswer, await client.request<unknown>('GET', wxPath`/v2/fundings/${fundingId}`));
  return { ...answer, status: recordableStatus(answer.status) };
}

/** A refund as `GET /v2/refunds/:refundId` returns it. The seed's example has no `status`: it may be absent. */
export interface WallexRefund {
  id: string;
  resource?: string;
  resourceId?: string;
  status?: string;
}

const refundAnswer = z.object({
  id,
  resource: z.optional(z.string()),
  resourceId: z.optional(z.string()),
  status: z.optional(status),
});

/** Re-reads a refund before acting on its notification; without a status in the answer, only its existence is confirmed. */
export async function getRefund(client: WallexTransport, refundId: string): Promise<WallexRefund> {
  const answer = checked(refundAnswer, await client.request<unknown>('GET', wxPath`/v2/refunds/${refundId}`));
  return { ...answer, ...(answer.status !== undefined ? { status: recordableStatus(answer.status) } : {}) };
}
