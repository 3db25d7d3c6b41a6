import type { Reply, Router, SandboxRequest } from '../kit';
import {
  ACCOUNT_TYPES,
  EMPLOYMENT_INDUSTRIES,
  EMPLOYMENT_POSITIONS,
  EMPLOYMENT_STATUSES,
  GENDERS,
  IDENTIFICATION_TYPES,
  KYC_OPTIONAL_FIELDS,
  KYC_REQUIRED_FIELDS,
  LANGUAGES,
  TITLES,
} from './lists';
import { invalid, isObject, notFound, ok } from './replies';
import { missingFields, type StoredUser, type WallexStore } from './store';

/**
 * Users as the "Getting Started v2" page documents them: sign-up, the user, its detail (with the
 * `status: { value, missing_fields }` object), and the users listing of the newer docs (most recent
 * first; its path is assumed to be `GET /v2/users`). A duplicate e-mail at sign-up is refused with 400:
 * the page does not say what Wallex answers, and an e-mail is what identifies a Wallex user.
 */

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PASSWORD = /^(?=.*[A-Za-z])(?=.*\d)\S{8,}$/;
const COUNTRY = /^[A-Z]{2}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Every user-detail field, in the page's order of the response. */
export const DETAIL_FIELDS = [
  'title',
  'firstName',
  'lastName',
  'mobileCountryCode',
  'mobileNumber',
  'formerName',
  'aliasName',
  'gender',
  'countryOfBirth',
  'nationality',
  'countryOfResidence',
  'residentialAddress',
  'countryCode',
  'state',
  'city',
  'postalCode',
  'dateOfBirth',
  'identificationType',
  'identificationNumber',
  'issueDate',
  'expiryDate',
  'employmentIndustry',
  'employmentStatus',
  'employmentPosition',
  'occupation',
  'nameInChineseCharacters',
] as const;

const ENUMS: Record<string, readonly string[]> = {
  title: TITLES,
  gender: GENDERS,
  identificationType: IDENTIFICATION_TYPES,
  employmentIndustry: EMPLOYMENT_INDUSTRIES,
  employmentStatus: EMPLOYMENT_STATUSES,
  employmentPosition: EMPLOYMENT_POSITIONS,
};
const COUNTRY_FIELDS = new Set(['countryCode', 'nationality', 'countryOfResidence', 'countryOfBirth']);
const KNOWN = new Set<string>([...KYC_REQUIRED_FIELDS, ...KYC_OPTIONAL_FIELDS]);

/** The user as `GET /v2/users/:userId` shows it. */
export const userView = (user: StoredUser) => ({
  id: user.id,
  email: user.email,
  firstName: user.firstName,
  lastName: user.lastName,
  status: user.status,
  accountId: user.accountId,
  ...(user.remarks ? { remarks: user.remarks } : {}),
});

/** The user detail as `GET` / `PATCH /v2/users/:userId/detail` answer it. */
export function detailView(user: StoredUser) {
  const missing = missingFields(user.detail);
  return {
    ...Object.fromEntries(DETAIL_FIELDS.map((name) => [name, user.detail[name] ?? null])),
    status: { value: missing.length > 0 ? 'incomplete' : 'complete', missing_fields: missing },
  };
}

const text = (body: Record<string, unknown>, name: string, max: number, required = true): string | undefined => {
  const value = body[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new Error(`${name} is required`);
  if (value.length > max) throw new Error(`${name} must be at most ${max} characters`);
  return value;
};

function signup(store: WallexStore, request: SandboxRequest): Reply {
  const body = request.body;
  if (!isObject(body)) return invalid('the body must be a JSON object');
  try {
    const firstName = text(body, 'firstName', 64) as string;
    const lastName = text(body, 'lastName', 64) as string;
    const email = text(body, 'email', 128) as string;
    if (!EMAIL.test(email)) return invalid('email must be a valid e-mail address');
    const password = text(body, 'password', 128, false);
    if (password !== undefined && !PASSWORD.test(password)) {
      return invalid('password must contain at least one letter, a number and minimum of 8 characters with no space');
    }
    const language = text(body, 'language', 2, false) ?? 'en';
    if (!(LANGUAGES as readonly string[]).includes(language)) return invalid('language must be en or id');
    const countryCode = text(body, 'countryCode', 2) as string;
    if (!COUNTRY.test(countryCode)) return invalid('countryCode must be an iso 3166 two letter code');
    const accountType = text(body, 'accountType', 16) as string;
    if (!(ACCOUNT_TYPES as readonly string[]).includes(accountType)) return invalid('accountType can be company or individual');
    if (store.findByEmail(email)) return invalid('email already exists');
    const user = store.addUser({ firstName, lastName, email, language, countryCode, accountType });
    return ok({ userId: user.id, email, firstName, lastName, language, countryCode, accountType });
  } catch (error) {
    return invalid((error as Error).message);
  }
}

/** Checks one detail value; a string answer is the error message. */
function checkDetail(name: string, value: unknown): string | undefined {
  if (value === null) return undefined;
  if (typeof value !== 'string') return `${name} must be a string or null`;
  const allowed = ENUMS[name];
  if (allowed && !allowed.includes(value)) return `${name} must be one of the listed values`;
  if (COUNTRY_FIELDS.has(name) && !COUNTRY.test(value)) return `${name} must be an iso 3166 two letter code`;
  if (name === 'dateOfBirth' && !ISO_DATE.test(value)) return 'dateOfBirth must be in format YYYY-MM-DD';
  return undefined;
}

function patchDetail(store: WallexStore, request: SandboxRequest): Reply {
  const user = store.users.get(request.params.userId ?? '');
  if (!user) return notFound();
  const body = request.body;
  if (!isObject(body)) return invalid('the body must be a JSON object');
  for (const [name, value] of Object.entries(body)) {
    if (!KNOWN.has(name)) continue;
    const error = checkDetail(name, value);
    if (error) return invalid(error);
  }
  for (const [name, value] of Object.entries(body)) {
    if (KNOWN.has(name)) user.detail[name] = value as string | null;
  }
  return ok(detailView(user));
}

function listUsers(store: WallexStore, request: SandboxRequest, pageSize: number): Reply {
  const page = Number(request.query['pagination[page]'] ?? 1);
  if (!Number.isInteger(page) || page < 1) return invalid('pagination[page] must be a positive integer');
  const users = [...store.users.values()].sort((a, b) => b.seq - a.seq);
  return ok({ value: users.slice((page - 1) * pageSize, page * pageSize).map(userView) });
}

/** Adds sign-up, user, users listing and user-detail routes. */
export function addUserRoutes(router: Router, store: WallexStore, options: { usersPageSize?: number } = {}): void {
  const withUser = (handler: (user: StoredUser) => Reply) => (request: SandboxRequest) => {
    const user = store.users.get(request.params.userId ?? '');
    return user ? handler(user) : notFound();
  };
  router
    .add('POST', '/v2/signup', (request) => signup(store, request))
    .add('GET', '/v2/users', (request) => listUsers(store, request, options.usersPageSize ?? 50))
    .add(
      'GET',
      '/v2/users/:userId',
      withUser((user) => ok(userView(user))),
    )
    .add(
      'GET',
      '/v2/users/:userId/detail',
      withUser((user) => ok(detailView(user))),
    )
    .add('PATCH', '/v2/users/:userId/detail', (request) => patchDetail(store, request));
}
