import { createHash, randomBytes } from 'node:crypto';
import type { KeyedRateLimiter, Reply, Router, SandboxRequest } from '../kit';
import { invalid, notFound, ok } from './replies';
import type { StoredConnectUser, StraitsxStore } from './store';

/**
 * The legacy Connect API (the old Xfers `api/v3` host), as far as a Connect migration needs it: a user's
 * `GET /api/v3/user/transfer_info`, authenticated by the user's token in `X-XFERS-USER-API-KEY`, and the
 * users themselves, seeded by tests (the OTP sign-up that made them is not simulated).
 *
 * The old Xfers reference documents transfer_info for Singapore as one object: `bank_name_full`,
 * `bank_abbrev`, `bank_account_no`, `bank_code`, `branch_code`, `branch_area` and `unique_id` (the user's
 * phone number, which bank transfers were matched on). Nothing in the documentation says how it answers
 * for a `merchant_ref`, so the query is accepted and not used. Errors come in the legacy flat shape
 * `{error, error_code}`; an unknown or revoked token is 401 `XFE5`.
 */

/** Where the legacy API lives on the sandbox: `<origin>/api/v3` is its base URL. */
export const CONNECT_BASE_PATH = '/api/v3';

const USER_KEY_HEADER = 'x-xfers-user-api-key';
const APP_KEY_HEADER = 'x-xfers-app-api-key';

/** A legacy Connect user to seed. */
export interface ConnectUserSeed {
  userApiToken: string;
  /** The merchant_ref the merchant gave this user under Connect. */
  merchantRef: string;
  /** Their existing virtual account number; one is made up when absent. */
  accountNo?: string;
  /** Shown as `unique_id` in transfer_info, as the legacy API did. */
  phoneNo?: string;
  /** Makes a migration issue a fresh number instead of carrying the old one over. */
  breakMigration?: boolean;
}

/** Test controls for the legacy Connect users of a running sandbox. */
export interface SandboxConnectControls {
  /** The legacy API's base URL, `<origin>/api/v3`. */
  readonly connectUrl: string;
  /** Seeds (or replaces) a Connect user with an existing virtual account; returns its number. */
  addConnectUser(seed: ConnectUserSeed): { accountNo: string };
  /** From now on, a migration of this user gets a fresh number (the MISMATCH path); false if unknown. */
  breakMigrationFor(userApiToken: string): boolean;
  /** Revokes the user's token, as the user can; false if unknown. */
  revokeConnectUser(userApiToken: string): boolean;
}

/** Users are found by a hash of their token, so the sandbox never holds a token. */
export const connectTokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

const legacyError = (status: number, code: string, error: string): Reply => ({ status, body: { error, error_code: code } });

/** True for a path on the legacy host. */
export const isConnectPath = (path: string) => path === CONNECT_BASE_PATH || path.startsWith(`${CONNECT_BASE_PATH}/`);

function userOf(store: StraitsxStore, request: SandboxRequest): StoredConnectUser | Reply {
  const token = request.headers[USER_KEY_HEADER];
  if (typeof token !== 'string' || token === '') return legacyError(401, 'XFE5', 'Missing X-XFERS-USER-API-KEY header');
  const user = store.connectUsers.get(connectTokenHash(token));
  if (!user || user.revoked) return legacyError(401, 'XFE5', 'Invalid user api token');
  return user;
}

const isReply = (value: StoredConnectUser | Reply): value is Reply => 'status' in value;

/**
 * The legacy host's gate, instead of the Customer Profile API's app-key and signing checks (request
 * signing came with the new API): the user's token, then the merchant's rate budget.
 */
export function connectGuard(store: StraitsxStore, request: SandboxRequest, limiter: KeyedRateLimiter): Reply | undefined {
  const user = userOf(store, request);
  if (isReply(user)) return user;
  const appKey = request.headers[APP_KEY_HEADER];
  // The old reference documents 429 "Too Many Requests" with no error code.
  if (!limiter.tryTake(typeof appKey === 'string' && appKey !== '' ? appKey : 'connect'))
    return { status: 429, body: { error: 'Too Many Requests' } };
  return undefined;
}

/** The Singapore transfer_info answer of a user, in the legacy field names. */
function transferInfo(user: StoredConnectUser) {
  return {
    bank_name_full: 'Oversea Chinese Banking Corporation',
    bank_abbrev: 'OCBC',
    bank_account_no: user.accountNo,
    bank_code: '7339',
    branch_code: '646',
    branch_area: 'Jurong East',
    unique_id: (user.phoneNo ?? '').replace(/^\+65/, '').replace(/\D/g, ''),
  };
}

/** Adds the legacy endpoints under `/api/v3`. */
export function addConnectRoutes(router: Router, store: StraitsxStore): void {
  router.add('GET', `${CONNECT_BASE_PATH}/user/transfer_info`, (request) => {
    const user = userOf(store, request);
    return isReply(user) ? user : ok(transferInfo(user));
  });
}

/** What a virtual account create with a Connect token does: refuse the token, or which number to use. */
export type ConnectMigrationDecision = { refused: Reply } | { accountNo: string | undefined };

/**
 * Migration on virtual account create: an unknown or revoked token is refused (401 XFE5); a known user
 * whose merchant_ref is the referenceId keeps their old number on an SGD account, unless the test broke
 * the migration; anything else gets a fresh number.
 */
export function connectMigrationFor(
  store: StraitsxStore,
  userApiToken: string,
  referenceId: string,
  currency: string,
): ConnectMigrationDecision {
  const user = store.connectUsers.get(connectTokenHash(userApiToken));
  if (!user || user.revoked) return { refused: legacyError(401, 'XFE5', 'Invalid user api token') };
  const carries = currency === 'SGD' && !user.breakMigration && user.merchantRef === referenceId;
  return { accountNo: carries ? user.accountNo : undefined };
}

/** The test controls, bound to one sandbox's store. */
export function connectControls(store: StraitsxStore, origin: string): SandboxConnectControls {
  const find = (token: string) => store.connectUsers.get(connectTokenHash(token));
  return {
    connectUrl: `${origin}${CONNECT_BASE_PATH}`,
    addConnectUser: (seed) => {
      if (seed.userApiToken === '' || seed.merchantRef === '')
        throw new Error('a Connect user needs a userApiToken and a merchantRef');
      const accountNo = seed.accountNo ?? store.nextConnectAccountNo();
      store.connectUsers.set(connectTokenHash(seed.userApiToken), {
        merchantRef: seed.merchantRef,
        accountNo,
        phoneNo: seed.phoneNo,
        revoked: false,
        breakMigration: seed.breakMigration ?? false,
      });
      return { accountNo };
    },
    breakMigrationFor: (token) => {
      const user = find(token);
      if (user) user.breakMigration = true;
      return Boolean(user);
    },
    revokeConnectUser: (token) => {
      const user = find(token);
      if (user) user.revoked = true;
      return Boolean(user);
    },
  };
}

/** Where the sandbox-only Connect user endpoints live (beside the provider's own `/v1/sandbox` ones). */
export const CONNECT_USERS_PATH = '/v1/sandbox/connect/users';

const REFERENCE = /^[A-Za-z0-9._:-]{1,191}$/;
const ACCOUNT_NO = /^\d{6,20}$/;

const attributesOf = (body: unknown): Record<string, unknown> | undefined => {
  const data = (body as { data?: { attributes?: unknown } } | undefined)?.data;
  const attributes = data?.attributes;
  return typeof attributes === 'object' && attributes !== null && !Array.isArray(attributes)
    ? (attributes as Record<string, unknown>)
    : undefined;
};

/**
 * `POST /v1/sandbox/connect/users`: a user of the legacy Connect flow, as the OTP sign-up once made
 * them (the sandbox does not simulate that sign-up): a fresh `user_api_token`, shown in this answer
 * only (the sandbox keeps its hash), the `merchant_ref` the merchant gave them (made up when absent)
 * and an existing virtual account number. Body (all optional):
 * `{"data":{"attributes":{"merchantRef","accountNo","phoneNo"}}}`.
 */
function createConnectUser(store: StraitsxStore, request: SandboxRequest): Reply {
  const a = request.body === undefined ? {} : attributesOf(request.body);
  if (!a) return invalid('data.attributes must be an object');
  const { merchantRef = `connect-${randomBytes(6).toString('hex')}`, accountNo, phoneNo } = a;
  if (typeof merchantRef !== 'string' || !REFERENCE.test(merchantRef)) {
    return invalid('merchantRef must be 1 to 191 letters, digits or . _ : -');
  }
  if (accountNo !== undefined && (typeof accountNo !== 'string' || !ACCOUNT_NO.test(accountNo))) {
    return invalid('accountNo must be 6 to 20 digits');
  }
  if (phoneNo !== undefined && (typeof phoneNo !== 'string' || !/^\+?[0-9 ]{6,20}$/.test(phoneNo))) {
    return invalid('phoneNo must be a phone number');
  }
  const userApiToken = randomBytes(24).toString('hex');
  const number = accountNo ?? store.nextConnectAccountNo();
  store.connectUsers.set(connectTokenHash(userApiToken), {
    merchantRef,
    accountNo: number,
    phoneNo,
    revoked: false,
    breakMigration: false,
  });
  return ok({ data: { type: 'connect_user', attributes: { userApiToken, merchantRef, accountNo: number } } }, 201);
}

/**
 * `POST /v1/sandbox/connect/users/revoke`: the user revokes their token, as a user can; later calls
 * with it answer 401 XFE5. The token goes in the body (`{"data":{"attributes":{"userApiToken"}}}`),
 * never in the path, which request logs keep.
 */
function revokeConnectUser(store: StraitsxStore, request: SandboxRequest): Reply {
  const token = attributesOf(request.body)?.userApiToken;
  if (typeof token !== 'string' || token === '') return invalid('userApiToken is required');
  const user = store.connectUsers.get(connectTokenHash(token));
  if (!user) return notFound('Connect user');
  user.revoked = true;
  return ok({ data: { type: 'connect_user', attributes: { merchantRef: user.merchantRef, revoked: true } } });
}

/** Adds the sandbox-only endpoints that create a legacy Connect user and revoke their token. */
export function addConnectSimulationRoutes(router: Router, store: StraitsxStore): void {
  router
    .add('POST', CONNECT_USERS_PATH, (request) => createConnectUser(store, request))
    .add('POST', `${CONNECT_USERS_PATH}/revoke`, (request) => revokeConnectUser(store, request));
}
