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
 * StraitsX error classification. The provider documents three shapes and uses each on its own endpoints:
 * the error reference's `{"errors":[{error, error_code, error_handling}]}` with STXE codes; a flat
 * `{error, error_code, error_handling}` with legacy XFE codes on the customer profile endpoint (XFE15
 * "natureOfBusiness is missing", XFE12 an invalid field, XFE13 not found); and `{error, info}` on the
 * customer bank account endpoint. The documents disagree on which applies where, so every shape is read
 * on every endpoint. One HTTP status can mean several things, so the `error_code` decides and the status
 * is only the fallback.
 */

export const PROVIDER = 'straitsx';

/** What an error body said, whichever envelope it came in. */
export interface StraitsxErrorBody {
  code?: string;
  message?: string;
  handling?: string;
  /** Paths of the fields the texts name as failing (`natureOfBusiness`, `address.city`); no values. */
  fields: string[];
}

/** A refused request with the paths of the fields the provider named: the names only, never their values. */
export class StraitsxInvalidRequest extends ProviderInvalidRequest {
  readonly fields: string[];

  constructor(details: ProviderErrorDetails & { fields: string[] }) {
    super(details);
    this.fields = details.fields;
    // Field names carry no personal data, and an operator reading the execution needs them.
    if (details.fields.length > 0) this.message = `${this.message} (fields: ${details.fields.join(', ')})`;
  }
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

// A text leading with a field path and a verdict: "natureOfBusiness is missing", "address.city must be ...".
// Field names are camelCase or snake_case; capitalised words ("Customer profile ...") are prose, and a
// segment with a run of digits is more likely a submitted value than a name, so neither is taken.
const FIELD_LEAD =
  /^([a-z][A-Za-z0-9_]*(?:\[[A-Za-z0-9_]+\])*(?:\.[A-Za-z][A-Za-z0-9_]*(?:\[[A-Za-z0-9_]+\])*)*) (?:is|are|must|should|cannot|has|does)\b/;

function fieldsNamed(texts: readonly string[]): string[] {
  const out = new Set<string>();
  for (const text of texts) {
    // One text may name several fields, "; " between them.
    for (const part of text.split(/;\s*/)) {
      const path = FIELD_LEAD.exec(part.trim())?.[1];
      if (path && !/\d{3}/.test(path)) out.add(path);
    }
  }
  return [...out];
}

/** Reads any of the provider's error envelopes; fields are undefined (or empty) when the body is none of them. */
export function parseStraitsxError(text: string): StraitsxErrorBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { fields: [] };
  }
  if (typeof json !== 'object' || json === null) return { fields: [] };
  const root = json as Record<string, unknown>;
  const listed = Array.isArray(root.errors)
    ? root.errors.filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
    : [];
  // The list's entries all count (one per failing field); the first gives the code and handling.
  const entries = listed.length > 0 ? listed : [root];
  const first = entries[0] as Record<string, unknown>;
  const rawCode = asText(first.error_code)?.trim().toUpperCase();
  const texts = entries.map((e) => asText(e.error) ?? asText(e.message)).filter((t): t is string => t !== undefined);
  const message = texts.length > 0 ? texts.join('; ') : undefined;
  const info = asText(first.info);
  return {
    code: rawCode && CODE_SHAPE.test(rawCode) ? rawCode : undefined,
    message: message && info ? `${message} (${info})` : (message ?? info),
    handling: asText(first.error_handling),
    fields: fieldsNamed(texts),
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
  const details = { provider: PROVIDER, httpStatus: status, code: body.code, providerMessage: body.message, requestId };
  // Field names only for a refused request: elsewhere a leading word is prose, not a field.
  if (Class === ProviderInvalidRequest) return new StraitsxInvalidRequest({ ...details, fields: body.fields });
  return new Class(details);
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
