import { describe, expect, it } from 'vitest';
import { encodeQuery, StraddleClient, stPath } from '../../../functions/providers/straddle/client';
import { parseStraddleError, StraddleInvalidRequest } from '../../../functions/providers/straddle/errors';
import {
  ProviderAuthFailed,
  ProviderConflict,
  ProviderInvalidRequest,
  ProviderRateLimited,
  ProviderTimeout,
  ProviderUnavailable,
} from '../../../functions/shared/errors';
import { failureOf, type Sent, stubFetch } from '../provider-http';

const BASE = 'https://sandbox.straddle.example';
const KEY = 'cc0-0123456789abcdef0123456789abcdef';

const clientWith = (fetchImpl: typeof fetch, extra: { accountId?: string; timeoutMs?: number } = {}) =>
  new StraddleClient({
    baseUrl: BASE,
    apiKey: 'sk_test_123',
    timeoutMs: extra.timeoutMs ?? 1000,
    fetchImpl,
    accountId: extra.accountId,
  });

const envelope = (status: number, type: string, detail: string, items: object[] = []) => ({
  meta: { api_request_id: 'req-123', api_request_timestamp: '2025-01-01T00:00:00Z' },
  response_type: 'error',
  error: { status, type, title: 'Title', detail, items },
});

describe('StraddleClient request shape', () => {
  it('sends Bearer auth, JSON and the Idempotency-Key on a POST, and unwraps the envelope', async () => {
    const data = { id: 'c1', status: 'verified' };
    const { fetchImpl, sent } = stubFetch(201, { meta: { api_request_id: 'req-1' }, response_type: 'object', data });
    const answer = await clientWith(fetchImpl, { accountId: 'acct-9' }).request('POST', '/v1/customers', {
      body: { name: 'x' },
      idempotencyKey: KEY,
    });

    expect(answer).toEqual({
      data,
      meta: { api_request_id: 'req-1' },
      responseType: 'object',
      httpStatus: 201,
      replayed: false,
      requestId: 'req-1',
    });
    const [{ url, init }] = sent as [Sent];
    expect(url).toBe(`${BASE}/v1/customers`);
    expect(init.method).toBe('POST');
    expect(init.body).toBe('{"name":"x"}');
    expect(init.headers).toEqual({
      Authorization: 'Bearer sk_test_123',
      Accept: 'application/json',
      'Content-Type': 'application/json',
      'Idempotency-Key': KEY,
      'Straddle-Account-Id': 'acct-9',
    });
    expect(init.signal).toBeInstanceOf(AbortSignal);
  });

  it('reports a replayed answer', async () => {
    const { fetchImpl } = stubFetch(201, { meta: {}, response_type: 'object', data: {} }, { 'Idempotent-Replayed': 'true' });
    const answer = await clientWith(fetchImpl).request('POST', '/v1/customers', { body: {}, idempotencyKey: KEY });
    expect(answer.replayed).toBe(true);
  });

  it('refuses to send a mutating call without a valid key, or a path with a query', async () => {
    const { fetchImpl, sent } = stubFetch(200, {});
    const client = clientWith(fetchImpl);
    await expect(client.request('PATCH', '/v1/customers/c1/review', { body: {} })).rejects.toThrow(/needs an Idempotency-Key/);
    await expect(client.request('POST', '/v1/customers', { body: {}, idempotencyKey: 'short' })).rejects.toThrow(/10 to 40/);
    await expect(client.request('POST', '/v1/customers', { body: {}, idempotencyKey: 'x'.repeat(41) })).rejects.toThrow(
      /10 to 40/,
    );
    await expect(client.request('GET', '/v1/customers?x=1')).rejects.toThrow(/no query string/);
    expect(sent).toEqual([]);
  });

  it('encodes list filters, arrays comma-separated, and path segments', () => {
    expect(encodeQuery({ status: ['review', 'verified'], types: [], external_id: 'onb_1', page_size: 10, name: undefined })).toBe(
      'status=review%2Cverified&external_id=onb_1&page_size=10',
    );
    expect(stPath`/v1/customers/${'a/b c'}/review`).toBe('/v1/customers/a%2Fb%20c/review');
  });
});

describe('StraddleClient error mapping', () => {
  it('maps a 400 to StraddleInvalidRequest with the referenced field names only', async () => {
    const body = envelope(400, '/field_validation', 'One or more fields failed validation.', [
      { reference: 'email', detail: "'x@y' is not valid" },
      { reference: 'compliance_profile.ssn', detail: 'bad' },
      { reference: 'free text with spaces and a value 123-45-6789', detail: 'x' },
    ]);
    const error = await failureOf(clientWith(stubFetch(400, body).fetchImpl).request('GET', '/v1/customers'));

    expect(error).toBeInstanceOf(StraddleInvalidRequest);
    expect(error).toBeInstanceOf(ProviderInvalidRequest);
    expect(error.name).toBe('ProviderInvalidRequest');
    expect((error as StraddleInvalidRequest).fields).toEqual(['email', 'compliance_profile.ssn']);
    expect([error.httpStatus, error.code, error.requestId]).toEqual([400, 'field_validation', 'req-123']);
    expect(error.message).toBe('straddle: invalid request: HTTP 400: field_validation (fields: email, compliance_profile.ssn)');
    expect(error.message).not.toContain('x@y');
    expect(error.providerMessage).toBe('Title: One or more fields failed validation.');
  });

  it.each([
    [401, ProviderAuthFailed, undefined],
    [403, ProviderAuthFailed, undefined],
    [404, ProviderInvalidRequest, 'not_found'],
    [429, ProviderRateLimited, undefined],
    [500, ProviderUnavailable, undefined],
    [503, ProviderUnavailable, undefined],
  ])('maps HTTP %i by status', async (status, Class, code) => {
    const type = code ? `/${code}` : '/some_type';
    const error = await failureOf(
      clientWith(stubFetch(status, envelope(status, type, 'd')).fetchImpl).request('GET', '/v1/customers/x'),
    );
    expect(error).toBeInstanceOf(Class);
    expect(error.httpStatus).toBe(status);
    if (code) expect(error.code).toBe(code);
  });

  it('maps a 422 to an invalid request that keeps its type as the code', async () => {
    const body = envelope(422, '/validation_error', "Email 'a@b.example' already exists and must be unique.");
    const error = await failureOf(
      clientWith(stubFetch(422, body).fetchImpl).request('POST', '/v1/customers', { body: {}, idempotencyKey: KEY }),
    );
    expect(error).toBeInstanceOf(ProviderInvalidRequest);
    expect([error.httpStatus, error.code]).toEqual([422, 'validation_error']);
    expect(error.message).not.toContain('a@b.example');
    expect(error.providerMessage).toContain('already exists');
  });

  it('tells the two 409s apart by their wording, and treats unclear wording as retryable', async () => {
    const send = (detail: string) =>
      failureOf(
        clientWith(stubFetch(409, envelope(409, '/conflict', detail)).fetchImpl).request('POST', '/v1/customers', {
          body: {},
          idempotencyKey: KEY,
        }),
      );
    const reused = await send('This Idempotency-Key has already been used for a different request.');
    const inProgress = await send('A request with this Idempotency-Key is still in progress.');
    const unclear = await send('Conflict.');

    expect(reused).toBeInstanceOf(ProviderConflict);
    expect(reused.code).toBe('idempotency_key_reused');
    expect(inProgress).toBeInstanceOf(ProviderUnavailable);
    expect(inProgress.code).toBe('idempotency_in_progress');
    expect(unclear).toBeInstanceOf(ProviderUnavailable);
  });

  it('maps a gateway page, a non-JSON success, a timeout and a refused connection', async () => {
    const gateway = await failureOf(
      clientWith(stubFetch(502, '<html>Bad Gateway</html>').fetchImpl).request('GET', '/v1/customers'),
    );
    expect(gateway).toBeInstanceOf(ProviderUnavailable);
    expect(gateway.providerMessage).toBeUndefined();

    const notJson = await failureOf(clientWith(stubFetch(200, 'ok').fetchImpl).request('GET', '/v1/customers'));
    expect(notJson).toBeInstanceOf(ProviderUnavailable);

    const hanging = (async (_url: unknown, init?: RequestInit) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      )) as unknown as typeof fetch;
    expect(await failureOf(clientWith(hanging, { timeoutMs: 20 }).request('GET', '/v1/customers'))).toBeInstanceOf(
      ProviderTimeout,
    );

    const refused = (async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    }) as unknown as typeof fetch;
    const down = await failureOf(clientWith(refused).request('GET', '/v1/customers'));
    expect(down).toBeInstanceOf(ProviderUnavailable);
    expect(down.code).toBe('ECONNREFUSED');
  });

  it('lets a programming error through unchanged', async () => {
    const broken = (async () => {
      throw new RangeError('bug');
    }) as unknown as typeof fetch;
    await expect(clientWith(broken).request('GET', '/v1/customers')).rejects.toThrow(RangeError);
  });

  it('reads only code-like types and field-like references from an error body', () => {
    expect(parseStraddleError('not json')).toEqual({ references: [] });
    const parsed = parseStraddleError(
      JSON.stringify({
        meta: { api_request_id: 'r' },
        error: { type: 'Some Free Text!', detail: 'd', items: [{ reference: 'a.b[0]' }, 'x'] },
      }),
    );
    expect(parsed).toEqual({ type: undefined, message: 'd', references: ['a.b[0]'], requestId: 'r' });
  });
});
