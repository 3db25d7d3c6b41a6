import { randomUUID } from 'node:crypto';
import { ProviderInvalidRequest, ProviderUnavailable } from '../../shared/errors';
import { type IssuedToken, memoryTokenStore, type TokenStore } from '../../store/token-cache';
import { assertRequestPath, encodedPath, exchange, isSuccess, parseJsonAnswer, runtimeFetch } from '../http';
import { errorFromResponse, errorFromUpload, isTokenRejected, PROVIDER } from './errors';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * How the token goes in `Authorization`. The "Getting Started v2" page sends it raw
 * (`Authorization: <token>`); the newer Partner API docs use `Bearer <token>`. Which one the merchant's
 * credentials expect depends on the generation Wallex enabled for them.
 */
export type AuthScheme = 'raw' | 'bearer';

/** The token lifetime Wallex documents: 8 hours from issue. */
export const WALLEX_TOKEN_TTL_SECONDS = 8 * 3600;

export interface WallexClientOptions {
  /** The API origin, e.g. `https://api-demo.wallex.asia`; paths carry their own version (`/v2/...`). */
  baseUrl: string;
  apiKey: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Applies to each API exchange, reading the answer included. */
  timeoutMs: number;
  /** Applies to a document upload; keep it well under the URL's 5 minutes. Default 60 s. */
  uploadTimeoutMs?: number;
  /** Default `raw`, as the seed page documents. */
  authScheme?: AuthScheme;
  /** Default `/users/v1/authenticate` (seed page); the newer docs name `/v2/authenticate`. */
  authPath?: string;
  /** Default 8 hours; Wallex returns no expiry with the token. */
  tokenTtlSeconds?: number;
  /** Where tokens are kept between calls; default one process's memory. */
  tokens?: TokenStore;
  /** Runs before every API request, the login included (the shared rate budget). Not before uploads. */
  beforeRequest?: () => Promise<void>;
  fetchImpl?: typeof fetch;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
}

/** Builds a path from a template, percent-encoding each interpolated value as one segment. */
export const wxPath = encodedPath;

/**
 * The headers a presigned upload URL was signed with, with the values to send. Under SigV4 every header
 * named in `X-Amz-SignedHeaders` must be sent with the value it was signed with, or S3 answers 403
 * SignatureDoesNotMatch. Wallex's sample URLs sign `host;x-amz-storage-class` and do not say which storage
 * class: a value carried in the URL's own query is used, else `STANDARD` (S3's default class; an
 * assumption, since the required value is not documented). `host` is set by the HTTP stack itself.
 */
export function signedUploadHeaders(url: URL, contentType: string): Record<string, string> {
  const query = new Map<string, string>();
  for (const [name, value] of url.searchParams) query.set(name.toLowerCase(), value);
  const signed = (query.get('x-amz-signedheaders') ?? 'host')
    .split(';')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const headers: Record<string, string> = {};
  for (const name of signed) {
    if (name === 'host') continue;
    const fromUrl = query.get(name);
    if (fromUrl !== undefined) headers[name] = fromUrl;
    else if (name === 'x-amz-storage-class') headers[name] = 'STANDARD';
    else if (name === 'content-type') headers[name] = contentType;
    else {
      // A signed header whose value cannot be known: sending anything would fail the signature.
      throw new ProviderInvalidRequest({ provider: PROVIDER, code: 'upload_unknown_signed_header', providerMessage: name });
    }
  }
  if (!('content-type' in headers)) headers['content-type'] = contentType;
  return headers;
}

/**
 * The Wallex HTTP client: `X-Api-Key` on every request, the token in `Authorization` on restricted ones.
 * One attempt per call and every failure mapped to the taxonomy; the one retry it makes itself is after
 * a 401 `authentication_failed`: the token is forgotten, a new one fetched, and the call sent once more,
 * because an expired or revoked token is fixed by logging in again, not by the workflow's backoff.
 */
export class WallexClient {
  private readonly fetchImpl: typeof fetch;
  private readonly tokens: TokenStore;

  constructor(private readonly options: WallexClientOptions) {
    this.fetchImpl = options.fetchImpl ?? runtimeFetch;
    this.tokens = options.tokens ?? memoryTokenStore();
  }

  /** Exchanges the access key pair for a token (`POST /users/v1/authenticate`). */
  async authenticate(): Promise<IssuedToken> {
    const answer = await this.send<{ token?: unknown }>('POST', this.options.authPath ?? '/users/v1/authenticate', {
      body: { accessKeyId: this.options.accessKeyId, secretAccessKey: this.options.secretAccessKey },
    });
    if (typeof answer?.token !== 'string' || answer.token === '') {
      throw new ProviderUnavailable({ provider: PROVIDER, code: 'no_token' });
    }
    return { token: answer.token, ttlSeconds: this.options.tokenTtlSeconds ?? WALLEX_TOKEN_TTL_SECONDS };
  }

  /** Sends one authenticated request and returns the parsed JSON answer, or throws a ProviderError. */
  async request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    const issue = () => this.authenticate();
    const token = await this.tokens.get(issue);
    try {
      return await this.send<T>(method, path, options, token);
    } catch (error) {
      if (!isTokenRejected(error)) throw error;
      await this.tokens.invalidate(token);
      // Once only: a second 401 with a brand-new token means the credentials are wrong.
      return this.send<T>(method, path, options, await this.tokens.get(issue));
    }
  }

  /** PUTs a document's bytes to a presigned upload URL, with every header the URL was signed with. */
  async upload(uploadUrl: string, body: Uint8Array, contentType: string): Promise<void> {
    let url: URL;
    try {
      url = new URL(uploadUrl);
    } catch {
      throw new ProviderInvalidRequest({ provider: PROVIDER, code: 'upload_url_invalid' });
    }
    const headers = signedUploadHeaders(url, contentType);
    const { status, text } = await exchange(
      PROVIDER,
      this.fetchImpl,
      url,
      { method: 'PUT', headers, body: Buffer.from(body.buffer, body.byteOffset, body.byteLength) },
      this.options.uploadTimeoutMs ?? 60_000,
    );
    if (!isSuccess(status)) throw errorFromUpload(status, text);
  }

  private async send<T>(method: HttpMethod, path: string, options: RequestOptions, token?: string): Promise<T> {
    assertRequestPath(path);
    await this.options.beforeRequest?.();
    const url = new URL(`${this.options.baseUrl.replace(/\/+$/, '')}${path}`);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    // A request id of our own, so a failed call can be traced with Wallex without any customer data.
    const requestId = randomUUID();
    const headers: Record<string, string> = {
      'X-Api-Key': this.options.apiKey,
      Accept: 'application/json',
      'X-Request-ID': requestId,
    };
    if (token !== undefined) headers.Authorization = this.options.authScheme === 'bearer' ? `Bearer ${token}` : token;
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    if (body !== undefined) headers['Content-Type'] = 'application/json';

    const { status, text } = await exchange(PROVIDER, this.fetchImpl, url, { method, headers, body }, this.options.timeoutMs);
    if (!isSuccess(status)) throw errorFromResponse(status, text, requestId);
    return parseJsonAnswer<T>(PROVIDER, status, text, requestId);
  }
}
