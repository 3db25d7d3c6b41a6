import {
  ProviderAuthFailed,
  ProviderConflict,
  type ProviderError,
  type ProviderErrorDetails,
  ProviderInvalidRequest,
  ProviderRateLimited,
  ProviderRejected,
  ProviderUnavailable,
} from '../../shared/errors';

/**
 * StraitsX error classification. The provider answers in three shapes (an `errors` array, a flat
 * object, and `{error, info}`) and one HTTP status can mean several things, so the `error_code` decides
 * and the status is only the fallback.
 */

export const PROVIDER = 'straitsx';

/** What an error body said, whichever envelope it came in. */
export interface StraitsxErrorBody {
  code?: string;
  message?: string;
  handling?: string;
}

type ErrorClass = new (details: ProviderErrorDetails) => ProviderError;

/** Codes meaning "no such record"; callers looking something up may treat these as "absent". */
export const NOT_FOUND_CODES: readonly string[] = ['STXE-5000', 'XFE13'];

const BY_CODE: Record<string, ErrorClass> = {
  'STXE-1000': ProviderAuthFailed,
  'STXE-2000': ProviderAuthFailed,
  // A sandbox-only endpoint called with a live key: the deployment points at the wrong environment.
  'STXE-6000': ProviderAuthFailed,
  XFE5: ProviderAuthFailed,
  XFE6: ProviderAuthFailed,
  'STXE-3000': ProviderInvalidRequest,
  'STXE-5000': ProviderInvalidRequest,
  XFE12: ProviderInvalidRequest,
  XFE13: ProviderInvalidRequest,
  XFE15: ProviderInvalidRequest,
  XFE505: ProviderInvalidRequest,
  XFE506: ProviderInvalidRequest,
  'STXE-4000': ProviderRejected,
  XFE21: ProviderRejected,
  XFE503: ProviderRejected,
  XFE504: ProviderRejected,
  XFE601: ProviderRejected,
  XFE602: ProviderRejected,
  XFE603: ProviderRejected,
  XFE604: ProviderRejected,
  'STXE-7000': ProviderConflict,
  'STXE-9000': ProviderRateLimited,
};

// Only code-like strings reach `message`; anything else in that field stays out of it.
const CODE_SHAPE = /^[A-Z0-9-]{2,20}$/;

const asText = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

/** Reads any of the provider's error envelopes; fields are undefined when the body is not one of them. */
export function parseStraitsxError(text: string): StraitsxErrorBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof json !== 'object' || json === null) return {};
  const root = json as Record<string, unknown>;
  const first =
    Array.isArray(root.errors) && typeof root.errors[0] === 'object' ? (root.errors[0] as Record<string, unknown>) : root;
  const rawCode = asText(first.error_code)?.trim().toUpperCase();
  const message = asText(first.error) ?? asText(first.message);
  const info = asText(first.info);
  return {
    code: rawCode && CODE_SHAPE.test(rawCode) ? rawCode : undefined,
    message: message && info ? `${message} (${info})` : (message ?? info),
    handling: asText(first.error_handling),
  };
}

function classByCode(code: string, message: string | undefined): ErrorClass | undefined {
  // "Invalid State Transition" shares STXE-4000 with final decisions, but the provider says retry later.
  if (code === 'STXE-4000' && message && /invalid state transition/i.test(message)) return ProviderUnavailable;
  // XFE16 means both "already exists" (a duplicate to look up) and "invalid request" (e.g. a bad file URL).
  if (code === 'XFE16') return message && /already exists/i.test(message) ? ProviderConflict : ProviderInvalidRequest;
  if (/^STXE-8[0-9X]{3}$/.test(code)) return ProviderUnavailable;
  return BY_CODE[code];
}

function classByStatus(status: number): ErrorClass {
  if (status === 401 || status === 403) return ProviderAuthFailed;
  if (status === 409) return ProviderConflict;
  if (status === 422) return ProviderRejected;
  if (status === 429) return ProviderRateLimited;
  if (status === 408 || status >= 500) return ProviderUnavailable;
  if (status >= 400) return ProviderInvalidRequest;
  return ProviderUnavailable;
}

/** Maps a non-2xx answer to the taxonomy: by `error_code` first, by HTTP status when there is none. */
export function errorFromResponse(status: number, text: string, requestId?: string): ProviderError {
  const body = parseStraitsxError(text);
  const Class = (body.code && classByCode(body.code, body.message)) || classByStatus(status);
  return new Class({ provider: PROVIDER, httpStatus: status, code: body.code, providerMessage: body.message, requestId });
}

/** True for the provider's "record not found" answers (STXE-5000, XFE13, or a bare 404). */
export function isStraitsxNotFound(error: unknown): boolean {
  if (!(error instanceof ProviderInvalidRequest)) return false;
  return error.code ? NOT_FOUND_CODES.includes(error.code) : error.httpStatus === 404;
}

/** True for XFE16 "already exists": an earlier attempt created the record, so look it up and carry on. */
export function isStraitsxAlreadyExists(error: unknown): boolean {
  return error instanceof ProviderConflict && error.code === 'XFE16';
}
