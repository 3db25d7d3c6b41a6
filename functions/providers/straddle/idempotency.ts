import { createHash } from 'node:crypto';
import { canonicalJson, derivedKey } from '../../shared/ids';

/**
 * Straddle's `Idempotency-Key`: 10 to 40 characters, kept about 24 hours. A repeat of the same request
 * under the same key is answered with the original response (`Idempotent-Replayed: true`); the same key
 * with a different path, method or body is a 409; and after a 400 the key is spent, so the corrected
 * request must come with a new key.
 *
 * The key is `<op><attempt>-<32 hex>`, at most 38 characters:
 * - `op`: two letters naming the operation, so one onboarding's create and review decision never share a key;
 * - `attempt`: 0 to 99, a counter the caller bumps to get a fresh key for a corrected request after a
 *   400 (the onboarding record keeps it; the adapter reads it as `idempotencyAttempt`);
 * - 32 hex: derivedKey of the subject (the onboarding id, or the customer id for operator actions),
 *   keyed by operation, attempt and a SHA-256 of the canonical body. The body is part of it so that a
 *   corrected body gets a new key even when nobody bumped the counter (a redrive after a fix), while a
 *   retry of the same body keeps its key and is answered with the replay.
 */

export const STRADDLE_OPERATIONS = {
  createCustomer: 'cc',
  replaceCustomer: 'rc',
  reviewDecision: 'rd',
} as const;

export type StraddleOperation = keyof typeof STRADDLE_OPERATIONS;

export const MAX_IDEMPOTENCY_ATTEMPT = 99;
export const IDEMPOTENCY_KEY_MIN = 10;
export const IDEMPOTENCY_KEY_MAX = 40;

/** True when a key has the length Straddle accepts (10 to 40 characters). */
export const isValidIdempotencyKey = (key: string) => key.length >= IDEMPOTENCY_KEY_MIN && key.length <= IDEMPOTENCY_KEY_MAX;

const bodyDigest = (body: unknown) =>
  createHash('sha256')
    .update(canonicalJson(body ?? null))
    .digest('hex');

/** The Idempotency-Key for one operation on one subject, attempt and body; the same inputs give the same key. */
export function straddleIdempotencyKey(subjectId: string, operation: StraddleOperation, attempt = 0, body?: unknown): string {
  if (!Number.isInteger(attempt) || attempt < 0 || attempt > MAX_IDEMPOTENCY_ATTEMPT) {
    throw new RangeError(`idempotency attempt must be an integer from 0 to ${MAX_IDEMPOTENCY_ATTEMPT}`);
  }
  const op = STRADDLE_OPERATIONS[operation];
  return `${op}${attempt}-${derivedKey(subjectId, `straddle:${op}:${attempt}:${bodyDigest(body)}`, 32)}`;
}
