import { describe, expect, it } from 'vitest';
import {
  isValidIdempotencyKey,
  STRADDLE_OPERATIONS,
  type StraddleOperation,
  straddleIdempotencyKey,
} from '../../../functions/providers/straddle/idempotency';

const ONB = 'onb_abcdefghijklmnopqrstuvwxyz';
const body = { type: 'individual', name: 'Ron Swanson', external_id: ONB };

describe('Straddle Idempotency-Key', () => {
  it('is 10 to 40 characters for every operation and attempt', () => {
    for (const operation of Object.keys(STRADDLE_OPERATIONS) as StraddleOperation[]) {
      for (const attempt of [0, 9, 10, 99]) {
        const key = straddleIdempotencyKey(ONB, operation, attempt, body);
        expect(isValidIdempotencyKey(key), key).toBe(true);
        expect(key).toMatch(/^[a-z]{2}\d{1,2}-[0-9a-f]{32}$/);
      }
    }
  });

  it('is the same for the same onboarding, operation, attempt and body, in any key order', () => {
    const a = straddleIdempotencyKey(ONB, 'createCustomer', 0, body);
    const b = straddleIdempotencyKey(ONB, 'createCustomer', 0, { external_id: ONB, name: 'Ron Swanson', type: 'individual' });
    expect(a).toBe(b);
    expect(a.startsWith('cc0-')).toBe(true);
  });

  it('is a new key after a 400: the attempt is bumped, or the corrected body differs', () => {
    const spent = straddleIdempotencyKey(ONB, 'createCustomer', 0, body);
    const bumped = straddleIdempotencyKey(ONB, 'createCustomer', 1, body);
    const corrected = straddleIdempotencyKey(ONB, 'createCustomer', 0, { ...body, name: 'Ron Swanson Jr' });
    expect(new Set([spent, bumped, corrected]).size).toBe(3);
    expect(bumped.startsWith('cc1-')).toBe(true);
  });

  it('differs between onboardings and between operations', () => {
    const keys = [
      straddleIdempotencyKey(ONB, 'createCustomer', 0, body),
      straddleIdempotencyKey('onb_other', 'createCustomer', 0, body),
      straddleIdempotencyKey(ONB, 'reviewDecision', 0, body),
    ];
    expect(new Set(keys).size).toBe(3);
  });

  it('refuses an attempt outside 0 to 99, which would not fit 40 characters', () => {
    expect(() => straddleIdempotencyKey(ONB, 'createCustomer', 100)).toThrow(RangeError);
    expect(() => straddleIdempotencyKey(ONB, 'createCustomer', -1)).toThrow(RangeError);
    expect(() => straddleIdempotencyKey(ONB, 'createCustomer', 1.5)).toThrow(RangeError);
  });

  it('knows the documented length bounds', () => {
    expect(isValidIdempotencyKey('x'.repeat(9))).toBe(false);
    expect(isValidIdempotencyKey('x'.repeat(10))).toBe(true);
    expect(isValidIdempotencyKey('x'.repeat(40))).toBe(true);
    expect(isValidIdempotencyKey('x'.repeat(41))).toBe(false);
  });
});
