import * as z from 'zod/mini';
import { intEnv, optionalEnv, positiveEnv, requireEnv } from '../../shared/env';
import { ConfigurationError } from '../../shared/errors';
import { readSecret } from '../../shared/secrets';
import { takeDailyToken } from '../../store/daily-budget';
import { admitRequest, rateGroup } from '../../store/rate-budget';
import { dynamoTokenStore, type TokenStore, tokenSealer } from '../../store/token-cache';
import type { DocumentAccess, DocumentSlot, OnboardingRequest, ProfileResult, ProviderAdapter, StepContext } from '../port';
import { type AuthScheme, WallexClient, wxPath } from './client';
import { sendDocument } from './documents';
import { PROVIDER } from './errors';
import { isBeforeScreening, isUnknownWallexStatus, toProfileResult, toProfileStatus, type WallexUser } from './mappers';
import { documentSetDigest, dynamoProgressStore, type ProgressStore } from './progress';
import type { WallexCustomer } from './schema';
import { ensureUser, sendDetails, type WallexTransport } from './users';

export type { WallexTransport } from './users';

/** A Wallex onboarding request as the request schema carries it. */
export interface WallexOnboardingRequest {
  provider: 'wallex';
  merchantRef: string;
  customer: WallexCustomer;
}

const customerOf = (request: { provider: string }): WallexCustomer => {
  if (request.provider !== PROVIDER) throw new Error(`request for ${request.provider} given to the Wallex adapter`);
  return (request as WallexOnboardingRequest).customer;
};

export interface WallexAdapterDeps {
  client: () => Promise<WallexTransport>;
  progress: ProgressStore;
}

/**
 * Wallex: users, KYC details, documents, screening. The onboarding order is the documented one, one
 * workflow step per call: sign-up (`createProfile`) → user detail, every field required for KYC screening
 * (`submitDetails`) → one document entry and upload per document (`uploadDocument`) → screening
 * (`startScreening`), whose verdict comes later by the user webhook. Each step first checks whether an
 * earlier attempt did it (see `ensureUser`, `sendDetails`, `sendDocument`), so a retry re-sends nothing
 * Wallex accepted. There is no virtual account at Wallex in this flow.
 */
export class WallexAdapter implements ProviderAdapter {
  readonly name = 'wallex' as const;

  constructor(private readonly deps: WallexAdapterDeps) {}

  needsVirtualAccount(): boolean {
    return false;
  }

  /** One slot per declared document type, all required (the schema makes sure an identity document is among them). */
  requiredDocuments(request: OnboardingRequest): DocumentSlot[] {
    return customerOf(request).documents.map((slot) => ({ slot, required: true }));
  }

  /** Signs the user up (or finds it) and says what Wallex waits for before it screens. */
  /** Sign-up (unless the user is known) and a read of the user: paced as one group. */
  async createProfile(context: StepContext & { documents: DocumentAccess; profileId?: string }): Promise<ProfileResult> {
    return rateGroup(context.profileId ? 1 : 2, () => this.signUpOrFind(context));
  }

  private async signUpOrFind({
    onboardingId,
    request,
    profileId,
  }: StepContext & { documents: DocumentAccess; profileId?: string }): Promise<ProfileResult> {
    const customer = customerOf(request);
    const client = await this.deps.client();
    const store = this.deps.progress;
    const progress = await store.read(onboardingId);
    const { userId, created } = await ensureUser(client, store, onboardingId, customer, progress, profileId);

    const user = await client.request<WallexUser>('GET', wxPath`/v2/users/${userId}`);
    const word = user?.status;
    const result = toProfileResult(userId, word, created);
    // Signed up, not screened yet: the details come first (a retry finds them sent and skips the PATCH).
    if (isBeforeScreening(word)) return { ...result, awaiting: 'details' };
    // Wallex asks for documents again: the replaced ones go up, then a new screening.
    if (!isUnknownWallexStatus(word) && toProfileStatus(word) === 'needs_documents') return { ...result, awaiting: 'documents' };
    // Screening started or decided, or a status nobody documented: report where it stands.
    return result;
  }

  async submitDetails({ request, profileId }: StepContext & { profileId: string }): Promise<void> {
    const client = await this.deps.client();
    // A read of the details, then the PATCH: one group.
    await rateGroup(2, () => sendDetails(client, profileId, customerOf(request)));
  }

  async uploadDocument({
    onboardingId,
    profileId,
    slot,
    documents,
  }: StepContext & { profileId: string; slot: string; documents: DocumentAccess }): Promise<{ uploaded: boolean }> {
    const client = await this.deps.client();
    const progress = await this.deps.progress.read(onboardingId);
    // The document list, then the entry that hands out the upload URL (the upload itself goes to storage, not the API).
    const uploaded = await rateGroup(2, () =>
      sendDocument(client, this.deps.progress, onboardingId, profileId, slot, documents, progress),
    );
    return { uploaded };
  }

  /** A read of the user, then the screening: paced as one group. */
  async startScreening(context: StepContext & { profileId: string }): Promise<ProfileResult> {
    return rateGroup(2, () => this.screen(context));
  }

  private async screen({ onboardingId, request, profileId }: StepContext & { profileId: string }): Promise<ProfileResult> {
    const customer = customerOf(request);
    const client = await this.deps.client();
    const store = this.deps.progress;
    const progress = await store.read(onboardingId);
    // The same documents were screened already: after a resubmission request nothing new came in yet, or
    // (older API generation) the user still reads `pending` after screening. Either way, no second screening.
    const documentSet = documentSetDigest(progress.sent, customer.documents);
    if (progress.screenedWith === documentSet) return this.getProfileStatus({ onboardingId, request, profileId });
    // An earlier attempt's screening went through but its answer was lost: the user has moved on, and a
    // second screening would be refused.
    const user = await client.request<WallexUser>('GET', wxPath`/v2/users/${profileId}`);
    const word = user?.status;
    const resubmission = !isUnknownWallexStatus(word) && toProfileStatus(word) === 'needs_documents';
    if (!isBeforeScreening(word) && !resubmission) {
      progress.screenedWith = documentSet;
      await store.write(onboardingId, progress);
      return toProfileResult(profileId, word, false);
    }

    const answer = await client.request<{ status?: string } | undefined>('POST', wxPath`/v2/users/${profileId}/screen`);
    progress.screenedWith = documentSet;
    await store.write(onboardingId, progress);
    // The newer docs: the user moves to pending_approval and the verdict comes by webhook. The seed's
    // example answers a verdict at once; either is mapped.
    return toProfileResult(profileId, answer?.status ?? 'pending_approval', false);
  }

  async getProfileStatus({ profileId }: StepContext & { profileId: string }): Promise<ProfileResult> {
    const client = await this.deps.client();
    const user = await client.request<WallexUser>('GET', wxPath`/v2/users/${profileId}`);
    return toProfileResult(profileId, user?.status, false);
  }
}

/**
 * The Wallex secret: the X-Api-Key, the access key pair for tokens, and (for the webhook route) the
 * custom header set on the webhook subscription, both name and value or neither.
 */
export const wallexSecretSchema = z
  .object({
    apiKey: z.string().check(z.minLength(1)),
    accessKeyId: z.string().check(z.minLength(1)),
    secretAccessKey: z.string().check(z.minLength(1)),
    webhookHeaderName: z.optional(z.string().check(z.regex(/^[A-Za-z0-9-]{1,64}$/))),
    webhookHeaderValue: z.optional(z.string().check(z.minLength(16))),
  })
  .check(
    z.superRefine((secret, ctx) => {
      if ((secret.webhookHeaderName === undefined) !== (secret.webhookHeaderValue === undefined)) {
        const path = secret.webhookHeaderName === undefined ? 'webhookHeaderName' : 'webhookHeaderValue';
        ctx.addIssue({ code: 'custom', path: [path], message: 'webhookHeaderName and webhookHeaderValue go together' });
      }
    }),
  );

/** Everything a Wallex client needs, resolved: from env and the secret, or given by a test. */
export interface WallexConfig {
  baseUrl: string;
  apiKey: string;
  accessKeyId: string;
  secretAccessKey: string;
  timeoutMs: number;
  authScheme?: AuthScheme;
  authPath?: string;
  /** Requests per second across every function (documented limit 5). */
  ratePerSecond: number;
  /** Requests per day across every function (documented limit 432,000). */
  dailyLimit: number;
  /** Default: the shared token cache in the table, sealed under a key derived from the secret access key. */
  tokens?: TokenStore;
  fetchImpl?: typeof fetch;
}

/** A client wired to the shared token cache and the shared per-second and per-day budgets. */
export function createWallexClient(config: WallexConfig): WallexClient {
  return new WallexClient({
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    accessKeyId: config.accessKeyId,
    secretAccessKey: config.secretAccessKey,
    timeoutMs: config.timeoutMs,
    authScheme: config.authScheme,
    authPath: config.authPath,
    tokens: config.tokens ?? dynamoTokenStore(PROVIDER, { sealer: tokenSealer(config.secretAccessKey, PROVIDER) }),
    // The per-second budget first: a request it defers has not yet spent a day's unit.
    beforeRequest: async () => {
      await admitRequest(PROVIDER, config.ratePerSecond);
      await takeDailyToken(PROVIDER, config.dailyLimit);
    },
    fetchImpl: config.fetchImpl,
  });
}

/** An adapter over a fixed configuration, with its progress in the table (or the store given). */
export function createWallexAdapter(config: WallexConfig, progress: ProgressStore = dynamoProgressStore()): WallexAdapter {
  const client = createWallexClient(config);
  return new WallexAdapter({ client: async () => client, progress });
}

const authSchemeFromEnv = (): AuthScheme => {
  const value = optionalEnv('WALLEX_AUTH_SCHEME', 'raw');
  if (value !== 'raw' && value !== 'bearer')
    throw new ConfigurationError('environment variable WALLEX_AUTH_SCHEME must be raw or bearer');
  return value;
};

let cached: { key: string; client: WallexClient } | undefined;

/**
 * The client wired to the deployed configuration: `WALLEX_BASE_URL`, `WALLEX_SECRET_ARN`,
 * `PROVIDER_TIMEOUT_MS` (10 s), `WALLEX_RATE_PER_SECOND` (4), `WALLEX_DAILY_LIMIT` (432000),
 * `WALLEX_AUTH_SCHEME` (`raw` | `bearer`, default raw) and `WALLEX_AUTH_PATH` (optional). For the
 * webhook route's re-reads (`getFunding`, `getRefund`) as much as for the adapter.
 */
export async function wallexClient(): Promise<WallexClient> {
  const secret = await readSecret('WALLEX_SECRET_ARN', wallexSecretSchema);
  const key = JSON.stringify([secret.apiKey, secret.accessKeyId, secret.secretAccessKey]);
  // A new client when a key changes (rotation), so a cached key is never used after it was replaced.
  if (!cached || cached.key !== key) {
    const authPath = optionalEnv('WALLEX_AUTH_PATH', '');
    const client = createWallexClient({
      baseUrl: requireEnv('WALLEX_BASE_URL'),
      apiKey: secret.apiKey,
      accessKeyId: secret.accessKeyId,
      secretAccessKey: secret.secretAccessKey,
      timeoutMs: intEnv('PROVIDER_TIMEOUT_MS', 10_000),
      authScheme: authSchemeFromEnv(),
      authPath: authPath === '' ? undefined : authPath,
      ratePerSecond: positiveEnv('WALLEX_RATE_PER_SECOND', 4),
      dailyLimit: intEnv('WALLEX_DAILY_LIMIT', 432_000),
    });
    cached = { key, client };
  }
  return cached.client;
}

/** The custom header the webhook subscription sends (name and value from the secret), or undefined if none is set. */
export async function wallexWebhookHeader(): Promise<{ name: string; value: string } | undefined> {
  const secret = await readSecret('WALLEX_SECRET_ARN', wallexSecretSchema);
  if (secret.webhookHeaderName === undefined || secret.webhookHeaderValue === undefined) return undefined;
  return { name: secret.webhookHeaderName, value: secret.webhookHeaderValue };
}

/** The adapter wired to the deployed configuration (see `wallexClient`), with its progress in the table. */
export function wallexAdapter(): WallexAdapter {
  return new WallexAdapter({ progress: dynamoProgressStore(), client: wallexClient });
}
