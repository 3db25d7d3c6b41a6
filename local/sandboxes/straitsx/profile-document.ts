import type * as z from 'zod';
import type { Reply } from '../kit';
import { type FieldError, toFieldErrors } from '../kit/field-errors';
import type { StoredProfile } from './store';

/** A profile in the provider's envelope: `{ data: { id, type, attributes } }`. */
export function profileDocument(profile: StoredProfile) {
  return {
    data: {
      id: profile.id,
      type: 'customer_profile',
      attributes: {
        ...profile.attributes,
        verificationStatus: profile.verificationStatus,
        createdAt: profile.createdAt,
        updatedAt: profile.updatedAt,
      },
    },
  };
}

// StraitsX names one field per error ("natureOfBusiness is missing"); lead with the full dotted path.
function describe(error: FieldError): string {
  if (!error.path) return error.message;
  const leaf = (error.path.split('.').pop() ?? error.path).replace(/\[\d+\]$/, '');
  return error.message.startsWith(`${leaf} `)
    ? `${error.path}${error.message.slice(leaf.length)}`
    : `${error.path} ${error.message}`;
}

/** The provider's one-line message for the first failing field of a zod error. */
export function firstFieldMessage(error: z.ZodError): string {
  const [first] = toFieldErrors(error);
  return first ? describe(first) : 'Invalid parameters';
}

/** A registration that is already taken. The reference gives no status for XFE16; 400 is what it shows for the other legacy codes. */
export const profileExists = (): Reply => ({
  status: 400,
  body: { error: 'Customer profile already exists', error_code: 'XFE16' },
});

/** True for a JSON object (not an array, not null). */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
