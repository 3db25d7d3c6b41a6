import { describe, expect, it } from 'vitest';
import { canonicalJson, onboardingIdFor, requestFingerprint } from '../../../functions/shared/ids';

const KEY = 'k'.repeat(48);

describe('onboarding ids', () => {
  it('is stable for the same business key and fits an execution name', () => {
    const id = onboardingIdFor(KEY, ['default', 'straitsx', 'personal', 'S1234567A']);
    expect(id).toBe(onboardingIdFor(KEY, ['default', 'straitsx', 'personal', 'S1234567A']));
    expect(id).toMatch(/^onb_[a-z2-7]{26}$/);
  });

  it('differs per merchant, per registration type and per key, and does not contain the registration id', () => {
    const base = onboardingIdFor(KEY, ['default', 'straitsx', 'personal', 'S1234567A']);
    expect(onboardingIdFor(KEY, ['other', 'straitsx', 'personal', 'S1234567A'])).not.toBe(base);
    expect(onboardingIdFor(KEY, ['default', 'straitsx', 'business', 'S1234567A'])).not.toBe(base);
    expect(onboardingIdFor('z'.repeat(48), ['default', 'straitsx', 'personal', 'S1234567A'])).not.toBe(base);
    expect(base.toUpperCase()).not.toContain('S1234567A');
  });

  it('fingerprints requests independently of key order', () => {
    expect(requestFingerprint(KEY, { a: 1, b: { c: 2, d: 3 } })).toBe(requestFingerprint(KEY, { b: { d: 3, c: 2 }, a: 1 }));
    expect(requestFingerprint(KEY, { a: 1 })).not.toBe(requestFingerprint(KEY, { a: 2 }));
    expect(canonicalJson({ b: [2, { y: 1, x: 0 }], a: undefined })).toBe('{"b":[2,{"x":0,"y":1}]}');
  });
});
