import { assertRequestPath, encodedPath, exchange, isSuccess, parseJsonAnswer, runtimeFetch } from '../http';
import { errorFromResponse, PROVIDER } from './errors';
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
export const stPath = encodedPath;

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
    this.fetchImpl = options.fetchImpl ?? runtimeFetch;
  }

  /** Sends one request and returns the unwrapped answer, or throws a ProviderError. */
  async request<T>(method: HttpMethod, path: string, options: StraddleRequestOptions = {}): Promise<StraddleResponse<T>> {
    assertRequestPath(path);
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

    const answer = await exchange(PROVIDER, this.fetchImpl, url, { method, headers, body }, this.options.timeoutMs);
    const { status, text } = answer;
    const replayed = answer.headers.get('idempotent-replayed')?.toLowerCase() === 'true';
    const headerRequestId = answer.headers.get('request-id') ?? undefined;

    if (!isSuccess(status)) throw errorFromResponse(status, text, headerRequestId);
    return unwrap<T>(status, text, replayed, headerRequestId);
  }
}

function unwrap<T>(status: number, text: string, replayed: boolean, headerRequestId?: string): StraddleResponse<T> {
  const json = parseJsonAnswer<unknown>(PROVIDER, status, text, headerRequestId) ?? { response_type: 'none' };
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
