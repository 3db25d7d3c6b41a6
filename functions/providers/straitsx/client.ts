import { ProviderUnavailable } from '../../shared/errors';
import { errorFromResponse, errorFromTransport, PROVIDER } from './errors';

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

const encode = encodeURIComponent;

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
export function sxPath(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  return strings.reduce((out, part, i) => out + part + (i < values.length ? encode(String(values[i])) : ''), '');
}

/** Prepares the exact method, URL, path, query and body of a request. */
export function prepareRequest(baseUrl: string, method: HttpMethod, path: string, options: RequestOptions = {}): PreparedRequest {
  if (!path.startsWith('/') || path.includes('?')) throw new Error('path must start with / and carry no query string');
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
    // Looked up per call by default, so the runtime's fetch (or a test's replacement) is used.
    this.fetchImpl = options.fetchImpl ?? ((input, init) => fetch(input, init));
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

    let status: number;
    let text: string;
    let requestId: string | undefined;
    try {
      // A reused keep-alive socket can be dead after the Lambda was frozen; that surfaces as a reset,
      // which is retryable, so it is left to the state machine's retry rather than retried here.
      const response = await this.fetchImpl(prepared.url, {
        method,
        headers,
        body: prepared.body === '' ? undefined : prepared.body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = response.status;
      requestId = response.headers.get('x-request-id') ?? undefined;
      text = await response.text();
    } catch (error) {
      throw errorFromTransport(error) ?? error;
    }

    if (status < 200 || status > 299) throw errorFromResponse(status, text, requestId);
    if (text.trim() === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      // A success that is not JSON came from something in front of the provider, not the provider.
      throw new ProviderUnavailable({ provider: PROVIDER, httpStatus: status, requestId, cause: error });
    }
  }
}
