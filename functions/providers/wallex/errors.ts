import {
  ProviderAuthFailed,
  ProviderConflict,
  type ProviderError,
  type ProviderErrorDetails,
  ProviderInvalidRequest,
  ProviderRateLimited,
  ProviderUnavailable,
} from '../../shared/errors';

/**
 * Wallex error classification. Wallex documents status codes only (400 bad request, 401 missing or
 * invalid Authorization with `authentication_failed`, 403 missing or invalid X-Api-Key); the error body's
 * field names are not documented, so the body is read tolerantly and the status decides. Any text the
 * body holds stays on `providerMessage`: it may echo submitted values.
 */

export const PROVIDER = 'wallex';

/** The 401 code Wallex documents for a missing, invalid or expired token. */
export const AUTHENTICATION_FAILED = 'authentication_failed';

/** Codes that may appear in an error's `code` (and so in its message); anything else is left out. */
const KNOWN_CODES = new Set([AUTHENTICATION_FAILED, 'NOT_AUTHORIZED', 'not_found', 'missing_fields']);
// A code-shaped value from a field named like a code (`code`, `error_code`, `errorCode`).
const CODE_SHAPE = /^[A-Za-z]+(?:_[A-Za-z]+)+$/;

const asText = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/** What an error body said, whatever its shape; undefined fields when it said nothing usable. */
export function parseWallexError(text: string): { code?: string; message?: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { message: asText(text)?.slice(0, 500) };
  }
  if (typeof json !== 'object' || json === null) return {};
  const root = json as Record<string, unknown>;
  const first =
    Array.isArray(root.errors) && typeof root.errors[0] === 'object' && root.errors[0] !== null
      ? (root.errors[0] as Record<string, unknown>)
      : {};
  const message = asText(root.message) ?? asText(root.error) ?? asText(first.message) ?? asText(root.error_description);
  const named = asText(root.code) ?? asText(root.error_code) ?? asText(root.errorCode) ?? asText(first.code);
  let code: string | undefined;
  if (named && (KNOWN_CODES.has(named) || CODE_SHAPE.test(named)) && named.length <= 40) code = named;
  // The documented 401 body carries the code as its message.
  else if (message && KNOWN_CODES.has(message)) code = message;
  return { code, message };
}

type ErrorClass = new (details: ProviderErrorDetails) => ProviderError;

function classByStatus(status: number): ErrorClass {
  if (status === 401 || status === 403) return ProviderAuthFailed;
  if (status === 409) return ProviderConflict;
  if (status === 429) return ProviderRateLimited;
  if (status === 408 || status >= 500) return ProviderUnavailable;
  if (status >= 400) return ProviderInvalidRequest;
  return ProviderUnavailable;
}

/** Maps a non-2xx answer of the Wallex API to the taxonomy; 404 becomes ProviderInvalidRequest `not_found`. */
export function errorFromResponse(status: number, text: string, requestId?: string): ProviderError {
  const body = parseWallexError(text);
  const code = status === 404 ? 'not_found' : status === 401 ? (body.code ?? AUTHENTICATION_FAILED) : body.code;
  const Class = classByStatus(status);
  return new Class({ provider: PROVIDER, httpStatus: status, code, providerMessage: body.message, requestId });
}

/** True for a 401 `authentication_failed`: the token is missing, invalid or expired, so a new one may help. */
export function isTokenRejected(error: unknown): boolean {
  return error instanceof ProviderAuthFailed && error.httpStatus === 401;
}

/** True for Wallex's "no such record" (404). */
export function isWallexNotFound(error: unknown): boolean {
  return error instanceof ProviderInvalidRequest && error.code === 'not_found';
}

/**
 * The user detail still lacks fields "required for kyc screening". The message lists the field names
 * (never values), so an operator reading the execution sees what to fix; the name stays the taxonomy's.
 */
export class WallexMissingFields extends ProviderInvalidRequest {
  readonly missingFields: string[];
  constructor(fields: readonly unknown[], details: Omit<ProviderErrorDetails, 'provider' | 'code'> = {}) {
    // Only identifier-shaped names are repeated; anything else from the provider is summarised.
    const names = fields.filter((f): f is string => typeof f === 'string' && /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(f));
    super({ ...details, provider: PROVIDER, code: 'missing_fields', providerMessage: names.join(', ') });
    this.missingFields = names;
    this.message = `${this.message}: ${names.length > 0 ? names.join(', ') : 'unnamed fields'}`;
  }
}

/** S3's answer to the document upload: the error `Code` from its XML body, if any. */
function s3Code(text: string): string | undefined {
  const match = /<Code>([A-Za-z]{1,64})<\/Code>/.exec(text);
  return match?.[1];
}

/**
 * Maps a refused upload to the presigned URL. An expired URL is retryable (the next attempt asks Wallex
 * for a new one); a signature mismatch or a refused file is not: the same request would fail again.
 */
export function errorFromUpload(status: number, text: string): ProviderError {
  const s3 = s3Code(text);
  const expired = s3 === 'AccessDenied' && /expired/i.test(text);
  if (expired) return new ProviderUnavailable({ provider: PROVIDER, httpStatus: status, code: 'upload_url_expired' });
  if (status === 429 || s3 === 'SlowDown') return new ProviderRateLimited({ provider: PROVIDER, httpStatus: status, code: s3 });
  if (status >= 500 || status === 408) return new ProviderUnavailable({ provider: PROVIDER, httpStatus: status, code: s3 });
  const code = s3 === 'SignatureDoesNotMatch' ? 'upload_signature_mismatch' : 'upload_refused';
  return new ProviderInvalidRequest({ provider: PROVIDER, httpStatus: status, code, providerMessage: s3 });
}
