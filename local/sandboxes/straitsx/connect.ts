import { createHash } from 'node:crypto';
import type { KeyedRateLimiter, Reply, Router, SandboxRequest } from '../kit';
import { ok } from './replies';
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
  let seq = 0;
  const find = (token: string) => store.connectUsers.get(connectTokenHash(token));
  return {
    connectUrl: `${origin}${CONNECT_BASE_PATH}`,
    addConnectUser: (seed) => {
      if (seed.userApiToken === '' || seed.merchantRef === '')
        throw new Error('a Connect user needs a userApiToken and a merchantRef');
      // Eleven digits, unlike the ten of new accounts, so a carried-over number is easy to tell apart.
      const accountNo = seed.accountNo ?? String(71_000_000_000 + ++seq * 6_133);
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
