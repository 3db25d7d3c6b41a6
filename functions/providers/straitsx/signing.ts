import { createPrivateKey, createPublicKey, type KeyObject, randomUUID, sign, verify } from 'node:crypto';
import { ConfigurationError } from '../../shared/errors';
import type { PreparedRequest } from './client';

/**
 * StraitsX HTTP request signing (optional per account): Ed25519 over a canonical string of the request,
 * sent in four headers next to the API key. The canonical string is built from the very strings the
 * client puts on the wire (`PreparedRequest`), so what is signed cannot drift from what is sent.
 */

/** The four signing headers, spelled as the provider documents them. */
export const SIGNING_HEADERS = {
  keyId: 'X-PUBLIC-KEY-ID',
  timestamp: 'X-TIMESTAMP',
  nonce: 'X-NONCE',
  signature: 'X-SIGNATURE',
} as const;

/** The nonce rule from the provider's reference: a UUID, any case. */
export const NONCE_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How far X-TIMESTAMP may be from the server's clock, in seconds. */
export const TIMESTAMP_TOLERANCE_SECONDS = 300;

/** The parts of the canonical string; query and body are '' when there is none. */
export interface CanonicalParts {
  method: string;
  /** The path exactly as sent, percent-encoding and base path (`/v1`) included. */
  path: string;
  /** The encoded, sorted query as sent, without `?`. */
  query: string;
  timestamp: string;
  nonce: string;
  body: string;
}

/** METHOD\nPATH\nQUERY\nTIMESTAMP\nNONCE\nBODY, the method upper-cased; empty parts keep their line. */
export function canonicalString({ method, path, query, timestamp, nonce, body }: CanonicalParts): string {
  return [method.toUpperCase(), path, query, timestamp, nonce, body].join('\n');
}

const asPrivateKey = (key: string | KeyObject) => (typeof key === 'string' ? createPrivateKey(key) : key);
const asPublicKey = (key: string | KeyObject) => (typeof key === 'string' ? createPublicKey(key) : key);

/** Base64 of the raw 64-byte Ed25519 signature over the canonical string's UTF-8 bytes. */
export function signCanonicalString(canonical: string, privateKeyPem: string | KeyObject): string {
  return sign(null, Buffer.from(canonical, 'utf8'), asPrivateKey(privateKeyPem)).toString('base64');
}

const BASE64_SIGNATURE = /^[A-Za-z0-9+/]{86}==$/;

/** True when the base64 signature is a valid Ed25519 signature of the canonical string by this key. */
export function verifyCanonicalString(canonical: string, signatureB64: string, publicKeyPem: string | KeyObject): boolean {
  // Buffer.from(..., 'base64') skips junk silently; only the exact encoding of 64 bytes is accepted.
  if (!BASE64_SIGNATURE.test(signatureB64)) return false;
  try {
    return verify(null, Buffer.from(canonical, 'utf8'), asPublicKey(publicKeyPem), Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}

export interface SigningHeadersInput {
  prepared: PreparedRequest;
  keyId: string;
  privateKeyPem: string | KeyObject;
  /** The signing instant; default now. */
  now?: Date;
  /** Default a fresh random UUID. */
  nonce?: string;
}

/** The four signing headers for one prepared request. */
export function signingHeaders({ prepared, keyId, privateKeyPem, now = new Date(), nonce = randomUUID() }: SigningHeadersInput) {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const canonical = canonicalString({ ...prepared, timestamp, nonce });
  return {
    [SIGNING_HEADERS.keyId]: keyId,
    [SIGNING_HEADERS.timestamp]: timestamp,
    [SIGNING_HEADERS.nonce]: nonce,
    [SIGNING_HEADERS.signature]: signCanonicalString(canonical, privateKeyPem),
  };
}

/** What the StraitsX secret may hold for signing: both fields or neither. */
export interface SigningSecret {
  signingKeyId?: string;
  signingPrivateKeyPem?: string;
}

/**
 * The client's `extraHeaders` hook for a secret holding a signing key, or undefined when it holds none.
 * The key is parsed once here, so a broken key fails at client construction, not mid-request; the
 * error never carries the key.
 */
export function requestSigner(
  secret: SigningSecret,
  clock: () => Date = () => new Date(),
): ((prepared: PreparedRequest) => Record<string, string>) | undefined {
  const { signingKeyId: keyId, signingPrivateKeyPem: pem } = secret;
  if (keyId === undefined && pem === undefined) return undefined;
  if (!keyId || !pem) throw new ConfigurationError('StraitsX signing needs both signingKeyId and signingPrivateKeyPem');
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new ConfigurationError('StraitsX signingPrivateKeyPem is not a readable private key', { cause: error });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new ConfigurationError(`StraitsX signingPrivateKeyPem must be an Ed25519 key, not ${key.asymmetricKeyType}`);
  }
  return (prepared) => signingHeaders({ prepared, keyId, privateKeyPem: key, now: clock() });
}
