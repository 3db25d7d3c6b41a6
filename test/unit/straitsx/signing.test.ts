import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { straitsxSecretSchema } from '../../../functions/providers/straitsx/adapter';
import { prepareRequest, StraitsxClient } from '../../../functions/providers/straitsx/client';
import {
  canonicalString,
  requestSigner,
  SIGNING_HEADERS,
  signCanonicalString,
  signingHeaders,
  verifyCanonicalString,
} from '../../../functions/providers/straitsx/signing';
import { ConfigurationError } from '../../../functions/shared/errors';

// The provider's published test key: the Ed25519 seed of 32 bytes 0x9d, wrapped in the standard PKCS8
// prefix for an Ed25519 private key.
const PKCS8_ED25519_PREFIX = '302e020100300506032b657004220420';
const SEED = Buffer.alloc(32, 0x9d);
const VECTOR_KEY_PEM = `-----BEGIN PRIVATE KEY-----\n${Buffer.concat([Buffer.from(PKCS8_ED25519_PREFIX, 'hex'), SEED]).toString('base64')}\n-----END PRIVATE KEY-----\n`;
const VECTOR_PUBLIC_KEY_HEX = '40b0f498a16f2b943d74dc4f9d4acc05d0de9c935dd569ae831cf8fcdd4e3feb';

// StraitsX's signing vectors (signing-vectors.json of the provider's published signing reference):
// inputs, the canonical string and the expected X-SIGNATURE, verbatim.
const VECTORS = [
  {
    name: 'Basic POST with JSON body',
    inputs: {
      method: 'POST',
      path: '/api/v1/payments',
      query: '',
      timestamp: '1700000000',
      nonce: '550e8400-e29b-41d4-a716-446655440000',
      body: '{"amount":100,"currency":"SGD"}',
    },
    canonical: 'POST\n/api/v1/payments\n\n1700000000\n550e8400-e29b-41d4-a716-446655440000\n{"amount":100,"currency":"SGD"}',
    signature: 'dxICdll8y40wpOfVSNqn8ow6xnDKZ3u2UaWl/ca45DGi8+qWsfGygGCOLqpU7ON/z8qvL47RBVVFfBsfjz5uAw==',
  },
  {
    name: 'GET with sorted query params',
    inputs: {
      method: 'GET',
      path: '/api/v1/transactions',
      query: 'currency=SGD&limit=10&offset=0&status=completed',
      timestamp: '1700000001',
      nonce: '550e8400-e29b-41d4-a716-446655440001',
      body: '',
    },
    canonical:
      'GET\n/api/v1/transactions\ncurrency=SGD&limit=10&offset=0&status=completed\n1700000001\n550e8400-e29b-41d4-a716-446655440001\n',
    signature: 'eYqP3PbtSMeje+MEa0k51qpyIqNS4KIXysnWbl3UsR+0UIGXhZq079B3JNNMe9cjZsU5Z8LRI5Vs75QXTmn5Cw==',
  },
  {
    name: 'DELETE with empty body',
    inputs: {
      method: 'DELETE',
      path: '/api/v1/webhooks/wh_abc123',
      query: '',
      timestamp: '1700000002',
      nonce: '550e8400-e29b-41d4-a716-446655440002',
      body: '',
    },
    canonical: 'DELETE\n/api/v1/webhooks/wh_abc123\n\n1700000002\n550e8400-e29b-41d4-a716-446655440002\n',
    signature: 'unHuprm0nOh9mHPmoHaXEN26Krhxqp3cS3xHaf3mdrig+IKyh5ufBDpkyxcTNGd87EjJcX0Ec+eMHpfDkXUEBw==',
  },
  {
    name: 'POST with special characters in path',
    inputs: {
      method: 'POST',
      path: '/api/v1/users/user%40example.com/transfers',
      query: '',
      timestamp: '1700000003',
      nonce: '550e8400-e29b-41d4-a716-446655440003',
      body: '{"to":"recipient@test.com","amount":50}',
    },
    canonical:
      'POST\n/api/v1/users/user%40example.com/transfers\n\n1700000003\n550e8400-e29b-41d4-a716-446655440003\n{"to":"recipient@test.com","amount":50}',
    signature: 'WzSLAz3rVP8DRl0Mi5dV0RwuSyOGNreNUb+KpYYLqt/wNLWAYtKmd0kYUqmsSOMWYzPuCYAFglUuR1Q8xeT5Dg==',
  },
  {
    name: 'GET with URL-encoded query params',
    inputs: {
      method: 'GET',
      path: '/api/v1/search',
      query: 'filter%5Bstatus%5D=active&filter%5Btype%5D=payout&q=hello%20world',
      timestamp: '1700000004',
      nonce: '550e8400-e29b-41d4-a716-446655440004',
      body: '',
    },
    canonical:
      'GET\n/api/v1/search\nfilter%5Bstatus%5D=active&filter%5Btype%5D=payout&q=hello%20world\n1700000004\n550e8400-e29b-41d4-a716-446655440004\n',
    signature: 'eYtEmJcW502QY4xvhfHgJjgj0eiD5D1wEbFvX1WxTvMsP0sqswbLacJxT+qpFIrW5mPhUviKad2M2vyAmOe7DA==',
  },
];

const vectorPublicKey = () => createPublicKey(VECTOR_KEY_PEM);

describe('StraitsX request signing: the provider vectors', () => {
  it('derives the published public key from the seed', () => {
    const spki = vectorPublicKey().export({ format: 'der', type: 'spki' });
    expect(spki.subarray(-32).toString('hex')).toBe(VECTOR_PUBLIC_KEY_HEX);
  });

  it.each(VECTORS)('reproduces "$name" byte for byte', ({ inputs, canonical, signature }) => {
    const built = canonicalString(inputs);
    expect(built).toBe(canonical);
    expect(signCanonicalString(built, VECTOR_KEY_PEM)).toBe(signature);
    expect(verifyCanonicalString(built, signature, vectorPublicKey())).toBe(true);
  });

  it('upper-cases the method', () => {
    expect(canonicalString({ ...VECTORS[0]!.inputs, method: 'post' })).toBe(VECTORS[0]!.canonical);
  });

  it('signs the same headers as the vector when given its instant and nonce', () => {
    const { inputs, signature } = VECTORS[0]!;
    const prepared = { method: 'POST' as const, url: 'unused', path: inputs.path, query: inputs.query, body: inputs.body };
    const headers = signingHeaders({
      prepared,
      keyId: 'key-1',
      privateKeyPem: VECTOR_KEY_PEM,
      now: new Date(Number(inputs.timestamp) * 1000 + 999),
      nonce: inputs.nonce,
    });
    expect(headers).toEqual({
      'X-PUBLIC-KEY-ID': 'key-1',
      'X-TIMESTAMP': '1700000000',
      'X-NONCE': inputs.nonce,
      'X-SIGNATURE': signature,
    });
  });
});

describe('StraitsX request signing: sign and verify', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const publicPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const canonical = canonicalString({ ...VECTORS[1]!.inputs });

  it('verifies its own signature and nothing else', () => {
    const signature = signCanonicalString(canonical, privatePem);
    expect(Buffer.from(signature, 'base64')).toHaveLength(64);
    expect(verifyCanonicalString(canonical, signature, publicPem)).toBe(true);
    expect(verifyCanonicalString(`${canonical} `, signature, publicPem)).toBe(false);
    expect(verifyCanonicalString(canonical, signature, vectorPublicKey())).toBe(false);
  });

  it('refuses signatures that are not the exact base64 of 64 bytes', () => {
    const signature = signCanonicalString(canonical, privatePem);
    expect(verifyCanonicalString(canonical, '', publicPem)).toBe(false);
    expect(verifyCanonicalString(canonical, signature.slice(0, -2), publicPem)).toBe(false);
    expect(verifyCanonicalString(canonical, ` ${signature}`, publicPem)).toBe(false);
    expect(verifyCanonicalString(canonical, signature.replace(/=+$/, ''), publicPem)).toBe(false);
    expect(verifyCanonicalString(canonical, `${signature}AA==`, publicPem)).toBe(false);
  });
});

describe('StraitsX client with a signing key', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const secret = {
    signingKeyId: 'kid-123',
    signingPrivateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };

  it('sends the four headers, signed over the path, query and body exactly as they go on the wire', async () => {
    const sent: { url: string; init: RequestInit }[] = [];
    const fetchImpl = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
      sent.push({ url: String(url), init: init ?? {} });
      return new Response('{}', { status: 200 });
    }) as unknown as typeof fetch;
    const now = new Date('2026-01-02T03:04:05.678Z');
    const client = new StraitsxClient({
      baseUrl: 'https://api-sandbox.example.test/v1',
      apiKey: 'key',
      timeoutMs: 1000,
      fetchImpl,
      extraHeaders: requestSigner(secret, () => now),
    });

    await client.request('PATCH', '/kyc/customer_profiles/customer_profile_1', {
      query: { 'filter[registration_id]': 'S1234567A', q: 'hello world' },
      body: { customerName: 'Zoë Tan', address: { city: 'Singapore' } },
    });

    const [{ url, init }] = sent as [{ url: string; init: RequestInit }];
    const headers = init.headers as Record<string, string>;
    expect(Object.keys(headers)).toEqual(expect.arrayContaining(Object.values(SIGNING_HEADERS)));
    expect(headers[SIGNING_HEADERS.keyId]).toBe('kid-123');
    expect(headers[SIGNING_HEADERS.timestamp]).toBe(String(Math.floor(now.getTime() / 1000)));
    expect(headers[SIGNING_HEADERS.nonce]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    // Rebuilt from what went out, not from what the client meant to send.
    const wire = new URL(url);
    const canonical = canonicalString({
      method: init.method as string,
      path: wire.pathname,
      query: wire.search.slice(1),
      timestamp: headers[SIGNING_HEADERS.timestamp]!,
      nonce: headers[SIGNING_HEADERS.nonce]!,
      body: init.body as string,
    });
    expect(wire.pathname).toBe('/v1/kyc/customer_profiles/customer_profile_1');
    expect(wire.search).toBe('?filter%5Bregistration_id%5D=S1234567A&q=hello%20world');
    expect(init.body).toBe('{"customerName":"Zoë Tan","address":{"city":"Singapore"}}');
    expect(verifyCanonicalString(canonical, headers[SIGNING_HEADERS.signature]!, publicKey)).toBe(true);
  });

  it.each([
    ["S1234'(5)A", 'S1234%27%285%29A'],
    ['a*b!', 'a%2Ab%21'],
    ['hello world', 'hello%20world'],
    ['Zoë 東京', 'Zo%C3%AB%20%E6%9D%B1%E4%BA%AC'],
  ])('signs the query value %s as the bytes fetch sends', async (value, onWire) => {
    const sent: string[] = [];
    const fetchImpl = vi.fn(async (url: string | URL | Request) => {
      sent.push(String(url));
      return new Response('{}', { status: 200 });
    }) as unknown as typeof fetch;
    let signed = '';
    const client = new StraitsxClient({
      baseUrl: 'https://api-sandbox.example.test/v1',
      apiKey: 'key',
      timeoutMs: 1000,
      fetchImpl,
      extraHeaders: (prepared) => {
        signed = prepared.query;
        return {};
      },
    });
    await client.request('GET', '/kyc/customer_profiles', { query: { 'filter[registration_id]': value } });
    // The WHATWG URL parser is what fetch applies to the URL before it goes out.
    const wire = new URL(sent[0]!).search.slice(1);
    expect(wire).toBe(`filter%5Bregistration_id%5D=${onWire}`);
    expect(signed).toBe(wire);
  });

  it('uses a new nonce for every request', () => {
    const sign = requestSigner(secret)!;
    const prepared = prepareRequest('https://x.test/v1', 'GET', '/authorize/hello');
    expect(sign(prepared)[SIGNING_HEADERS.nonce]).not.toBe(sign(prepared)[SIGNING_HEADERS.nonce]);
  });

  it('signs nothing when the secret holds no signing key', () => {
    expect(requestSigner({})).toBeUndefined();
  });

  it('refuses half a signing configuration, an unreadable key and a key of another type, naming no key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    const half = () => requestSigner({ signingKeyId: 'kid' });
    const garbage = () => requestSigner({ signingKeyId: 'kid', signingPrivateKeyPem: 'not a key: s3cr3t' });
    const wrongType = () => requestSigner({ signingKeyId: 'kid', signingPrivateKeyPem: rsa });

    expect(half).toThrow(ConfigurationError);
    expect(garbage).toThrow(/not a readable private key/);
    expect(garbage).not.toThrow(/s3cr3t/);
    expect(wrongType).toThrow(/must be an Ed25519 key, not rsa/);
  });

  it('the secret schema takes both signing fields or neither, and names the missing one', () => {
    expect(straitsxSecretSchema.safeParse({ apiKey: 'k' }).success).toBe(true);
    expect(straitsxSecretSchema.safeParse({ apiKey: 'k', ...secret }).success).toBe(true);
    const onlyId = straitsxSecretSchema.safeParse({ apiKey: 'k', signingKeyId: 'kid' });
    const onlyPem = straitsxSecretSchema.safeParse({ apiKey: 'k', signingPrivateKeyPem: secret.signingPrivateKeyPem });
    expect(onlyId.error?.issues.map((i) => i.path.join('.'))).toEqual(['signingPrivateKeyPem']);
    expect(onlyPem.error?.issues.map((i) => i.path.join('.'))).toEqual(['signingKeyId']);
  });
});
