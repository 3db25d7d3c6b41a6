import type { Reply, Router, SandboxRequest } from '../kit';
import type { DocumentCheck } from './documents';
import { isObject, profileDocument, profileExists, profileInvalid, profileIssues, profileNotFound } from './profile-document';
import { createPlusProfile } from './profile-plus';
import { updateProfile } from './profile-update';
import { invalid, ok } from './replies';
import { basicProfileBody } from './rules-basic';
import { isPlusBody } from './rules-plus';
import { type StraitsxStore, sameRegistrationId } from './store';

export { profileDocument } from './profile-document';

/** Fetch every document a profile links, within 3 s each, unless the sandbox is told otherwise. */
export const DEFAULT_DOCUMENT_CHECK: DocumentCheck = { fetchDocuments: true, timeoutMs: 3000 };

function create(store: StraitsxStore, request: SandboxRequest, check: DocumentCheck): Reply | Promise<Reply> {
  if (!isObject(request.body))
    return profileInvalid([{ path: '', message: 'Request body must be a JSON object', missing: false }]);
  // One endpoint takes four body schemas and the reference does not say how it tells them apart. A body
  // with any CP+-only field (identityDocuments, customerFirstName, purposeOfAccount, ...) cannot be a
  // basic profile, so it is taken as CP+ and held to the CP+ rules.
  if (isPlusBody(request.body)) return createPlusProfile(store, request.body, check);
  const parsed = basicProfileBody.safeParse(request.body);
  if (!parsed.success) return profileInvalid(profileIssues(parsed.error, request.body));
  const fields = parsed.data as Record<string, unknown>;
  // No idempotency key exists for this endpoint: uniqueness of the registration is the only guard.
  if (store.findByRegistration(fields.registrationType, fields.registrationId)) return profileExists();
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
  return profile ? ok(profileDocument(profile)) : profileNotFound();
}

/** Adds the customer profile endpoints under `/v1/kyc/customer_profiles`. */
export function addProfileRoutes(router: Router, store: StraitsxStore, check: DocumentCheck = DEFAULT_DOCUMENT_CHECK): void {
  router
    .add('POST', '/v1/kyc/customer_profiles', (request) => create(store, request, check))
    .add('GET', '/v1/kyc/customer_profiles', (request) => list(store, request))
    .add('GET', '/v1/kyc/customer_profiles/:id', (request) => get(store, request))
    .add('PATCH', '/v1/kyc/customer_profiles/:id', (request) => updateProfile(store, request, check));
}
