import type { Reply, Router, SandboxRequest } from '../kit';
import type { IdentityChecks } from './checks';
import type { IdempotencyLedger } from './idempotency';
import { invalid, notFound, ok, unprocessable } from './replies';
import type { StraddleStore } from './store';
import { customerView, reviewView } from './views';

/**
 * The review endpoints: `GET …/review` (the identity breakdown), `PATCH …/review` (decide a customer in
 * `review`: verified or rejected; any other current status is a 422), `PUT …/refresh_review` (re-run
 * the checks; the answer is the customer as it is, the verdict comes later by event).
 */

const DECISIONS = ['verified', 'rejected'] as const;

const capitalised = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

function decide(store: StraddleStore, checks: IdentityChecks, request: SandboxRequest): Reply {
  const customer = store.customers.get(request.params.id ?? '');
  if (!customer) return notFound('Customer');
  const body = request.body as { status?: unknown } | undefined;
  const status = body && typeof body === 'object' ? body.status : undefined;
  if (typeof status !== 'string' || !(DECISIONS as readonly string[]).includes(status)) {
    return invalid([{ reference: 'status', detail: status === undefined ? 'is required' : 'must be verified or rejected' }]);
  }
  // Straddle's wording for a decision on a customer that is not in review.
  if (customer.status !== 'review')
    return unprocessable(`Customers with status ${capitalised(customer.status)} cannot be changed.`);
  checks.setStatus(customer, status as (typeof DECISIONS)[number]);
  return ok(customerView(customer));
}

function refresh(store: StraddleStore, checks: IdentityChecks, request: SandboxRequest): Reply {
  const customer = store.customers.get(request.params.id ?? '');
  if (!customer) return notFound('Customer');
  checks.refresh(customer);
  return ok(customerView(customer));
}

/** Adds the review endpoints; the mutating ones go through the idempotency ledger. */
export function addReviewRoutes(router: Router, store: StraddleStore, checks: IdentityChecks, ledger: IdempotencyLedger): void {
  router
    .add('GET', '/v1/customers/:id/review', (request) => {
      const customer = store.customers.get(request.params.id ?? '');
      return customer ? ok(reviewView(customer)) : notFound('Customer');
    })
    .add(
      'PATCH',
      '/v1/customers/:id/review',
      ledger.wrap((request) => decide(store, checks, request)),
    )
    .add(
      'PUT',
      '/v1/customers/:id/refresh_review',
      ledger.wrap((request) => refresh(store, checks, request)),
    );
}
