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
 * Straddle error classification. Every error answer is one envelope:
 * `{response_type: "error", meta: {api_request_id, ...}, error: {status, type, title, detail, items[{reference, detail}]}}`,
 * so the HTTP status decides and `error.type` (e.g. `/field_validation`) becomes the code.
 */

export const PROVIDER = 'straddle';

/** What an error body said; fields are undefined when the body is not the documented envelope. */
export interface StraddleErrorBody {
  /** `error.type` without its leading slash, when it is code-like. */
  type?: string;
  /** `title` and `detail` joined: the provider's text, which may echo submitted values. */
  message?: string;
  /** `items[].reference` values that look like field names or codes; their `detail` is not kept. */
  references: string[];
  requestId?: string;
}

/** A 400 that lists the offending fields: the names only, never what was sent in them. */
export class StraddleInvalidRequest extends ProviderInvalidRequest {
  readonly fields: string[];

  constructor(details: ProviderErrorDetails & { fields: string[] }) {
    super(details);
    this.fields = details.fields;
    // Field names carry no personal data, and an operator reading the execution needs them.
    if (details.fields.length > 0) this.message = `${this.message} (fields: ${details.fields.join(', ')})`;
  }
}

// A reference is a field path or a code; anything else (free text) is dropped rather than risk a value.
const REFERENCE_SHAPE = /^[A-Za-z0-9_.[\]-]{1,100}$/;
const TYPE_SHAPE = /^\/?[a-z0-9_-]{1,60}$/i;

const asText = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
const asRecord = (value: unknown) =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

/** Reads the documented error envelope; anything else gives empty fields. */
export function parseStraddleError(text: string): StraddleErrorBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { references: [] };
  }
  const root = asRecord(json);
  const error = asRecord(root?.error);
  const rawType = asText(error?.type);
  const title = asText(error?.title);
  const detail = asText(error?.detail);
  const items = Array.isArray(error?.items) ? error.items : [];
  const references = items
    .map((item) => asText(asRecord(item)?.reference))
    .filter((ref): ref is string => ref !== undefined && REFERENCE_SHAPE.test(ref));
  return {
    type: rawType && TYPE_SHAPE.test(rawType) ? rawType.replace(/^\//, '').toLowerCase() : undefined,
    message: title && detail ? `${title}: ${detail}` : (title ?? detail),
    references: [...new Set(references)],
    requestId: asText(asRecord(root?.meta)?.api_request_id),
  };
}

// The docs give two 409s for one key: a request still in progress (retry later with the same key) and a
// key reused for a different request (terminal). No machine-readable field tells them apart, so the
// provider's wording decides when it is clear; unclear wording is taken as "in progress", which is
// retryable: the workflow's retries are bounded, and every retry first looks the customer up by
// external_id, so a retry can never create a second customer.
const IN_PROGRESS = /in progress|concurrent|being processed|still processing/i;
const REUSED = /different request|reused|not identical|does not match|mismatch|already (been )?used/i;

function conflict(details: ProviderErrorDetails, message: string | undefined): ProviderError {
  if (message && REUSED.test(message) && !IN_PROGRESS.test(message)) {
    return new ProviderConflict({ ...details, code: 'idempotency_key_reused' });
  }
  return new ProviderUnavailable({ ...details, code: 'idempotency_in_progress' });
}

/** Maps a non-2xx answer to the taxonomy by HTTP status, keeping type, text and api_request_id. */
export function errorFromResponse(status: number, text: string, headerRequestId?: string): ProviderError {
  const body = parseStraddleError(text);
  const details: ProviderErrorDetails = {
    provider: PROVIDER,
    httpStatus: status,
    code: body.type,
    providerMessage: body.message,
    requestId: body.requestId ?? headerRequestId,
  };
  if (status === 400)
    return new StraddleInvalidRequest({ ...details, code: body.type ?? 'bad_request', fields: body.references });
  if (status === 401 || status === 403) return new ProviderAuthFailed(details);
  if (status === 404) return new ProviderInvalidRequest({ ...details, code: 'not_found' });
  if (status === 409) return conflict(details, body.message);
  // 422: well-formed but semantically refused (duplicate email, review decision on a customer not in review).
  if (status === 422)
    return new StraddleInvalidRequest({ ...details, code: body.type ?? 'unprocessable_entity', fields: body.references });
  if (status === 429) return new ProviderRateLimited(details);
  if (status === 408 || status >= 500) return new ProviderUnavailable(details);
  if (status >= 400) return new ProviderInvalidRequest(details);
  // A 1xx/3xx reaching here came from something in front of the provider.
  return new ProviderUnavailable(details);
}
