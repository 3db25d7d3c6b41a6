import { describe, expect, it, vi } from 'vitest';
import { encodeQuery, prepareRequest, StraitsxClient, sxPath } from '../../../functions/providers/straitsx/client';
import { isStraitsxAlreadyExists, isStraitsxNotFound } from '../../../functions/providers/straitsx/errors';
import {
  ProviderAuthFailed,
  ProviderConflict,
  ProviderInvalidRequest,
  ProviderRateLimited,
  ProviderRejected,
  ProviderTimeout,
  ProviderUnavailable,
} from '../../../functions/shared/errors';
import { failureOf, type Sent, stubFetch } from '../provider-http';

const BASE = 'https://api-sandbox.example.test/v1';

const clientWith = (fetchImpl: typeof fetch, timeoutMs = 1000) =>
  new StraitsxClient({ baseUrl: BASE, apiKey: 'key-123', timeoutMs, fetchImpl });

describe('StraitsxClient request shape', () => {
  it('sends a GET with the API key, JSON accept and the bracket query percent-encoded', async () => {
    const { fetchImpl, sent } = stubFetch(200, []);
    await clientWith(fetchImpl).request('GET', '/kyc/customer_profiles', {
      query: { 'page[size]': 50, 'filter[registration_id]': 'S1234567A', skipped: undefined },
    });

    expect(sent).toHaveLength(1);
    const [{ url, init }] = sent as [Sent];
    expect(url).toBe(`${BASE}/kyc/customer_profiles?filter%5Bregistration_id%5D=S1234567A&page%5Bsize%5D=50`);
    expect(init.method).toBe('GET');
    expect(init.body).toBeUndefined();
    expect(init.headers).toEqual({ 'X-XFERS-APP-API-KEY': 'key-123', Accept: 'application/json' });
    expect(init.signal).toBeInstanceOf(AbortSignal);
  });

  it('sends a POST body as compact JSON with a JSON content type', async () => {
    const { fetchImpl, sent } = stubFetch(200, { data: { id: 'x' } });
    const body = { registrationType: 'business', customerName: 'ABC Pte Ltd', address: { country: 'SG' } };
    const result = await clientWith(fetchImpl).request<{ data: { id: string } }>('POST', '/kyc/customer_profiles', { body });

    expect(result).toEqual({ data: { id: 'x' } });
    const [{ url, init }] = sent as [Sent];
    expect(url).toBe(`${BASE}/kyc/customer_profiles`);
    expect(init.method).toBe('POST');
    expect(init.body).toBe('{"registrationType":"business","customerName":"ABC Pte Ltd","address":{"country":"SG"}}');
    expect(init.headers).toMatchObject({ 'Content-Type': 'application/json', 'X-XFERS-APP-API-KEY': 'key-123' });
  });

  it('encodes and sorts the query as the signing reference vector does', () => {
    expect(encodeQuery({ q: 'hello world', 'filter[type]': 'payout', 'filter[status]': 'active' })).toBe(
      'filter%5Bstatus%5D=active&filter%5Btype%5D=payout&q=hello%20world',
    );
    expect(encodeQuery(undefined)).toBe('');
    expect(encodeQuery({ a: undefined })).toBe('');
  });

  it('prepares the exact path (base path included), query and body bytes', () => {
    const prepared = prepareRequest(`${BASE}/`, 'POST', sxPath`/kyc/customer_profiles/${'customer_profile_a/b'}`, {
      query: { sort: '-created_at' },
      body: { a: 1 },
    });
    expect(prepared).toEqual({
      method: 'POST',
      url: `${BASE}/kyc/customer_profiles/customer_profile_a%2Fb?sort=-created_at`,
      path: '/v1/kyc/customer_profiles/customer_profile_a%2Fb',
      query: 'sort=-created_at',
      body: '{"a":1}',
    });
    expect(() => prepareRequest(BASE, 'GET', 'kyc?x=1')).toThrow(/path/);
  });

  it('adds extra headers computed from the request exactly as sent', async () => {
    const { fetchImpl, sent } = stubFetch(200, {});
    const extraHeaders = vi.fn(() => ({ 'X-SIGNATURE': 'sig' }));
    const client = new StraitsxClient({ baseUrl: BASE, apiKey: 'k', timeoutMs: 1000, fetchImpl, extraHeaders });
    await client.request('PATCH', '/kyc/customer_profiles/p1', { query: { x: 'a b' }, body: { b: [1, 2] } });

    const [{ url, init }] = sent as [Sent];
    expect(extraHeaders).toHaveBeenCalledWith({
      method: 'PATCH',
      url,
      path: '/v1/kyc/customer_profiles/p1',
      query: 'x=a%20b',
      body: '{"b":[1,2]}',
    });
    expect(init.body).toBe('{"b":[1,2]}');
    expect(init.headers).toMatchObject({ 'X-SIGNATURE': 'sig' });
  });

  it('returns undefined for an empty success body', async () => {
    const { fetchImpl } = stubFetch(204);
    await expect(clientWith(fetchImpl).request('POST', '/x')).resolves.toBeUndefined();
  });
});

const errorsEnvelope = (code: string, error: string) => ({ errors: [{ error, error_code: code, error_handling: 'h' }] });
const flat = (code: string, error: string) => ({ error, error_code: code, error_handling: 'h' });

describe('StraitsxClient error classification', () => {
  it.each([
    ['errors[] STXE-3000', 400, errorsEnvelope('STXE-3000', 'customerName is invalid'), ProviderInvalidRequest, 'STXE-3000'],
    ['flat STXE-1000', 401, flat('STXE-1000', 'Invalid API Key'), ProviderAuthFailed, 'STXE-1000'],
    ['flat STXE-2000', 403, flat('STXE-2000', 'Restricted API Access'), ProviderAuthFailed, 'STXE-2000'],
    ['legacy XFE5', 401, flat('XFE5', 'Api token is invalid'), ProviderAuthFailed, 'XFE5'],
    ['legacy XFE6', 403, flat('XFE6', 'Access to this endpoint is denied'), ProviderAuthFailed, 'XFE6'],
    ['errors[] STXE-5000', 404, errorsEnvelope('STXE-5000', 'Record Not Found'), ProviderInvalidRequest, 'STXE-5000'],
    ['legacy XFE13 on a 400', 400, flat('XFE13', 'Customer profile not found'), ProviderInvalidRequest, 'XFE13'],
    ['legacy XFE12', 400, flat('XFE12', 'Invalid parameter'), ProviderInvalidRequest, 'XFE12'],
    ['legacy XFE15', 400, flat('XFE15', 'natureOfBusiness is missing'), ProviderInvalidRequest, 'XFE15'],
    ['XFE16 already exists', 400, { error: 'Customer profile already exists', error_code: 'XFE16' }, ProviderConflict, 'XFE16'],
    ['XFE16 invalid request', 400, flat('XFE16', 'Invalid file url provided'), ProviderInvalidRequest, 'XFE16'],
    ['STXE-4000 decision', 422, errorsEnvelope('STXE-4000', 'Customer Profile Is Not Verified'), ProviderRejected, 'STXE-4000'],
    ['STXE-4000 retry later', 422, errorsEnvelope('STXE-4000', 'Invalid State Transition'), ProviderUnavailable, 'STXE-4000'],
    ['STXE-7000', 409, errorsEnvelope('STXE-7000', 'Duplicated Idempotency Key'), ProviderConflict, 'STXE-7000'],
    ['STXE-8001', 500, flat('STXE-8001', 'Required operation failed'), ProviderUnavailable, 'STXE-8001'],
    ['STXE-9000', 429, flat('STXE-9000', 'Rate Limit reached for requests'), ProviderRateLimited, 'STXE-9000'],
    ['code wins over status', 400, flat('STXE-9000', 'Rate Limit reached'), ProviderRateLimited, 'STXE-9000'],
    ['lower-case code', 400, flat('stxe-3000', 'x'), ProviderInvalidRequest, 'STXE-3000'],
    [
      '{error, info}',
      400,
      { error: 'Something went wrong with Bank Account Proof Document', info: 'Received Request: nil' },
      ProviderInvalidRequest,
      undefined,
    ],
    ['plain-text 503', 503, 'Service Unavailable', ProviderUnavailable, undefined],
    ['HTML 502', 502, '<html><body>Bad Gateway</body></html>', ProviderUnavailable, undefined],
    ['bare 401', 401, '', ProviderAuthFailed, undefined],
    ['bare 404', 404, '', ProviderInvalidRequest, undefined],
    ['bare 409', 409, '', ProviderConflict, undefined],
    ['bare 422', 422, '', ProviderRejected, undefined],
    ['bare 429', 429, '', ProviderRateLimited, undefined],
    ['JSON without a code', 500, { message: 'oops' }, ProviderUnavailable, undefined],
  ])('maps %s', async (_name, status, body, Class, code) => {
    const { fetchImpl } = stubFetch(status, body);
    const error = await failureOf(clientWith(fetchImpl).request('POST', '/kyc/customer_profiles', { body: {} }));

    expect(error).toBeInstanceOf(Class);
    expect(error.name).toBe(Class.name);
    expect(error.code).toBe(code);
    expect(error.httpStatus).toBe(status);
    expect(error.provider).toBe('straitsx');
  });

  it('keeps the provider text on providerMessage and out of message', async () => {
    const { fetchImpl } = stubFetch(400, errorsEnvelope('STXE-3000', 'registrationId S1234567A is invalid for jane@example.com'));
    const error = await failureOf(clientWith(fetchImpl).request('POST', '/kyc/customer_profiles', { body: {} }));

    expect(error.message).toBe('straitsx: invalid request: HTTP 400: STXE-3000');
    expect(error.message).not.toContain('S1234567A');
    expect(error.providerMessage).toBe('registrationId S1234567A is invalid for jane@example.com');
  });

  it('keeps both parts of an {error, info} body on providerMessage', async () => {
    const { fetchImpl } = stubFetch(400, { error: 'Something went wrong', info: 'Received Request: nil' });
    const error = await failureOf(clientWith(fetchImpl).request('GET', '/x'));
    expect(error.providerMessage).toBe('Something went wrong (Received Request: nil)');
  });

  it('drops an error_code that does not look like a code, so it cannot reach message', async () => {
    const { fetchImpl } = stubFetch(400, flat('jane@example.com', 'x'));
    const error = await failureOf(clientWith(fetchImpl).request('GET', '/x'));
    expect(error.code).toBeUndefined();
    expect(error.message).not.toContain('jane');
  });

  it('tells not-found and already-exists apart for callers', async () => {
    const notFound = await failureOf(clientWith(stubFetch(404, errorsEnvelope('STXE-5000', 'x')).fetchImpl).request('GET', '/x'));
    const legacyNotFound = await failureOf(clientWith(stubFetch(400, flat('XFE13', 'x')).fetchImpl).request('GET', '/x'));
    const exists = await failureOf(
      clientWith(stubFetch(400, { error: 'Customer profile already exists', error_code: 'XFE16' }).fetchImpl).request(
        'POST',
        '/x',
      ),
    );
    const invalid = await failureOf(clientWith(stubFetch(400, errorsEnvelope('STXE-3000', 'x')).fetchImpl).request('GET', '/x'));

    expect([isStraitsxNotFound(notFound), isStraitsxNotFound(legacyNotFound), isStraitsxNotFound(invalid)]).toEqual([
      true,
      true,
      false,
    ]);
    expect([isStraitsxAlreadyExists(exists), isStraitsxAlreadyExists(notFound)]).toEqual([true, false]);
  });

  it('treats a success that is not JSON as the provider being unavailable', async () => {
    const error = await failureOf(clientWith(stubFetch(200, '<html>captive portal</html>').fetchImpl).request('GET', '/x'));
    expect(error).toBeInstanceOf(ProviderUnavailable);
    expect(error.retryable).toBe(true);
  });
});

describe('StraitsxClient transport failures', () => {
  it('turns its own timeout into ProviderTimeout', async () => {
    const hang = vi.fn(
      (_url: string | URL | Request, init?: RequestInit) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        }),
    ) as unknown as typeof fetch;
    const started = Date.now();
    const error = await failureOf(clientWith(hang, 30).request('GET', '/authorize/hello'));

    expect(error).toBeInstanceOf(ProviderTimeout);
    expect(error.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it.each([
    [
      'connection refused',
      new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }),
    ],
    [
      'connection reset',
      new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }),
    ],
    ['socket hang up', new Error('socket hang up')],
    [
      'other side closed',
      new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }),
    ],
    ['body cut off', new TypeError('terminated')],
  ])('turns %s into ProviderUnavailable', async (_name, failure) => {
    const broken = vi.fn(async () => {
      throw failure;
    }) as unknown as typeof fetch;
    const error = await failureOf(clientWith(broken).request('POST', '/x', { body: {} }));

    expect(error).toBeInstanceOf(ProviderUnavailable);
    expect(error.cause).toBe(failure);
  });

  it('rethrows a failure that is not the network unchanged', async () => {
    const bug = new RangeError('boom');
    const broken = vi.fn(async () => {
      throw bug;
    }) as unknown as typeof fetch;
    await expect(clientWith(broken).request('GET', '/x')).rejects.toBe(bug);
  });
});
