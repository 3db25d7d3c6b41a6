import { ProviderUnavailable } from '../../shared/errors';
import { errorFromResponse, errorFromTransport, PROVIDER } from './errors';
import { isValidIdempotencyKey } from './idempotency';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | undefined | readonly string[];

/** `meta` of every answer: the request id to quote to Straddle, and paging on lists. */
export interface StraddleMeta {
  api_request_id?: string;
  api_request_timestamp?: string;
  page_number?: number;
  page_size?: number;
  max_page_size?: number;
  total_items?: number;
  total_pages?: number;
  sort_by?: string;
  sort_order?: 'asc' | 'desc';
}

/** A successful answer, unwrapped from `{meta, response_type, data}`. */
export interface StraddleResponse<T> {
  data: T;
  meta: StraddleMeta;
  responseType: string;
  httpStatus: number;
  /** True when Straddle answered a repeated Idempotency-Key with the original response. */
  replayed: boolean;
  requestId?: string;
}

export interface StraddleRequestOptions {
  /** Array values are sent comma-separated (`status=review,verified`), as Straddle's SDK sends them. */
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Required on POST, PUT, PATCH and DELETE: every mutating call is safe to repeat. */
  idempotencyKey?: string;
}

export interface StraddleClientOptions {
  /** `https://sandbox.straddle.com` or `https://production.straddle.com`; paths carry `/v1`. */
  baseUrl: string;
  apiKey: string;
  /** Applies to the whole exchange, reading the answer included. */
  timeoutMs: number;
  /** Platforms acting for an embedded account send it as `Straddle-Account-Id`. */
  accountId?: string;
  fetchImpl?: typeof fetch;
}

const MUTATING = new Set<HttpMethod>(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Builds a path from a template, percent-encoding each interpolated value as one segment. */
export function stPath(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  return strings.reduce((out, part, i) => out + part + (i < values.length ? encodeURIComponent(String(values[i])) : ''), '');
}

/** The query string without `?`; undefined values are left out and arrays joined with commas. */
export function encodeQuery(query: Record<string, QueryValue> | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      if (value.length > 0) params.append(key, value.join(','));
    } else {
      params.append(key, String(value));
    }
  }
  return params.toString();
}

/**
 * The low-level Straddle HTTP client: Bearer auth, one attempt per call with a timeout, the envelope
 * unwrapped and every failure mapped to the error taxonomy. Retries belong to the state machine.
 */
export class StraddleClient {
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: StraddleClientOptions) {
    // Looked up per call by default, so the runtime's fetch (or a test's replacement) is used.
    this.fetchImpl = options.fetchImpl ?? ((input, init) => fetch(input, init));
  }

  /** Sends one request and returns the unwrapped answer, or throws a ProviderError. */
  async request<T>(method: HttpMethod, path: string, options: StraddleRequestOptions = {}): Promise<StraddleResponse<T>> {
    if (!path.startsWith('/') || path.includes('?')) throw new Error('path must start with / and carry no query string');
    const key = options.idempotencyKey;
    // Programming errors, caught before anything is sent: a mutating call without a valid key is unsafe to retry.
    if (MUTATING.has(method) && key === undefined) throw new Error(`${method} ${path} needs an Idempotency-Key`);
    if (key !== undefined && !isValidIdempotencyKey(key)) throw new Error('Idempotency-Key must be 10 to 40 characters');

    const base = new URL(this.options.baseUrl);
    const query = encodeQuery(options.query);
    const url = `${base.origin}${base.pathname.replace(/\/+$/, '')}${path}${query ? `?${query}` : ''}`;
    const headers: Record<string, string> = { Authorization: `Bearer ${this.options.apiKey}`, Accept: 'application/json' };
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (key !== undefined) headers['Idempotency-Key'] = key;
    if (this.options.accountId) headers['Straddle-Account-Id'] = this.options.accountId;

    let status: number;
    let text: string;
    let replayed: boolean;
    let headerRequestId: string | undefined;
    try {
      // A reused keep-alive socket can be dead after the Lambda was frozen; that surfaces as a reset,
      // which is retryable, so it is left to the state machine's retry rather than retried here.
      const response = await this.fetchImpl(url, { method, headers, body, signal: AbortSignal.timeout(this.options.timeoutMs) });
      status = response.status;
      replayed = response.headers.get('idempotent-replayed')?.toLowerCase() === 'true';
      headerRequestId = response.headers.get('request-id') ?? undefined;
      text = await response.text();
    } catch (error) {
      throw errorFromTransport(error) ?? error;
    }

    if (status < 200 || status > 299) throw errorFromResponse(status, text, headerRequestId);
    return unwrap<T>(status, text, replayed, headerRequestId);
  }
}

function unwrap<T>(status: number, text: string, replayed: boolean, headerRequestId?: string): StraddleResponse<T> {
  let json: unknown;
  try {
    json = text.trim() === '' ? { response_type: 'none' } : JSON.parse(text);
  } catch (error) {
    // A success that is not JSON came from something in front of the provider, not the provider.
    throw new ProviderUnavailable({ provider: PROVIDER, httpStatus: status, requestId: headerRequestId, cause: error });
  }
  const root = (typeof json === 'object' && json !== null ? json : {}) as {
    meta?: StraddleMeta;
    response_type?: unknown;
    data?: T;
  };
  const meta = typeof root.meta === 'object' && root.meta !== null ? root.meta : {};
  return {
    data: root.data as T,
    meta,
    responseType: typeof root.response_type === 'string' ? root.response_type : 'none',
    httpStatus: status,
    replayed,
    requestId: meta.api_request_id ?? headerRequestId,
  };
}
