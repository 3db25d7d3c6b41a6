import { ProviderError, ProviderTimeout, ProviderUnavailable } from '../shared/errors';

/**
 * What every provider client shares on the wire: one fetch with a timeout over the whole exchange, the
 * failure to get any answer mapped to the error taxonomy, and a JSON success body read strictly. What a
 * provider's error bodies say, and which status or code means what, stays with the provider.
 */

/** The runtime's fetch, looked up per call, so a test's replacement of the global is used too. */
export const runtimeFetch: typeof fetch = (input, init) => fetch(input, init);

/** Builds a path from a template, percent-encoding each interpolated value as one segment. */
export function encodedPath(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  return strings.reduce((out, part, i) => out + part + (i < values.length ? encodeURIComponent(String(values[i])) : ''), '');
}

/** A programming error, caught before anything is sent: paths are absolute and queries go separately. */
export function assertRequestPath(path: string): void {
  if (!path.startsWith('/') || path.includes('?')) throw new Error('path must start with / and carry no query string');
}

const TIMEOUT_NAMES = new Set(['TimeoutError', 'AbortError']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const NETWORK_MESSAGES = /fetch failed|socket hang up|other side closed|network error|terminated/i;

interface Link {
  name?: string;
  code?: string;
  message?: string;
}

// fetch wraps the socket error in `cause`, sometimes twice: walk the chain a few levels.
function links(error: unknown): Link[] {
  const out: Link[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const e = current as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown };
    out.push({
      name: typeof e.name === 'string' ? e.name : undefined,
      code: typeof e.code === 'string' ? e.code : undefined,
      message: typeof e.message === 'string' ? e.message : undefined,
    });
    current = e.cause;
  }
  return out;
}

/**
 * Maps a failure to get an answer at all: the timeout firing becomes ProviderTimeout (the request may
 * have been applied), a refused, reset or dropped connection ProviderUnavailable. Anything else (a bug,
 * a malformed URL) is not a provider fault and gives undefined, so the caller rethrows it unchanged.
 */
export function errorFromTransport(provider: string, error: unknown): ProviderError | undefined {
  if (error instanceof ProviderError) return error;
  const chain = links(error);
  if (chain.some((l) => (l.name && TIMEOUT_NAMES.has(l.name)) || (l.code && TIMEOUT_CODES.has(l.code)))) {
    return new ProviderTimeout({ provider, cause: error });
  }
  // The socket's own code is the more telling one; fetch's "fetch failed" wrapper only says something broke.
  const coded = chain.find((l) => l.code && NETWORK_CODES.has(l.code));
  if (coded || chain.some((l) => l.message && NETWORK_MESSAGES.test(l.message))) {
    return new ProviderUnavailable({ provider, code: coded?.code, cause: error });
  }
  return undefined;
}

/** An answer read to its end: status, headers and the body as text. */
export interface Exchange {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * Sends one request and reads the whole answer within `timeoutMs`; a failure to get it is thrown as
 * the taxonomy's error (see errorFromTransport), anything else unchanged. Any status is returned.
 */
export async function exchange(
  provider: string,
  fetchImpl: typeof fetch,
  url: string | URL,
  init: Omit<RequestInit, 'signal'>,
  timeoutMs: number,
): Promise<Exchange> {
  try {
    // A reused keep-alive socket can be dead after the Lambda was frozen; that surfaces as a reset,
    // which is retryable, so it is left to the state machine's retry rather than retried here.
    const response = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text };
  } catch (error) {
    throw errorFromTransport(provider, error) ?? error;
  }
}

export const isSuccess = (status: number) => status >= 200 && status <= 299;

/**
 * A successful answer's JSON; undefined for an empty body. A success that is not JSON came from
 * something in front of the provider, not the provider, and is ProviderUnavailable.
 */
export function parseJsonAnswer<T>(provider: string, status: number, text: string, requestId?: string): T {
  if (text.trim() === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new ProviderUnavailable({ provider, httpStatus: status, requestId, cause: error });
  }
}
