import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type HttpMethod,
  prepareRequest,
  type RequestOptions,
  StraitsxClient,
} from '../../../functions/providers/straitsx/client';
import {
  canonicalString,
  requestSigner,
  signCanonicalString,
  signingHeaders,
} from '../../../functions/providers/straitsx/signing';
import { ProviderAuthFailed, type ProviderError } from '../../../functions/shared/errors';
import { type StraitsxSandbox, startStraitsxSandbox } from '../../../local/sandboxes/straitsx';

const API_KEY = 'sandbox-app-key';
const KEY_ID = 'key_0f3c';

const pair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
};

const personal = (registrationId: string) => ({
  registrationType: 'personal',
  customerName: 'Jane Tan',
  registrationId,
});

describe('StraitsX sandbox request signing', () => {
  const keys = pair();
  const serverNow = new Date('2026-03-01T10:00:00Z');
  let clock = serverNow;
  let sandbox: StraitsxSandbox;

  const signedClient = (offsetSeconds = 0, privateKeyPem = keys.privateKeyPem, keyId = KEY_ID) =>
    new StraitsxClient({
      baseUrl: sandbox.url,
      apiKey: API_KEY,
      timeoutMs: 2000,
      extraHeaders: requestSigner(
        { signingKeyId: keyId, signingPrivateKeyPem: privateKeyPem },
        () => new Date(clock.getTime() + offsetSeconds * 1000),
      ),
    });

  /** Sends a request with hand-made signing headers, to break one part at a time. */
  const send = async (method: HttpMethod, path: string, options: RequestOptions, headers: Record<string, string>) => {
    const prepared = prepareRequest(sandbox.url, method, path, options);
    const response = await fetch(prepared.url, {
      method,
      headers: { 'X-XFERS-APP-API-KEY': API_KEY, 'content-type': 'application/json', ...headers },
      body: prepared.body === '' ? undefined : prepared.body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  const headersFor = (method: HttpMethod, path: string, options: RequestOptions = {}, nonce?: string) =>
    signingHeaders({
      prepared: prepareRequest(sandbox.url, method, path, options),
      keyId: KEY_ID,
      privateKeyPem: keys.privateKeyPem,
      now: clock,
      nonce,
    });

  const refusal = (message: string) => ({
    status: 401,
    body: expect.objectContaining({ error_code: 'STXE-1000', error: message }),
  });

  beforeAll(async () => {
    sandbox = await startStraitsxSandbox({
      apiKey: API_KEY,
      ratePerSecond: 0,
      clock: () => clock,
      signing: { keyId: KEY_ID, publicKeyPem: keys.publicKeyPem },
    });
  });
  afterAll(() => sandbox.stop());
  beforeEach(() => {
    sandbox.reset();
    clock = serverNow;
  });

  it('accepts a signing client for GET, POST with a body, and a query with encoded brackets and spaces', async () => {
    const client = signedClient();
    await expect(client.request('GET', '/authorize/hello')).resolves.toEqual({ msg: 'Hello world' });
    const created = await client.request<{ data: { id: string } }>('POST', '/kyc/customer_profiles', {
      body: personal('S1234567A'),
    });
    const found = await client.request<unknown[]>('GET', '/kyc/customer_profiles', {
      query: { 'filter[registration_id]': 'S1234567A', sort: '-created_at', unused: 'a b' },
    });
    expect(found).toHaveLength(1);
    expect(created.data.id).toMatch(/^customer_profile_/);
  });

  it("accepts a signing client whose query holds ' ( ) * ! spaces and non-ASCII, and refuses one that signed other bytes than it sent", async () => {
    const query = { 'filter[registration_id]': "S1234'(5)A", q: 'a*b! Zoë 東京' };
    await expect(signedClient().request('GET', '/kyc/customer_profiles', { query })).resolves.toEqual([]);

    // What a client that signs encodeURIComponent's output sends: fetch turns `'` into %27 on the wire.
    const timestamp = String(Math.floor(clock.getTime() / 1000));
    const nonce = '550e8400-e29b-41d4-a716-446655440009';
    const signedQuery = "filter%5Bregistration_id%5D=S1234'(5)A";
    const headers = {
      'X-PUBLIC-KEY-ID': KEY_ID,
      'X-TIMESTAMP': timestamp,
      'X-NONCE': nonce,
      'X-SIGNATURE': signCanonicalString(
        canonicalString({ method: 'GET', path: '/v1/kyc/customer_profiles', query: signedQuery, timestamp, nonce, body: '' }),
        keys.privateKeyPem,
      ),
    };
    const response = await fetch(`${sandbox.url}/kyc/customer_profiles?${signedQuery}`, {
      headers: { 'X-XFERS-APP-API-KEY': API_KEY, ...headers },
    });
    expect({ status: response.status, body: await response.json() }).toEqual(refusal('Invalid signature'));
  });

  it('refuses an unsigned request, naming the missing headers, as an auth failure', async () => {
    const unsigned = new StraitsxClient({ baseUrl: sandbox.url, apiKey: API_KEY, timeoutMs: 2000 });
    const error = (await unsigned.request('GET', '/authorize/hello').catch((e: unknown) => e)) as ProviderError;

    expect(error).toBeInstanceOf(ProviderAuthFailed);
    expect([error.httpStatus, error.code]).toEqual([401, 'STXE-1000']);
    expect(error.providerMessage).toBe('Missing signature header: X-PUBLIC-KEY-ID, X-TIMESTAMP, X-NONCE, X-SIGNATURE');
    const { 'X-NONCE': _nonce, ...withoutNonce } = headersFor('GET', '/authorize/hello');
    expect(await send('GET', '/authorize/hello', {}, withoutNonce)).toEqual(refusal('Missing signature header: X-NONCE'));
  });

  it('refuses a signature by another key, under another key id, or over another body', async () => {
    const stranger = await signedClient(0, pair().privateKeyPem)
      .request('GET', '/authorize/hello')
      .catch((e: ProviderError) => e);
    expect((stranger as ProviderError).providerMessage).toBe('Invalid signature');
    const wrongId = await signedClient(0, keys.privateKeyPem, 'key_other')
      .request('GET', '/authorize/hello')
      .catch((e: ProviderError) => e);
    expect((wrongId as ProviderError).providerMessage).toBe('Invalid public key ID');

    const headers = headersFor('POST', '/kyc/customer_profiles', { body: personal('S1111111A') });
    expect(await send('POST', '/kyc/customer_profiles', { body: personal('S2222222B') }, headers)).toEqual(
      refusal('Invalid signature'),
    );
    expect(sandbox.profiles()).toEqual([]);
  });

  it('rebuilds the canonical string from the path as sent (with /v1) and the query encoded as the reference does', async () => {
    const timestamp = String(Math.floor(clock.getTime() / 1000));
    const sign = (path: string, query: string, nonce: string) => ({
      'X-PUBLIC-KEY-ID': KEY_ID,
      'X-TIMESTAMP': timestamp,
      'X-NONCE': nonce,
      'X-SIGNATURE': signCanonicalString(
        canonicalString({ method: 'GET', path, query, timestamp, nonce, body: '' }),
        keys.privateKeyPem,
      ),
    });
    const options = { query: { q: 'a b' } };
    const withoutBase = sign('/kyc/customer_profiles', 'q=a%20b', '550e8400-e29b-41d4-a716-446655440001');
    const plusForSpace = sign('/v1/kyc/customer_profiles', 'q=a+b', '550e8400-e29b-41d4-a716-446655440002');
    const asSent = sign('/v1/kyc/customer_profiles', 'q=a%20b', '550e8400-e29b-41d4-a716-446655440003');

    expect(await send('GET', '/kyc/customer_profiles', options, withoutBase)).toEqual(refusal('Invalid signature'));
    expect(await send('GET', '/kyc/customer_profiles', options, plusForSpace)).toEqual(refusal('Invalid signature'));
    expect((await send('GET', '/kyc/customer_profiles', options, asSent)).status).toBe(200);
  });

  it('accepts a timestamp 300 s either side of its clock and refuses 301 s', async () => {
    await expect(signedClient(300).request('GET', '/authorize/hello')).resolves.toBeDefined();
    await expect(signedClient(-300).request('GET', '/authorize/hello')).resolves.toBeDefined();
    for (const offset of [301, -301]) {
      const error = (await signedClient(offset)
        .request('GET', '/authorize/hello')
        .catch((e: unknown) => e)) as ProviderError;
      expect([error.httpStatus, error.code, error.providerMessage]).toEqual([401, 'STXE-1000', 'Timestamp expired']);
    }
    const notANumber = { ...headersFor('GET', '/authorize/hello'), 'X-TIMESTAMP': '2026-03-01T10:00:00Z' };
    expect(await send('GET', '/authorize/hello', {}, notANumber)).toEqual(refusal('Invalid timestamp'));
  });

  it('refuses a nonce that is not a UUID', async () => {
    const headers = headersFor('GET', '/authorize/hello', {}, 'not-a-uuid-but-signed');
    expect(await send('GET', '/authorize/hello', {}, headers)).toEqual(refusal('Invalid nonce'));
  });

  it('refuses a nonce seen within the window, and forgets it once its timestamp has expired', async () => {
    const nonce = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11';
    const first = headersFor('GET', '/authorize/hello', {}, nonce);
    expect((await send('GET', '/authorize/hello', {}, first)).status).toBe(200);
    expect(await send('GET', '/authorize/hello', {}, first)).toEqual(refusal('Nonce reused'));
    // Same nonce in another case, signed afresh: still the same UUID.
    const lower = headersFor('GET', '/authorize/hello', {}, nonce.toLowerCase());
    expect(await send('GET', '/authorize/hello', {}, lower)).toEqual(refusal('Nonce reused'));

    clock = new Date(serverNow.getTime() + 301_000);
    expect(await send('GET', '/authorize/hello', {}, first)).toEqual(refusal('Timestamp expired'));
    const later = headersFor('GET', '/authorize/hello', {}, nonce);
    expect((await send('GET', '/authorize/hello', {}, later)).status).toBe(200);
  });

  it('does not let a forged request use up a nonce', async () => {
    const nonce = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    const forged = {
      ...headersFor('GET', '/authorize/hello', {}, nonce),
      'X-SIGNATURE': signCanonicalString('x', pair().privateKeyPem),
    };
    expect(await send('GET', '/authorize/hello', {}, forged)).toEqual(refusal('Invalid signature'));
    expect((await send('GET', '/authorize/hello', {}, headersFor('GET', '/authorize/hello', {}, nonce))).status).toBe(200);
  });

  it('checks the API key before the signature', async () => {
    const response = await fetch(`${sandbox.url}/authorize/hello`, { headers: headersFor('GET', '/authorize/hello') });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'Missing API Key in Header' });
  });
});

describe('StraitsX sandbox signing toggled at run time', () => {
  let sandbox: StraitsxSandbox;
  beforeAll(async () => {
    sandbox = await startStraitsxSandbox({ apiKey: API_KEY, ratePerSecond: 0 });
  });
  afterAll(() => sandbox.stop());

  it('accepts unsigned requests until signing is enabled, and again once it is disabled', async () => {
    const keys = pair();
    const unsigned = new StraitsxClient({ baseUrl: sandbox.url, apiKey: API_KEY, timeoutMs: 2000 });
    const signed = new StraitsxClient({
      baseUrl: sandbox.url,
      apiKey: API_KEY,
      timeoutMs: 2000,
      extraHeaders: requestSigner({ signingKeyId: KEY_ID, signingPrivateKeyPem: keys.privateKeyPem }),
    });
    await expect(unsigned.request('GET', '/authorize/hello')).resolves.toBeDefined();

    sandbox.enableSigning({ keyId: KEY_ID, publicKeyPem: keys.publicKeyPem });
    await expect(unsigned.request('GET', '/authorize/hello')).rejects.toBeInstanceOf(ProviderAuthFailed);
    await expect(signed.request('GET', '/authorize/hello')).resolves.toEqual({ msg: 'Hello world' });

    sandbox.disableSigning();
    await expect(unsigned.request('GET', '/authorize/hello')).resolves.toBeDefined();
  });
});
