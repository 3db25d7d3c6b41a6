import { createHash, randomBytes } from 'node:crypto';
import type { Reply, SandboxRequest } from '../kit';
import { isObject, message, ok } from './replies';

/**
 * Tokens as Wallex issues them: `POST /users/v1/authenticate` with the access key pair answers a
 * JWT-looking token valid for 8 hours; a new one may be asked for while the old one is still valid, and
 * both stay usable. The seed page sends the token raw in `Authorization`; the newer docs as `Bearer`.
 */
export interface SandboxAuthOptions {
  accessKeyId: string;
  secretAccessKey: string;
  /** Default 28800 (8 hours); tests shorten it. */
  tokenTtlSeconds?: number;
  /** How `Authorization` must carry the token. Default `raw`, as the seed page documents. */
  authorizationScheme?: 'raw' | 'bearer';
  /** Milliseconds since the epoch. */
  clock: () => number;
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

// Tokens are kept by their hash, so the state file holds no usable credential.
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/** Issued tokens (by hash) and their expiry. */
export class SandboxTokens {
  private readonly tokens = new Map<string, number>();
  private issued = 0;

  constructor(private readonly options: SandboxAuthOptions) {}

  /** `POST /users/v1/authenticate`. */
  authenticate(request: SandboxRequest): Reply {
    const body = request.body;
    if (!isObject(body) || typeof body.accessKeyId !== 'string' || typeof body.secretAccessKey !== 'string') {
      return message(400, 'accessKeyId and secretAccessKey are required');
    }
    if (body.accessKeyId !== this.options.accessKeyId || body.secretAccessKey !== this.options.secretAccessKey) {
      return message(401, 'authentication_failed');
    }
    const now = this.options.clock();
    const token = `${b64({ typ: 'JWT', alg: 'HS256' })}.${b64({ session_id: randomBytes(16).toString('hex'), iat: Math.floor(now / 1000) })}.${randomBytes(32).toString('base64url')}`;
    this.tokens.set(hashOf(token), now + (this.options.tokenTtlSeconds ?? 28_800) * 1000);
    this.issued += 1;
    return ok({ token });
  }

  /** 401 `authentication_failed` unless `Authorization` carries a live token in the configured scheme. */
  check(request: SandboxRequest): Reply | undefined {
    const header = request.headers.authorization;
    if (typeof header !== 'string' || header === '') return message(401, 'authentication_failed');
    const bearer = (this.options.authorizationScheme ?? 'raw') === 'bearer';
    if (bearer !== header.startsWith('Bearer ')) return message(401, 'authentication_failed');
    const token = bearer ? header.slice('Bearer '.length) : header;
    const expiresAt = this.tokens.get(hashOf(token));
    if (expiresAt === undefined || expiresAt <= this.options.clock()) return message(401, 'authentication_failed');
    return undefined;
  }

  /** Tokens issued so far. */
  count(): number {
    return this.issued;
  }

  /** Makes every issued token invalid (as a logout or an expiry would). */
  revokeAll(): void {
    this.tokens.clear();
  }

  reset(): void {
    this.tokens.clear();
    this.issued = 0;
  }

  /** Live tokens by hash and the count issued, for the state file. */
  snapshot() {
    return { tokens: [...this.tokens.entries()], issued: this.issued };
  }

  /** Takes back what `snapshot` gave. */
  restore(state: ReturnType<SandboxTokens['snapshot']>): void {
    this.tokens.clear();
    for (const [hash, expiresAt] of state.tokens) this.tokens.set(hash, expiresAt);
    this.issued = state.issued;
  }
}
