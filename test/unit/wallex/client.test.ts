import { describe, expect, it, vi } from 'vitest';
import { signedUploadHeaders, WallexClient, type WallexClientOptions } from '../../../functions/providers/wallex/client';
import { parseWallexError, WallexMissingFields } from '../../../functions/providers/wallex/errors';
import {
  ProviderAuthFailed,
  ProviderError,
  ProviderInvalidRequest,
  ProviderRateLimited,
  ProviderTimeout,
  ProviderUnavailable,
} from '../../../functions/shared/errors';
import { failureOf } from '../provider-http';

const BASE = 'https://api-demo.example.test';

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: unknown;
}

type Answer = { status: number; body?: string | object } | Error;

/** A fetch stand-in: logins get a numbered token, other calls the next scripted answer. */
function stubFetch(answers: Answer[], login: Answer = { status: 200, body: { token: 'tok-1' } }) {
  const sent: Sent[] = [];
  let logins = 0;
  const fetchImpl = vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    sent.push({
      url,
      method: init?.method ?? 'GET',
      headers: { ...(init?.headers as Record<string, string>) },
      body: init?.body,
    });
    let answer: Answer | undefined;
    if (url.endsWith('/authenticate')) {
      logins += 1;
      answer = login instanceof Error || login.status !== 200 ? login : { status: 200, body: { token: `tok-${logins}` } };
    } else {
      answer = answers.shift() ?? { status: 200, body: {} };
    }
    if (answer instanceof Error) throw answer;
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? '');
    return new Response(text, { status: answer.status });
  });
  return { fetchImpl: fetchImpl as unknown as typeof fetch, sent };
}

const clientWith = (fetchImpl: typeof fetch, options: Partial<WallexClientOptions> = {}) =>
  new WallexClient({
    baseUrl: BASE,
    apiKey: 'api-key',
    accessKeyId: 'ak',
    secretAccessKey: 'sk',
    timeoutMs: 1000,
    fetchImpl,
    ...options,
  });

describe('WallexClient requests', () => {
  it('logs in with the key pair, then sends X-Api-Key and the raw token on every request', async () => {
    const { fetchImpl, sent } = stubFetch([
      { status: 200, body: { id: 'u1' } },
      { status: 200, body: { id: 'u1' } },
    ]);
    const client = clientWith(fetchImpl);
    await client.request('GET', '/v2/users/u1');
    await client.request('PATCH', '/v2/users/u1/detail', { body: { gender: 'female' } });

    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      `POST ${BASE}/users/v1/authenticate`,
      `GET ${BASE}/v2/users/u1`,
      `PATCH ${BASE}/v2/users/u1/detail`,
    ]);
    expect(JSON.parse(String(sent[0]!.body))).toEqual({ accessKeyId: 'ak', secretAccessKey: 'sk' });
    expect(sent[0]!.headers).toMatchObject({ 'X-Api-Key': 'api-key' });
    expect(sent[0]!.headers.Authorization).toBeUndefined();
    expect(sent[1]!.headers).toMatchObject({ 'X-Api-Key': 'api-key', Authorization: 'tok-1', Accept: 'application/json' });
    expect(sent[1]!.headers['X-Request-ID']).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent[2]!.headers).toMatchObject({ 'Content-Type': 'application/json', Authorization: 'tok-1' });
  });

  it('sends Bearer when configured for the newer API generation', async () => {
    const { fetchImpl, sent } = stubFetch([{ status: 200, body: {} }]);
    await clientWith(fetchImpl, { authScheme: 'bearer', authPath: '/v2/authenticate' }).request('GET', '/v2/users/u1');
    expect(sent[0]!.url).toBe(`${BASE}/v2/authenticate`);
    expect(sent[1]!.headers.Authorization).toBe('Bearer tok-1');
  });

  it('takes a rate token before every API request, the login included', async () => {
    const beforeRequest = vi.fn(async () => undefined);
    const { fetchImpl } = stubFetch([{ status: 200, body: {} }]);
    await clientWith(fetchImpl, { beforeRequest }).request('GET', '/v2/users/u1');
    expect(beforeRequest).toHaveBeenCalledTimes(2);
  });

  it('answers a 401 authentication_failed by logging in again, once', async () => {
    const { fetchImpl, sent } = stubFetch([
      { status: 401, body: { message: 'authentication_failed' } },
      { status: 200, body: { id: 'u1' } },
    ]);
    await expect(clientWith(fetchImpl).request('GET', '/v2/users/u1')).resolves.toEqual({ id: 'u1' });
    expect(sent.map((s) => s.headers.Authorization ?? 'login')).toEqual(['login', 'tok-1', 'login', 'tok-2']);
  });

  it('gives up with ProviderAuthFailed when the new token is refused too', async () => {
    const refused = { status: 401, body: { message: 'authentication_failed' } };
    const { fetchImpl, sent } = stubFetch([refused, refused, { status: 200 }]);
    const error = await failureOf(clientWith(fetchImpl).request('GET', '/v2/users/u1'));
    expect(error).toBeInstanceOf(ProviderAuthFailed);
    expect([error.httpStatus, error.code]).toEqual([401, 'authentication_failed']);
    expect(sent).toHaveLength(4);
  });

  it('does not retry a login refused for bad keys', async () => {
    const { fetchImpl, sent } = stubFetch([], { status: 401, body: { message: 'authentication_failed' } });
    expect(await failureOf(clientWith(fetchImpl).request('GET', '/v2/users/u1'))).toBeInstanceOf(ProviderAuthFailed);
    expect(sent).toHaveLength(1);
  });

  it('maps 403 (missing or wrong X-Api-Key) to ProviderAuthFailed without logging in again', async () => {
    const { fetchImpl, sent } = stubFetch([{ status: 403, body: { message: 'Forbidden' } }]);
    const error = await failureOf(clientWith(fetchImpl).request('GET', '/v2/users/u1'));
    expect(error).toBeInstanceOf(ProviderAuthFailed);
    expect(error.httpStatus).toBe(403);
    expect(sent).toHaveLength(2);
  });

  it.each([
    [400, { message: 'email already exists for jane@example.com' }, ProviderInvalidRequest, undefined],
    [404, { message: 'not_found' }, ProviderInvalidRequest, 'not_found'],
    [404, 'Not Found', ProviderInvalidRequest, 'not_found'],
    [409, {}, ProviderError, undefined],
    [429, { message: 'Too Many Requests' }, ProviderRateLimited, undefined],
    [500, '<html>oops</html>', ProviderUnavailable, undefined],
    [503, { message: 'Service Unavailable' }, ProviderUnavailable, undefined],
  ])('maps HTTP %s to the taxonomy', async (status, body, Class, code) => {
    const { fetchImpl } = stubFetch([{ status, body }]);
    const error = await failureOf(clientWith(fetchImpl).request('POST', '/v2/signup', { body: {} }));
    expect(error).toBeInstanceOf(Class);
    expect([error.httpStatus, error.code]).toEqual([status, code]);
    // Provider text may echo what was sent: it stays off the message.
    expect(error.message).not.toMatch(/jane|oops|exists/);
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps the provider text on providerMessage only', async () => {
    const { fetchImpl } = stubFetch([{ status: 400, body: { message: 'firstName is too long' } }]);
    const error = await failureOf(clientWith(fetchImpl).request('POST', '/v2/signup', { body: {} }));
    expect(error.providerMessage).toBe('firstName is too long');
    expect(error.message).toBe('wallex: invalid request: HTTP 400');
  });

  it('maps a refused connection to ProviderUnavailable and a timeout to ProviderTimeout', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    });
    const { fetchImpl } = stubFetch([refused]);
    expect(await failureOf(clientWith(fetchImpl).request('GET', '/v2/users/u1'))).toBeInstanceOf(ProviderUnavailable);

    const slow = vi.fn(async (_input: unknown, init?: RequestInit) => {
      if (String(_input).endsWith('/authenticate')) return new Response(JSON.stringify({ token: 't' }));
      return new Promise<Response>((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      );
    });
    const error = await failureOf(clientWith(slow as unknown as typeof fetch, { timeoutMs: 30 }).request('GET', '/v2/users/u1'));
    expect(error).toBeInstanceOf(ProviderTimeout);
  });
});

describe('Wallex error bodies', () => {
  it('reads a code from any of the likely shapes, and nothing from free text', () => {
    expect(parseWallexError('{"message":"authentication_failed"}')).toEqual({
      code: 'authentication_failed',
      message: 'authentication_failed',
    });
    expect(parseWallexError('{"code":"NOT_AUTHORIZED","message":"Feature not enabled"}').code).toBe('NOT_AUTHORIZED');
    expect(parseWallexError('{"errors":[{"message":"bad"}]}')).toEqual({ message: 'bad' });
    expect(parseWallexError('{"message":"jane_doe"}').code).toBeUndefined();
    expect(parseWallexError('Bad Gateway')).toEqual({ message: 'Bad Gateway' });
    expect(parseWallexError('[]')).toEqual({});
  });

  it('lists missing field names, and only names, on WallexMissingFields', () => {
    const error = new WallexMissingFields(['mobileNumber', 'nationality', 'jane@example.com', 42]);
    expect(error.name).toBe('ProviderInvalidRequest');
    expect(error.code).toBe('missing_fields');
    expect(error.missingFields).toEqual(['mobileNumber', 'nationality']);
    expect(error.message).toBe('wallex: invalid request: missing_fields: mobileNumber, nationality');
  });
});

describe('document upload', () => {
  const signedUrl = (extra = '') =>
    `https://files.example.test/b/doc.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=300&X-Amz-SignedHeaders=host%3Bx-amz-storage-class${extra}&X-Amz-Signature=abc`;

  it('sends every signed header: x-amz-storage-class STANDARD unless the URL names one', () => {
    expect(signedUploadHeaders(new URL(signedUrl()), 'application/pdf')).toEqual({
      'x-amz-storage-class': 'STANDARD',
      'content-type': 'application/pdf',
    });
    expect(signedUploadHeaders(new URL(signedUrl('&x-amz-storage-class=ONEZONE_IA')), 'image/png')['x-amz-storage-class']).toBe(
      'ONEZONE_IA',
    );
  });

  it('refuses to guess a signed header it cannot know', () => {
    const url = new URL('https://f.example.test/k?X-Amz-SignedHeaders=host%3Bx-amz-meta-owner&X-Amz-Signature=abc');
    expect(() => signedUploadHeaders(url, 'application/pdf')).toThrow(ProviderInvalidRequest);
  });

  it('PUTs the bytes with the signed headers and maps S3 refusals', async () => {
    const sent: Sent[] = [];
    const s3 = (status: number, code: string, text: string) =>
      vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
        sent.push({
          url: String(input),
          method: init?.method ?? '',
          headers: init?.headers as Record<string, string>,
          body: init?.body,
        });
        return new Response(status === 200 ? '' : `<Error><Code>${code}</Code><Message>${text}</Message></Error>`, { status });
      }) as unknown as typeof fetch;

    await clientWith(s3(200, '', '')).upload(signedUrl(), new Uint8Array([1, 2, 3]), 'application/pdf');
    expect(sent[0]).toMatchObject({
      method: 'PUT',
      headers: { 'x-amz-storage-class': 'STANDARD', 'content-type': 'application/pdf' },
    });
    expect([...(sent[0]!.body as Buffer)]).toEqual([1, 2, 3]);

    const mismatch = await failureOf(
      clientWith(s3(403, 'SignatureDoesNotMatch', 'no')).upload(signedUrl(), new Uint8Array([1]), 'application/pdf'),
    );
    expect([mismatch.name, mismatch.code]).toEqual(['ProviderInvalidRequest', 'upload_signature_mismatch']);
    const expired = await failureOf(
      clientWith(s3(403, 'AccessDenied', 'Request has expired')).upload(signedUrl(), new Uint8Array([1]), 'application/pdf'),
    );
    expect([expired.name, expired.code]).toEqual(['ProviderUnavailable', 'upload_url_expired']);
  });
});
