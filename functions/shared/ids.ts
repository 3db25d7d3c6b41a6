import { createHmac } from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** JSON with object keys sorted at every level, so equal data gives equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The shape of an onboarding id (see onboardingIdFor). */
export const ONBOARDING_ID = /^onb_[a-z2-7]{26}$/;

/**
 * The onboarding id: a keyed hash (HMAC-SHA256) of the business key. Keyed, because the business key
 * holds a registration id, and an unkeyed hash of a national id can be reversed by trying them all.
 * 26 base32 characters keep 130 bits; with the prefix it fits an execution name (80 characters).
 */
export function onboardingIdFor(idKey: string, parts: readonly string[]): string {
  const mac = createHmac('sha256', idKey).update(canonicalJson(parts)).digest();
  return `onb_${base32(mac).slice(0, 26)}`;
}

/** A keyed fingerprint of a whole request: tells a repeat (same) from a conflict (different). */
export function requestFingerprint(idKey: string, request: unknown): string {
  return createHmac('sha256', idKey)
    .update(`request:${canonicalJson(request)}`)
    .digest('base64url');
}

/** A short stable token derived from the onboarding id, for provider-side references and keys. */
export function derivedKey(onboardingId: string, purpose: string, length = 32): string {
  return createHmac('sha256', purpose).update(onboardingId).digest('hex').slice(0, length);
}
