import type { Reply } from '../kit';

/**
 * StraitsX's error bodies. The provider is not consistent: its error reference documents an `errors`
 * array with STXE codes, the customer profile endpoint documents a flat object with legacy XFE codes
 * (profile-document.ts), and the customer bank account endpoint `{error, info}` (bank-accounts.ts). The
 * sandbox answers each endpoint in the shape its own reference shows, so the client meets all of them;
 * the shapes below serve the endpoints that document the error reference's format.
 */

/** The `error_handling` texts from the provider's error reference. */
export const HANDLING: Record<string, string> = {
  'STXE-1000': 'Check API key is present and correct. Verify IP whitelist.',
  'STXE-3000': 'Check request parameters against the OpenAPI spec.',
  'STXE-4000': 'Context-dependent, see the error message.',
  'STXE-5000': 'Verify resource IDs and parameters.',
  'STXE-7000': 'Use a different idempotency key or check existing records.',
  'STXE-8000': 'Retry with backoff. If persistent, contact support.',
  'STXE-9000': 'Back off and retry after a delay.',
};

/** The documented envelope: `{"errors":[{error, error_code, error_handling}]}`. */
export function errorList(status: number, code: string, error: string): Reply {
  return { status, body: { errors: [{ error, error_code: code, error_handling: HANDLING[code] ?? '' }] } };
}

/** The flat envelope: `{error, error_code, error_handling}`. */
export function flatError(status: number, code: string, error: string): Reply {
  return { status, body: { error, error_code: code, error_handling: HANDLING[code] ?? '' } };
}

/** A validation failure (400 STXE-3000) in the documented envelope. */
export const invalid = (message: string): Reply => errorList(400, 'STXE-3000', message);

/** A missing record (404 STXE-5000) in the documented envelope. */
export const notFound = (what: string): Reply => errorList(404, 'STXE-5000', `${what} not found`);

/** A success with a JSON body. */
export const ok = (body: unknown, status = 200): Reply => ({ status, body });
