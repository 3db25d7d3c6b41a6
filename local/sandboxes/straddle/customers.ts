import type { Reply, Router, SandboxRequest } from '../kit';
import type { IdentityChecks } from './checks';
import type { IdempotencyLedger } from './idempotency';
import { listCustomers } from './list';
import { invalid, invalidFrom, notFound, ok, unprocessable } from './replies';
import { complianceOf, createCustomerBody, replaceCustomerBody } from './rules';
import type { ProcessingMethod, StoredCustomer, StraddleStore } from './store';
import { customerView, unmaskedView } from './views';

/** The customer endpoints: create, get, replace, delete, list and the unmasked read. */

export interface CustomerRouteOptions {
  /** The processing of a create whose body names none; `inline` as Straddle's sandbox shows. */
  defaultProcessing: ProcessingMethod;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const notAnObject = () => invalid([{ reference: 'body', detail: 'must be a JSON object' }]);

// Straddle's observed wording for a duplicate email; it echoes the address, as the provider does.
const duplicateEmail = (email: string) =>
  unprocessable(`Email '${email}' already exists and must be unique.`, [{ reference: 'email', detail: 'must be unique' }]);

function create(store: StraddleStore, checks: IdentityChecks, options: CustomerRouteOptions, request: SandboxRequest): Reply {
  if (!isObject(request.body)) return notAnObject();
  const parsed = createCustomerBody.safeParse(request.body);
  if (!parsed.success) return invalidFrom(parsed.error);
  const body = parsed.data;
  if (store.findByEmail(body.email)) return duplicateEmail(body.email);
  const config = {
    processing_method: body.config?.processing_method ?? options.defaultProcessing,
    sandbox_outcome: body.config?.sandbox_outcome ?? 'standard',
  };
  const customer = store.add({
    type: body.type,
    name: body.name,
    email: body.email,
    phone: body.phone,
    external_id: body.external_id ?? null,
    status: checks.initialStatus({ config }),
    address: body.address ? { ...body.address, address2: body.address.address2 ?? null } : null,
    compliance_profile: body.compliance_profile ? { ...body.compliance_profile } : null,
    device: body.device,
    metadata: body.metadata ?? null,
    config,
  });
  checks.created(customer);
  return ok(customerView(customer), 201);
}

function find(store: StraddleStore, request: SandboxRequest): StoredCustomer | undefined {
  return store.customers.get(request.params.id ?? '');
}

/** `PUT /v1/customers/{id}`: a full replacement; optional fields left out are cleared. */
function replace(store: StraddleStore, checks: IdentityChecks, request: SandboxRequest): Reply {
  const customer = find(store, request);
  if (!customer) return notFound('Customer');
  if (!isObject(request.body)) return notAnObject();
  const parsed = replaceCustomerBody.safeParse(request.body);
  if (!parsed.success) return invalidFrom(parsed.error);
  const body = parsed.data;
  if (body.compliance_profile) {
    // The type cannot change, so the compliance profile must be the one of the customer's type.
    const shape = complianceOf[customer.type];
    if (!shape.safeParse(body.compliance_profile).success) {
      return invalid([
        { reference: 'compliance_profile', detail: `must be the compliance profile of a ${customer.type} customer` },
      ]);
    }
  }
  if (store.findByEmail(body.email, customer.id)) return duplicateEmail(body.email);
  store.update(customer, {
    name: body.name,
    email: body.email,
    phone: body.phone,
    device: body.device,
    status: body.status,
    address: body.address ? { ...body.address, address2: body.address.address2 ?? null } : null,
    compliance_profile: body.compliance_profile ? { ...body.compliance_profile } : null,
    external_id: body.external_id ?? null,
    metadata: body.metadata ?? null,
  });
  checks.changed(customer);
  return ok(customerView(customer));
}

/**
 * `DELETE /v1/customers/{id}`: the reference removes the customer for good (meant for privacy requests)
 * and answers the customer as it was; later reads of it answer 404.
 */
function remove(store: StraddleStore, request: SandboxRequest): Reply {
  const customer = find(store, request);
  if (!customer) return notFound('Customer');
  store.customers.delete(customer.id);
  return ok(customerView(customer));
}

/** Adds the customer endpoints; the mutating ones go through the idempotency ledger. */
export function addCustomerRoutes(
  router: Router,
  store: StraddleStore,
  checks: IdentityChecks,
  ledger: IdempotencyLedger,
  options: CustomerRouteOptions,
): void {
  router
    .add(
      'POST',
      '/v1/customers',
      ledger.wrap((request) => create(store, checks, options, request)),
    )
    .add('GET', '/v1/customers', (request) => listCustomers(store, request))
    .add('GET', '/v1/customers/:id', (request) => {
      const customer = find(store, request);
      return customer ? ok(customerView(customer)) : notFound('Customer');
    })
    .add(
      'PUT',
      '/v1/customers/:id',
      ledger.wrap((request) => replace(store, checks, request)),
    )
    .add(
      'DELETE',
      '/v1/customers/:id',
      ledger.wrap((request) => remove(store, request)),
    )
    .add('GET', '/v1/customers/:id/unmasked', (request) => {
      const customer = find(store, request);
      return customer ? ok(unmaskedView(customer)) : notFound('Customer');
    });
}
