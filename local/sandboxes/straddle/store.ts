import { randomUUID } from 'node:crypto';
import type { CustomerStatus as StraddleCustomerStatus } from './rules';

/** What the Straddle sandbox keeps in memory: customers, unmasked, as submitted. */

export type SandboxOutcome = 'standard' | 'verified' | 'rejected' | 'review';
export type ProcessingMethod = 'inline' | 'background' | 'skip';

export interface StoredCustomer {
  id: string;
  type: 'individual' | 'business';
  name: string;
  email: string;
  phone: string;
  external_id: string | null;
  status: StraddleCustomerStatus;
  address: Record<string, unknown> | null;
  /** Unmasked: responses mask it, the unmasked endpoint shows it. */
  compliance_profile: Record<string, unknown> | null;
  device: { ip_address: string };
  metadata: Record<string, string> | null;
  config: { processing_method: ProcessingMethod; sandbox_outcome: SandboxOutcome };
  created_at: string;
  updated_at: string;
  /** Creation order, the tie-breaker when two customers share a timestamp. */
  seq: number;
  reviewId: string;
}

/**
 * The verdict of the sandbox's checks, as Straddle's sandbox documents `config.sandbox_outcome`:
 * verified, review and rejected as asked; `standard` runs the real checks, and the synthetic identities
 * used in a sandbox typically come back `review`.
 */
export function outcomeStatus(outcome: SandboxOutcome): StraddleCustomerStatus {
  if (outcome === 'verified') return 'verified';
  if (outcome === 'rejected') return 'rejected';
  return 'review';
}

/** The sandbox's state; every method is synchronous, so a check-then-insert cannot interleave. */
export class StraddleStore {
  readonly customers = new Map<string, StoredCustomer>();
  private seq = 0;
  private last = 0;

  constructor(private readonly clock: () => Date = () => new Date()) {}

  /**
   * The time of a change. Strictly increasing, so two changes in one millisecond (or under a test's
   * fixed clock) still order by their timestamps, as receivers are told to order events.
   */
  stamp(): string {
    this.last = Math.max(this.clock().getTime(), this.last + 1);
    return new Date(this.last).toISOString();
  }

  /** The customer with this email (Straddle: unique per account, case-insensitive here), other than `except`. */
  findByEmail(email: string, except?: string): StoredCustomer | undefined {
    const wanted = email.trim().toLowerCase();
    for (const customer of this.customers.values()) {
      if (customer.id !== except && customer.email.trim().toLowerCase() === wanted) return customer;
    }
    return undefined;
  }

  /** Stores a new customer. */
  add(fields: Omit<StoredCustomer, 'id' | 'created_at' | 'updated_at' | 'seq' | 'reviewId'>): StoredCustomer {
    const at = this.stamp();
    const customer: StoredCustomer = {
      ...fields,
      id: randomUUID(),
      created_at: at,
      updated_at: at,
      seq: ++this.seq,
      reviewId: randomUUID(),
    };
    this.customers.set(customer.id, customer);
    return customer;
  }

  /** Applies a change and moves updated_at on. */
  update(customer: StoredCustomer, change: Partial<StoredCustomer>): StoredCustomer {
    Object.assign(customer, change, { updated_at: this.stamp() });
    return customer;
  }

  /** Every customer and the counters, for the state file. */
  snapshot() {
    return { customers: [...this.customers.entries()], seq: this.seq, last: this.last };
  }

  /** Takes back what `snapshot` gave. */
  restore(state: ReturnType<StraddleStore['snapshot']>): void {
    this.customers.clear();
    for (const [id, customer] of state.customers) this.customers.set(id, customer);
    this.seq = state.seq;
    this.last = state.last;
  }

  /** Forgets every customer. */
  reset(): void {
    this.customers.clear();
  }
}
