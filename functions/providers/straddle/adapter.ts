import * as z from 'zod/mini';
import { intEnv, optionalEnv, positiveEnv, requireEnv } from '../../shared/env';
import { ProviderConflict, ProviderInvalidRequest } from '../../shared/errors';
import { readSecret } from '../../shared/secrets';
import { admitRequest, rateGroup } from '../../store/rate-budget';
import type { DocumentSlot, OnboardingRequest, ProfileResult, ProviderAdapter, StepContext } from '../port';
import { StraddleClient, stPath } from './client';
import { PROVIDER } from './errors';
import { straddleIdempotencyKey } from './idempotency';
import { type CustomerStatusView, readCustomer, toCreateBody, toProfileResult } from './mappers';
import { type StraddleCustomer, straddleCustomerSchema } from './schema';

/**
 * The Straddle secret: the API key (Bearer), and the webhook endpoint's signing secret (`whsec_…`) for
 * the webhook route. Sandbox and production keys and secrets differ; each deployment holds its own.
 */
export const straddleSecretSchema = z.object({
  apiKey: z.string().check(z.minLength(1)),
  webhookSecret: z.optional(z.string().check(z.regex(/^whsec_[A-Za-z0-9+/=]+$/, 'must be whsec_ followed by base64'))),
});

/** What the adapter and the operator helpers need of a client: one request at a time. */
export type StraddleTransport = Pick<StraddleClient, 'request'>;

/**
 * A step's context, plus the idempotency attempt: 0 unless the onboarding record says an earlier
 * create or decision was refused with a 400, whose key is spent (see idempotency.ts).
 */
export type StraddleStepContext = StepContext & { idempotencyAttempt?: number };

/** The Straddle customer of a request; the request was validated at intake, so a failure here is a bug. */
export function straddleCustomerOf(request: OnboardingRequest): StraddleCustomer {
  // Read through a wider type: the request union gains its Straddle branch where the adapter is registered.
  const wide = request as unknown as { provider?: unknown; customer?: unknown };
  if (wide.provider !== PROVIDER) throw new Error(`request for ${String(wide.provider)} given to the Straddle adapter`);
  return straddleCustomerSchema.parse(wide.customer);
}

/**
 * Straddle: a customer is created with an Idempotency-Key derived from the onboarding id and carries the
 * onboarding id as external_id, so an answer lost in transit is found again, first by a look-up on
 * external_id before creating, then by the key's replay. KYC is data-only (no documents) and usually
 * decided at create; `review` waits for an operator's decision, later changes arrive as events.
 */
export class StraddleAdapter implements ProviderAdapter {
  readonly name = PROVIDER;

  constructor(private readonly transport: () => Promise<StraddleTransport>) {}

  needsVirtualAccount(): boolean {
    return false;
  }

  requiredDocuments(): DocumentSlot[] {
    return [];
  }

  /** Look-up by external_id, then the create (or one read when the customer is known): paced as one group. */
  async createProfile(context: StraddleStepContext & { profileId?: string }): Promise<ProfileResult> {
    return rateGroup(context.profileId ? 1 : 2, () => this.createOrFind(context));
  }

  private async createOrFind(context: StraddleStepContext & { profileId?: string }): Promise<ProfileResult> {
    const { onboardingId, request, profileId } = context;
    const customer = straddleCustomerOf(request);
    const client = await this.transport();
    if (profileId) return toProfileResult(await this.get(client, profileId), false);
    const existing = await this.findByExternalId(client, onboardingId);
    if (existing) return toProfileResult(existing, false);

    const body = toCreateBody(customer, onboardingId);
    const idempotencyKey = straddleIdempotencyKey(onboardingId, 'createCustomer', context.idempotencyAttempt ?? 0, body);
    try {
      const answer = await client.request('POST', '/v1/customers', { body, idempotencyKey });
      // A replay is the answer to an earlier attempt: that attempt created the customer, not this one.
      return toProfileResult(readCustomer(answer.data, answer.requestId), !answer.replayed);
    } catch (error) {
      // A duplicate email (422) or a reused key (409) may be our own earlier attempt: look once more.
      const maybeOurs =
        (error instanceof ProviderInvalidRequest && error.httpStatus === 422) || error instanceof ProviderConflict;
      if (!maybeOurs) throw error;
      const found = await this.findByExternalId(client, onboardingId);
      if (found) return toProfileResult(found, false);
      throw error;
    }
  }

  async getProfileStatus({ profileId }: StraddleStepContext & { profileId: string }): Promise<ProfileResult> {
    return toProfileResult(await this.get(await this.transport(), profileId), false);
  }

  /** `PATCH /v1/customers/{id}/review`; only a customer in `review` can be decided (else 422 → not_in_review). */
  async decideReview(
    context: StraddleStepContext & { profileId: string; decision: 'verified' | 'rejected'; reason?: string },
  ): Promise<ProfileResult> {
    const { onboardingId, profileId, decision } = context;
    const client = await this.transport();
    // Straddle takes the status only; the operator's reason stays in our own record.
    const body = { status: decision };
    const idempotencyKey = straddleIdempotencyKey(onboardingId, 'reviewDecision', context.idempotencyAttempt ?? 0, {
      profileId,
      ...body,
    });
    try {
      const answer = await client.request('PATCH', stPath`/v1/customers/${profileId}/review`, { body, idempotencyKey });
      return toProfileResult(readCustomer(answer.data, answer.requestId), false);
    } catch (error) {
      if (!(error instanceof ProviderInvalidRequest) || error.httpStatus !== 422) throw error;
      throw new ProviderInvalidRequest({
        provider: PROVIDER,
        httpStatus: 422,
        code: 'not_in_review',
        providerMessage: error.providerMessage,
        requestId: error.requestId,
        cause: error,
      });
    }
  }

  private async get(client: StraddleTransport, id: string): Promise<CustomerStatusView> {
    const answer = await client.request('GET', stPath`/v1/customers/${id}`);
    return readCustomer(answer.data, answer.requestId);
  }

  private async findByExternalId(client: StraddleTransport, externalId: string): Promise<CustomerStatusView | undefined> {
    const answer = await client.request<unknown[]>('GET', '/v1/customers', {
      query: { external_id: externalId, sort_by: 'created_at', sort_order: 'asc', page_size: 10 },
    });
    const [first] = Array.isArray(answer.data) ? answer.data : [];
    return first === undefined ? undefined : readCustomer(first, answer.requestId);
  }
}

let client: StraddleClient | undefined;
let clientKey: string | undefined;

/**
 * A client whose every request is first admitted by the provider's shared budget in the table.
 * Straddle documents 429 but no number, so the rate is STRADDLE_RATE_PER_SECOND, 10 by default.
 */
export function throttledStraddle(
  inner: StraddleTransport,
  rate = positiveEnv('STRADDLE_RATE_PER_SECOND', 10),
): StraddleTransport {
  return {
    request: async (method, path, options) => {
      await admitRequest(PROVIDER, rate);
      return inner.request(method, path, options);
    },
  };
}

/** The throttled client wired to the deployed configuration: base URL and timeout from env, key from the secret. */
export async function straddleTransport(): Promise<StraddleTransport> {
  const secret = await readSecret('STRADDLE_SECRET_ARN', straddleSecretSchema);
  const accountId = optionalEnv('STRADDLE_ACCOUNT_ID', '');
  const key = JSON.stringify([secret.apiKey, accountId]);
  // A new client when the key changes (rotation), so a replaced key is never used again.
  if (!client || clientKey !== key) {
    client = new StraddleClient({
      baseUrl: requireEnv('STRADDLE_BASE_URL'),
      apiKey: secret.apiKey,
      timeoutMs: intEnv('PROVIDER_TIMEOUT_MS', 10_000),
      ...(accountId ? { accountId } : {}),
    });
    clientKey = key;
  }
  return throttledStraddle(client);
}

/** The adapter wired to the deployed configuration. */
export function straddleAdapter(): StraddleAdapter {
  return new StraddleAdapter(straddleTransport);
}
