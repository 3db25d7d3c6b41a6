import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { Reply, SandboxRequest } from '../kit';
import { flatError } from './replies';

/**
 * The sandbox side of HTTP request signing: when an account has it on, every request must carry the four
 * headers, a timestamp within ±300 s of the server's clock, a UUID nonce not seen within that window,
 * and an Ed25519 signature over the canonical string rebuilt from the request as received.
 *
 * The provider documents no error codes for signing failures (a gap in its reference); its
 * troubleshooting table names only "Invalid signature" and "Timestamp expired". The sandbox answers 401
 * with the flat STXE-1000 body (the code for a rejected credential) and a message naming the check.
 */

/** The four headers as the signing reference spells them. */
const SIGNING_HEADERS = {
  keyId: 'X-PUBLIC-KEY-ID',
  timestamp: 'X-TIMESTAMP',
  nonce: 'X-NONCE',
  signature: 'X-SIGNATURE',
} as const;

/** The reference's nonce: a UUID. */
const NONCE_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP_TOLERANCE_SECONDS = 300;
const BASE64_SIGNATURE = /^[A-Za-z0-9+/]{86}==$/;

/**
 * The query part of the canonical string from the query as received: its pairs byte for byte, sorted by
 * key then value. Nothing is decoded or re-encoded, so a client that signed other bytes than it sent fails.
 */
export function receivedCanonicalQuery(rawQuery: string): string {
  const pairs = rawQuery
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair): [string, string] => {
      const at = pair.indexOf('=');
      return at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
    });
  const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  pairs.sort((a, b) => byCodePoint(a[0], b[0]) || byCodePoint(a[1], b[1]));
  return pairs.map(([key, value]) => `${key}=${value}`).join('&');
}

const verifies = (canonical: string, signature: string, key: KeyObject) => {
  if (!BASE64_SIGNATURE.test(signature)) return false;
  try {
    return verify(null, Buffer.from(canonical, 'utf8'), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
};

/** The public key registered on the dashboard and the key id it was given. */
export interface SandboxSigningConfig {
  keyId: string;
  publicKeyPem: string;
}

export interface SandboxSigningOptions {
  /** Requires signed requests from the start; `enableSigning` turns it on later. */
  signing?: SandboxSigningConfig;
}

/** Test controls for request signing on a running sandbox. */
export interface SandboxSigningControls {
  /** Requires every request from now on to be signed with this key. */
  enableSigning(config: SandboxSigningConfig): void;
  /** Accepts unsigned requests again (the dashboard toggle off). */
  disableSigning(): void;
}

interface ActiveKey {
  keyId: string;
  publicKey: KeyObject;
}

const header = (request: SandboxRequest, name: string) => {
  const value = request.headers[name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
};

const refuse = (message: string): Reply => flatError(401, 'STXE-1000', message);

/** Checks request signatures and remembers nonces for as long as their timestamp would be accepted. */
export class SandboxRequestSigning {
  private key: ActiveKey | undefined;
  /** Nonce (lower-cased) to the epoch second after which its timestamp is out of the window. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly clock: () => Date,
    private readonly initial?: SandboxSigningConfig,
  ) {
    if (initial) this.enable(initial);
  }

  enable(config: SandboxSigningConfig): void {
    this.key = { keyId: config.keyId, publicKey: createPublicKey(config.publicKeyPem) };
    this.seen.clear();
  }

  disable(): void {
    this.key = undefined;
    this.seen.clear();
  }

  /** Back to the configuration the sandbox was started with, nonces forgotten. */
  reset(): void {
    if (this.initial) this.enable(this.initial);
    else this.disable();
  }

  controls(): SandboxSigningControls {
    return { enableSigning: (config) => this.enable(config), disableSigning: () => this.disable() };
  }

  /** undefined when the request may go on; otherwise the 401 that refuses it. */
  check(request: SandboxRequest): Reply | undefined {
    const key = this.key;
    if (!key) return undefined;
    const keyId = header(request, SIGNING_HEADERS.keyId);
    const timestamp = header(request, SIGNING_HEADERS.timestamp);
    const nonce = header(request, SIGNING_HEADERS.nonce);
    const signature = header(request, SIGNING_HEADERS.signature);
    const missing = Object.values(SIGNING_HEADERS).filter((name) => !header(request, name));
    if (missing.length > 0 || !keyId || !timestamp || !nonce || !signature) {
      return refuse(`Missing signature header: ${missing.join(', ')}`);
    }
    if (keyId !== key.keyId) return refuse('Invalid public key ID');
    if (!/^\d{1,12}$/.test(timestamp)) return refuse('Invalid timestamp');
    const now = Math.floor(this.clock().getTime() / 1000);
    const sent = Number(timestamp);
    if (Math.abs(now - sent) > TIMESTAMP_TOLERANCE_SECONDS) return refuse('Timestamp expired');
    if (!NONCE_PATTERN.test(nonce)) return refuse('Invalid nonce');

    // METHOD, PATH, QUERY, TIMESTAMP, NONCE and BODY as received, one per line.
    const canonical = [
      request.method.toUpperCase(),
      request.path,
      receivedCanonicalQuery(request.rawQuery),
      timestamp,
      nonce,
      request.rawBody,
    ].join('\n');
    if (!verifies(canonical, signature, key.publicKey)) return refuse('Invalid signature');

    // Recorded only after the signature holds, so a forged request cannot use up someone's nonce.
    this.forgetExpired(now);
    const id = nonce.toLowerCase();
    if (this.seen.has(id)) return refuse('Nonce reused');
    // How long the provider keeps nonces is not documented; "within the window" is read as: for as long
    // as a request carrying this timestamp would still be accepted.
    this.seen.set(id, sent + TIMESTAMP_TOLERANCE_SECONDS);
    return undefined;
  }

  private forgetExpired(now: number): void {
    for (const [nonce, until] of this.seen) if (until < now) this.seen.delete(nonce);
  }
}
