import { assertRequestPath, encodedPath, exchange, isSuccess, parseJsonAnswer, runtimeFetch } from '../http';
import { errorFromResponse, PROVIDER } from './errors';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | undefined;

export interface RequestOptions {
  /** Query parameters by their plain key (`filter[registration_id]`); undefined values are left out. */
  query?: Record<string, QueryValue>;
  /** Sent as compact JSON. */
  body?: unknown;
}

/**
 * A request exactly as it goes on the wire. Request signing signs METHOD, PATH, QUERY, TIMESTAMP, NONCE
 * and BODY, so these are the very strings sent, never rebuilt later.
 */
export interface PreparedRequest {
  method: HttpMethod;
  url: string;
  /** The path as sent, base path included: `/v1/kyc/customer_profiles`. */
  path: string;
  /** The query as sent, without `?`: encoded pairs sorted by encoded key; '' when there is none. */
  query: string;
  /** The body bytes as sent (compact JSON); '' when there is none. */
  body: string;
}

export interface StraitsxClientOptions {
  /** The provider's base URL including `/v1`, e.g. `https://api-sandbox.straitsx.com/v1`. */
  baseUrl: string;
  apiKey: string;
  /** Applies to the whole exchange, reading the answer included. */
  timeoutMs: number;
  fetchImpl?: typeof fetch;
  /** Headers computed from the prepared request (request signing); added after the standard ones. */
  extraHeaders?: (request: PreparedRequest) => Record<string, string> | Promise<Record<string, string>>;
}

/**
 * RFC 3986 percent-encoding: encodeURIComponent leaves `'()*!` bare, and fetch then encodes `'` itself,
 * so the bytes signed would differ from the bytes sent. Encoding them here makes the two one string.
 */
const encode = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * The query string as StraitsX's signing reference builds it: each key and value percent-encoded
 * (`filter%5Bregistration_id%5D`, space as `%20`), pairs sorted by encoded key, then value.
 */
export function encodeQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const pairs: [string, string][] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) pairs.push([encode(key), encode(String(value))]);
  }
  const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  pairs.sort((a, b) => byCodePoint(a[0], b[0]) || byCodePoint(a[1], b[1]));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** Builds a path from a template, percent-encoding each interpolated value as one segment. */
export const sxPath = encodedPath;

/** Prepares the exact method, URL, path, query and body of a request. */
export function prepareRequest(baseUrl: string, method: HttpMethod, path: string, options: RequestOptions = {}): PreparedRequest {
  assertRequestPath(path);
  const base = new URL(baseUrl);
  const fullPath = `${base.pathname.replace(/\/+$/, '')}${path}`;
  const query = encodeQuery(options.query);
  const body = options.body === undefined ? '' : JSON.stringify(options.body);
  return { method, url: `${base.origin}${fullPath}${query ? `?${query}` : ''}`, path: fullPath, query, body };
}

/**
 * The low-level StraitsX HTTP client: one attempt per call, a timeout on each, every failure mapped to
 * the error taxonomy. Retries belong to the state machine, which sees which errors are retryable.
 */
export class StraitsxClient {
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: StraitsxClientOptions) {
    this.fetchImpl = options.fetchImpl ?? runtimeFetch;
  }

  /** The request that `request` would send, for signing and inspection. */
  prepare(method: HttpMethod, path: string, options: RequestOptions = {}): PreparedRequest {
    return prepareRequest(this.options.baseUrl, method, path, options);
  }

  /** Sends one request and returns the parsed JSON answer, or throws a ProviderError. */
  async request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    const prepared = this.prepare(method, path, options);
    const headers: Record<string, string> = {
      'X-XFERS-APP-API-KEY': this.options.apiKey,
      Accept: 'application/json',
    };
    if (prepared.body !== '') headers['Content-Type'] = 'application/json';
    if (this.options.extraHeaders) Object.assign(headers, await this.options.extraHeaders(prepared));

    const body = prepared.body === '' ? undefined : prepared.body;
    const answer = await exchange(PROVIDER, this.fetchImpl, prepared.url, { method, headers, body }, this.options.timeoutMs);
    const { status, text } = answer;
    const requestId = answer.headers.get('x-request-id') ?? undefined;
    if (!isSuccess(status)) throw errorFromResponse(status, text, requestId);
    return parseJsonAnswer<T>(PROVIDER, status, text, requestId);
  }
}
