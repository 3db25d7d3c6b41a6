import type { DurableSchedule } from '../kit';
import type { CustomerStatus as StraddleCustomerStatus } from './rules';
import { outcomeStatus, type StoredCustomer, type StraddleStore } from './store';
import type { WebhookSender } from './webhooks';

/** The scheduled task that ends a customer's background checks with their verdict. */
const CHECKS = 'straddle.checks-done';

/**
 * The identity checks behind a customer's status. `processing_method` is not documented beyond its
 * values; the sandbox reads them as: `inline` decides in the create response (what Straddle's sandbox
 * shows for sandbox_outcome), `background` answers `pending` and decides a moment later with an event,
 * `skip` runs no checks (the customer stays `pending` until a refresh). A refresh re-runs the checks in
 * the background and reports by event, as `PUT …/refresh_review` does.
 */
export class IdentityChecks {
  constructor(
    private readonly store: StraddleStore,
    private readonly webhooks: WebhookSender,
    private readonly schedule: DurableSchedule,
    /** How long background checks take. */
    public delayMs = 50,
  ) {
    schedule.on<{ id: string }>(CHECKS, ({ id }) => {
      const customer = this.store.customers.get(id);
      if (customer) this.setStatus(customer, outcomeStatus(customer.config.sandbox_outcome));
    });
  }

  /** The status a new customer is created with. */
  initialStatus(customer: Pick<StoredCustomer, 'config'>): StraddleCustomerStatus {
    return customer.config.processing_method === 'inline' ? outcomeStatus(customer.config.sandbox_outcome) : 'pending';
  }

  /** After creation: announces the customer and, for background processing, decides later. */
  created(customer: StoredCustomer): void {
    this.webhooks.created(customer);
    if (customer.config.processing_method === 'background') this.later(customer.id);
  }

  /** Re-runs the checks for a customer; the verdict comes by event. */
  refresh(customer: StoredCustomer): void {
    this.later(customer.id);
  }

  /** Announces a change already applied (a replacement). */
  changed(customer: StoredCustomer): void {
    this.webhooks.changed(customer);
  }

  /** Sets a status as Straddle would on its side (a review decision, a deactivation), with its event. */
  setStatus(customer: StoredCustomer, status: StraddleCustomerStatus): StoredCustomer {
    this.store.update(customer, { status });
    this.webhooks.changed(customer);
    return customer;
  }

  private later(id: string): void {
    this.schedule.after(CHECKS, { id }, this.delayMs);
  }

  /** Cancels checks still running. */
  reset(): void {
    this.schedule.cancel();
  }
}
