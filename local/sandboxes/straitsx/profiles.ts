import { type FieldError, toFieldErrors } from '../../../functions/onboarding/validation';
import { straitsxCustomerSchema } from '../../../functions/providers/straitsx/schema';
import type { Reply, Router, SandboxRequest } from '../kit';
import { invalid, notFound, ok } from './replies';
import { type StoredProfile, type StraitsxStore, sameRegistrationId } from './store';

/** A profile in the provider's envelope: `{ data: { id, type, attributes } }`. */
export function profileDocument(profile: StoredProfile) {
  return {
    data: {
      id: profile.id,
      type: 'customer_profile',
      attributes: {
        ...profile.attributes,
        verificationStatus: profile.verificationStatus,
        createdAt: profile.createdAt,
        updatedAt: profile.updatedAt,
      },
    },
  };
}

// StraitsX names one field per error ("natureOfBusiness is missing"); lead with the full dotted path.
function describe(error: FieldError): string {
  if (!error.path) return error.message;
  const leaf = error.path.split('.').pop() ?? error.path;
  return error.message.startsWith(`${leaf} `)
    ? `${error.path}${error.message.slice(leaf.length)}`
    : `${error.path} ${error.message}`;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function create(store: StraitsxStore, request: SandboxRequest): Reply {
  if (!isObject(request.body)) return invalid('Request body must be a JSON object');
  const parsed = straitsxCustomerSchema.safeParse(request.body);
  if (!parsed.success) {
    const [first] = toFieldErrors(parsed.error);
    return invalid(first ? describe(first) : 'Invalid parameters');
  }
  const fields = parsed.data as Record<string, unknown>;
  // No idempotency key exists for this endpoint: uniqueness of the registration is the only guard.
  // The reference gives no status for XFE16; 400 is what it shows for the other legacy XFE codes here.
  if (store.findByRegistration(fields.registrationType, fields.registrationId)) {
    return { status: 400, body: { error: 'Customer profile already exists', error_code: 'XFE16' } };
  }
  return ok(profileDocument(store.addProfile(fields)));
}

const POSITIVE = /^0*[1-9][0-9]*$/;
const SORTS = ['created_at', '-created_at', 'updated_at', '-updated_at'] as const;
const DATE_FILTERS = ['created_after', 'created_before', 'updated_after', 'updated_before'] as const;

function list(store: StraitsxStore, request: SandboxRequest): Reply {
  const q = request.query;
  for (const key of ['page[size]', 'page[number]']) {
    const value = q[key];
    if (value !== undefined && !POSITIVE.test(value)) return invalid(`${key} must be greater than 0`);
  }
  const sort = q.sort ?? 'created_at';
  if (!(SORTS as readonly string[]).includes(sort)) return invalid(`sort must be one of ${SORTS.join(', ')}`);
  const bounds: Partial<Record<(typeof DATE_FILTERS)[number], number>> = {};
  for (const name of DATE_FILTERS) {
    const value = q[`filter[${name}]`];
    if (value === undefined) continue;
    const time = Date.parse(value);
    if (Number.isNaN(time)) return invalid(`filter[${name}] must be an ISO8601 date`);
    bounds[name] = time;
  }
  const size = Number(q['page[size]'] ?? 10);
  const number = Number(q['page[number]'] ?? 1);
  const registrationId = q['filter[registration_id]'];

  const field = sort.replace('-', '') === 'created_at' ? 'createdAt' : 'updatedAt';
  const direction = sort.startsWith('-') ? -1 : 1;
  const matches = [...store.profiles.values()]
    .filter((p) => registrationId === undefined || sameRegistrationId(p.attributes.registrationId, registrationId))
    .filter((p) => inBounds(Date.parse(p.createdAt), bounds.created_after, bounds.created_before))
    .filter((p) => inBounds(Date.parse(p.updatedAt), bounds.updated_after, bounds.updated_before))
    .sort((a, b) => direction * (a[field].localeCompare(b[field]) || a.seq - b.seq));
  return ok(matches.slice((number - 1) * size, number * size).map(profileDocument));
}

const inBounds = (time: number, after?: number, before?: number) =>
  (after === undefined || time > after) && (before === undefined || time < before);

function get(store: StraitsxStore, request: SandboxRequest): Reply {
  const profile = store.profiles.get(request.params.id ?? '');
  return profile ? ok(profileDocument(profile)) : notFound('Customer profile');
}

/** Adds the customer profile endpoints under `/v1/kyc/customer_profiles`. */
export function addProfileRoutes(router: Router, store: StraitsxStore): void {
  router
    .add('POST', '/v1/kyc/customer_profiles', (request) => create(store, request))
    .add('GET', '/v1/kyc/customer_profiles', (request) => list(store, request))
    .add('GET', '/v1/kyc/customer_profiles/:id', (request) => get(store, request));
}
