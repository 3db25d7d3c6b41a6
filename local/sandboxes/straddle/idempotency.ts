import { createHash } from 'node:crypto';
import type { Handler, Reply, SandboxRequest } from '../kit';
import { conflict, invalid } from './replies';

/**
 * Straddle's Idempotency-Key rules, as its idempotency page states them:
 * - optional on POST, PUT, PATCH and DELETE; 10 to 40 characters, else 400;
 * - a new key: the request runs, and its path, method and body hash are stored with the answer;
 * - the same key while the first request is still running: 409;
 * - the same key and an identical request once it completed: the original answer again, with
 *   `Idempotent-Replayed: true`;
 * - the same key with a different path, method or body: 409;
 * - after a 400 the key is spent: any reuse is a 409 (a corrected request needs a new key);
 * - keys are kept about 24 hours.
 * A 5xx is not stored (the request did not complete), so its retry runs again. Requests refused before
 * they reach the handler (authentication, rate limit, an injected fault before the handler) never
 * touch the ledger; an injected fault after the handler finds the answer stored, as a lost answer would.
 */

interface Entry {
  fingerprint: string;
  state: 'in_flight' | 'completed' | 'spent';
  reply?: Reply;
  expiresAt: number;
}

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

const MIN = 10;
const MAX = 40;

const fingerprintOf = (request: SandboxRequest) =>
  createHash('sha256').update(`${request.method} ${request.path}\n${request.rawBody}`).digest('hex');

const headerOf = (request: SandboxRequest) => {
  const value = request.headers['idempotency-key'];
  return Array.isArray(value) ? value[0] : value;
};

/** The stored keys and the answers they replay. */
export class IdempotencyLedger {
  private readonly entries = new Map<string, Entry>();
  /** Milliseconds each keyed request is held before it runs, so a test can catch one in flight. */
  processingDelayMs = 0;

  constructor(
    private readonly now: () => number = () => Date.now(),
    private readonly ttlMs = IDEMPOTENCY_TTL_MS,
  ) {}

  /** Wraps a mutating route's handler with the key rules. */
  wrap(handler: Handler): Handler {
    return (request) => this.run(request, handler);
  }

  private async run(request: SandboxRequest, handler: Handler): Promise<Reply> {
    const key = headerOf(request);
    if (key === undefined) return handler(request);
    if (key.length < MIN || key.length > MAX) {
      return invalid(
        [{ reference: 'Idempotency-Key', detail: `must be ${MIN} to ${MAX} characters` }],
        'Invalid Idempotency-Key header.',
      );
    }
    this.expire();
    const fingerprint = fingerprintOf(request);
    const entry = this.entries.get(key);
    if (entry) return this.repeat(entry, fingerprint);

    const held: Entry = { fingerprint, state: 'in_flight', expiresAt: this.now() + this.ttlMs };
    this.entries.set(key, held);
    let reply: Reply;
    try {
      if (this.processingDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.processingDelayMs));
      reply = await handler(request);
    } catch (error) {
      this.entries.delete(key);
      throw error;
    }
    if (reply.status >= 500) this.entries.delete(key);
    else if (reply.status === 400) held.state = 'spent';
    else Object.assign(held, { state: 'completed', reply: structuredClone(reply) });
    return reply;
  }

  private repeat(entry: Entry, fingerprint: string): Reply {
    if (entry.state === 'in_flight') return conflict('A request with this Idempotency-Key is still in progress. Retry later.');
    if (entry.state === 'spent') {
      return conflict(
        'This Idempotency-Key has already been used for a request that failed validation; send the corrected request with a new key.',
      );
    }
    if (entry.fingerprint !== fingerprint) return conflict('This Idempotency-Key has already been used for a different request.');
    const reply = structuredClone(entry.reply as Reply);
    return { ...reply, headers: { ...reply.headers, 'Idempotent-Replayed': 'true' } };
  }

  private expire(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now && entry.state !== 'in_flight') this.entries.delete(key);
  }

  /** Completed and spent keys, for the state file: a request in flight did not complete, so its key is free again. */
  snapshot() {
    return [...this.entries.entries()].filter(([, entry]) => entry.state !== 'in_flight');
  }

  /** Takes back what `snapshot` gave. */
  restore(entries: [string, Entry][]): void {
    this.entries.clear();
    for (const [key, entry] of entries) this.entries.set(key, entry);
  }

  /** Forgets every key. */
  reset(): void {
    this.entries.clear();
    this.processingDelayMs = 0;
  }
}
