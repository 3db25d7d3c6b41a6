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

// "natureOfBusiness is missing": the full dotted path leads, then the rule broken; never the value.
function describe(error: FieldError): string {
  if (!error.path) return error.message;
  const leaf = (error.path.split('.').pop() ?? error.path).replace(/\[\d+\]$/, '');
  return error.message.startsWith(`${leaf} `)
    ? `${error.path}${error.message.slice(leaf.length)}`
    : `${error.path} ${error.message}`;
}

// The raw value at a reported path (`directors[0].identityDocuments.passport`), to tell missing from invalid.
function valueAt(body: unknown, path: string): unknown {
  let node = body;
  for (const key of path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== '')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** A failing field of a profile body: its path, the rule broken, and whether it was simply not sent. */
export interface ProfileIssue {
  path: string;
  message: string;
  missing: boolean;
}

/** Every zod issue of a profile body as a profile issue; missing means the body has no value there. */
export function profileIssues(error: z.ZodError | undefined, body: unknown): ProfileIssue[] {
  if (!error) return [];
  return toFieldErrors(error).map((e) => {
    const missing = e.message !== 'is not a documented field' && valueAt(body, e.path) === undefined;
    return { path: e.path, message: missing ? `${e.path} is missing` : describe(e), missing };
  });
}

/**
 * The customer profile endpoint's documented error: a flat `{error, error_code, error_handling}` with
 * XFE15 for a missing field ("natureOfBusiness is missing") and XFE12 for an invalid one. The examples
 * show one field per answer; the sandbox names every failing field in the one `error` text (joined by
 * "; ") so a client learns all of them at once, and answers XFE15 whenever any field is missing, as the
 * request is incomplete whatever else is wrong. The spec shows no `error_handling` text for XFE codes,
 * so it is left empty rather than invented.
 */
export function profileInvalid(issues: readonly ProfileIssue[]): Reply {
  const seen = new Set<string>();
  const unique = issues.filter((i) => !seen.has(i.path) && seen.add(i.path));
  const missing = unique.some((i) => i.missing);
  const error = unique.map((i) => i.message).join('; ') || 'Invalid parameters';
  return { status: 400, body: { error, error_code: missing ? 'XFE15' : 'XFE12', error_handling: '' } };
}

/** The customer profile endpoint's documented "Customer profile not found" (XFE13, flat). */
export const profileNotFound = (): Reply => ({
  status: 404,
  body: { error: 'Customer profile not found', error_code: 'XFE13', error_handling: '' },
});

/** A registration that is already taken. The reference gives no status for XFE16; 400 is what it shows for the other legacy codes. */
export const profileExists = (): Reply => ({
  status: 400,
  body: { error: 'Customer profile already exists', error_code: 'XFE16' },
});

/** True for a JSON object (not an array, not null). */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
