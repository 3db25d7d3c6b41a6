import { ProviderConflict, ProviderInvalidRequest, ProviderPaced, ProviderUnavailable } from '../../shared/errors';
import type { WallexClient } from './client';
import { wxPath } from './client';
import { isWallexNotFound, PROVIDER, WallexMissingFields } from './errors';
import { detailComplete, listOf, missingFieldsOf, type WallexDetailStatus, type WallexUser } from './mappers';
import type { ProgressStore, WallexProgress } from './progress';
import { toDetailBody, toSignupBody, type WallexCustomer } from './schema';

/** What the user steps need of a client. */
export type WallexTransport = Pick<WallexClient, 'request' | 'upload'>;

/** Pages of the users listing read when looking a user up by e-mail. */
const MAX_LISTING_PAGES = 5;

// How a "this e-mail is taken" answer may read; the body's wording is not documented.
const DUPLICATE_TEXT = /already|exist|registered|taken|duplicate/i;

const sameEmail = (a: unknown, b: string) => typeof a === 'string' && a.trim().toLowerCase() === b.trim().toLowerCase();
const idOf = (user: WallexUser | undefined) => user?.id ?? user?.userId;

/**
 * Finds a user by e-mail in the users listing (`GET /v2/users`). The seed page documents no listing;
 * the newer Partner API docs document "Users Listing" (most recent first) without its path, filters or
 * paging, so the path is assumed from `GET /v2/users/:userId`, the e-mail is matched here (it is not sent
 * in a query string, which ends up in access logs), and `pagination[page]` (the fundings listing's
 * parameter) is tried for a few pages, stopping when a page repeats. A 404 means the credentials' API
 * generation has no listing: undefined.
 */
export async function findUserByEmail(client: WallexTransport, email: string): Promise<string | undefined> {
  let previousFirst: string | undefined;
  try {
    for (let page = 1; page <= MAX_LISTING_PAGES; page++) {
      const answer = await client.request<unknown>('GET', '/v2/users', page > 1 ? { query: { 'pagination[page]': page } } : {});
      const users = listOf<WallexUser>(answer);
      const match = users.find((user) => sameEmail(user.email, email));
      if (match && idOf(match)) return idOf(match);
      const first = idOf(users[0]);
      if (users.length === 0 || first === previousFirst) return undefined;
      previousFirst = first;
    }
  } catch (error) {
    if (isWallexNotFound(error)) return undefined;
    throw error;
  }
  return undefined;
}

/**
 * The Wallex user of this onboarding, signed up at most once. Wallex has no idempotency key, so:
 * - a user id known from an earlier attempt (the workflow's `profileId`, or the progress item) is used;
 * - before the first sign-up, the progress item records that one is being sent; if a later attempt finds
 *   that mark without a user id, the answer was lost, and the user is looked up by e-mail first;
 * - a sign-up refused with 400 (the e-mail may be registered already) is answered by the same look-up.
 * Either way the id is written down as soon as it is known, so the next attempt needs no look-up.
 */
export async function ensureUser(
  client: WallexTransport,
  store: ProgressStore,
  onboardingId: string,
  customer: WallexCustomer,
  progress: WallexProgress,
  profileId: string | undefined,
): Promise<{ userId: string; created: boolean }> {
  const remember = async (userId: string) => {
    if (progress.userId === userId) return;
    progress.userId = userId;
    await store.write(onboardingId, progress);
  };
  const known = profileId ?? progress.userId;
  if (known) {
    await remember(known);
    return { userId: known, created: false };
  }
  if (progress.signupStartedAt) {
    const found = await findUserByEmail(client, customer.email);
    if (found) {
      await remember(found);
      return { userId: found, created: false };
    }
  }
  progress.signupStartedAt = new Date().toISOString();
  await store.write(onboardingId, progress);

  let userId: string | undefined;
  let created = true;
  try {
    const answer = await client.request<WallexUser>('POST', '/v2/signup', { body: toSignupBody(customer) });
    userId = answer?.userId ?? answer?.id;
  } catch (error) {
    if (error instanceof ProviderPaced) {
      // Deferred by the rate budget before anything was sent: no sign-up can be lost, so the next attempt
      // need not look the user up.
      delete progress.signupStartedAt;
      await store.write(onboardingId, progress);
      throw error;
    }
    if (!(error instanceof ProviderInvalidRequest) || error.httpStatus !== 400) throw error;
    const found = await findUserByEmail(client, customer.email);
    if (!found) {
      // Registered, but not findable (no listing for these credentials): an operator must link it.
      if (DUPLICATE_TEXT.test(error.providerMessage ?? '')) {
        throw new ProviderConflict({ provider: PROVIDER, httpStatus: 400, code: 'email_registered', cause: error });
      }
      throw error;
    }
    userId = found;
    created = false;
  }
  // The seed's own example answer has no userId, though its table lists one: fall back to the look-up.
  userId ??= await findUserByEmail(client, customer.email);
  if (!userId) throw new ProviderUnavailable({ provider: PROVIDER, code: 'no_user_id' });
  await remember(userId);
  return { userId, created };
}

/** The user detail as `GET` / `PATCH /v2/users/:userId/detail` answer it (the part read here). */
interface DetailAnswer {
  status?: WallexDetailStatus | string;
}

/**
 * Sends every user-detail field required for KYC screening, unless Wallex already reports the detail
 * complete (a retry after the PATCH landed). The PATCH answer's `status.missing_fields` must be empty:
 * otherwise screening cannot start, and the error lists the missing field names.
 */
export async function sendDetails(client: WallexTransport, userId: string, customer: WallexCustomer): Promise<void> {
  const path = wxPath`/v2/users/${userId}/detail`;
  let current: DetailAnswer | undefined;
  try {
    current = await client.request<DetailAnswer>('GET', path);
  } catch (error) {
    // No detail yet is the same as an incomplete one.
    if (!isWallexNotFound(error)) throw error;
  }
  if (detailComplete(current)) return;
  const answer = await client.request<DetailAnswer>('PATCH', path, { body: toDetailBody(customer) });
  const missing = missingFieldsOf(answer);
  if (missing.length > 0) throw new WallexMissingFields(missing, { httpStatus: 200 });
}
