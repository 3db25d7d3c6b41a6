import { createPublicKey, type KeyObject } from 'node:crypto';
import { encodeQuery } from '../../../functions/providers/straitsx/client';
import {
  canonicalString,
  NONCE_PATTERN,
  SIGNING_HEADERS,
  TIMESTAMP_TOLERANCE_SECONDS,
  verifyCanonicalString,
} from '../../../functions/providers/straitsx/signing';
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

    // The path as received; the query re-encoded and sorted the way the signing reference builds it, so
    // a client that encoded its query differently (`+` for a space) fails here as it would at StraitsX.
    const canonical = canonicalString({
      method: request.method,
      path: request.path,
      query: encodeQuery(request.query),
      timestamp,
      nonce,
      body: request.rawBody,
    });
    if (!verifyCanonicalString(canonical, signature, key.publicKey)) return refuse('Invalid signature');

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
