import { randomUUID } from 'node:crypto';
import {
  type DurableSandboxOptions,
  DurableSchedule,
  type FaultConfig,
  gatewayReply,
  KeyedRateLimiter,
  openState,
  type Reply,
  Router,
  resetTraffic,
  type SandboxDurability,
  type SandboxRequest,
  SandboxState,
  type SandboxTrafficControls,
  savingAfterEachCall,
  startHttpSandbox,
  trafficControls,
} from '../kit';
import { IdentityChecks } from './checks';
import { addCustomerRoutes } from './customers';
import { IdempotencyLedger } from './idempotency';
import { failure, notFound } from './replies';
import { addReviewRoutes } from './review';
import type { CustomerStatus as StraddleCustomerStatus } from './rules';
import { type ProcessingMethod, type StoredCustomer, StraddleStore } from './store';
import { type SandboxWebhookOptions, type WebhookDelivery, WebhookSender } from './webhooks';

export type { ProcessingMethod, SandboxOutcome, StoredCustomer } from './store';
export type { SandboxWebhookOptions, WebhookDelivery } from './webhooks';
export { DOCUMENTED_RETRY_SCHEDULE_SECONDS, newWebhookSecret, signWebhook } from './webhooks';

export interface StraddleSandboxOptions extends DurableSandboxOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** The Bearer token every request must carry. */
  apiKey: string;
  /** The endpoint events are sent to, and its `whsec_` secret. */
  webhook?: SandboxWebhookOptions;
  faults?: FaultConfig;
  /** Requests per second per API key before a 429. Straddle publishes no number: 0 (default) is no limit. */
  ratePerSecond?: number;
  /** The clock behind created_at, updated_at, idempotency expiry and webhook timestamps. */
  now?: () => Date;
  /** Monotonic milliseconds behind the rate limit, so a test can hold it still. */
  rateClock?: () => number;
  /** How a create without config.processing_method is processed; default `inline`. */
  processing?: ProcessingMethod;
  /** How long background checks and refreshes take; default 50 ms. */
  backgroundDelayMs?: number;
  /** The account id put on events. */
  accountId?: string;
}

/** A running Straddle sandbox, with helpers for tests that are not part of Straddle's API. */
export interface StraddleSandbox extends SandboxTrafficControls, SandboxDurability {
  /** The base URL (origin; paths carry `/v1`), as Straddle's base URLs are written. */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly accountId: string;
  /** The secret deliveries are signed with, when a webhook endpoint is set. */
  readonly webhookSecret: string | undefined;
  /** Every customer, oldest first, unmasked (copies). */
  customers(): StoredCustomer[];
  /** Every webhook delivery attempt, oldest first. */
  deliveries(): WebhookDelivery[];
  /** Resolves when no delivery is under way or waiting for a retry. */
  webhooksSettled(): Promise<void>;
  /** Sets or removes the webhook endpoint. */
  setWebhook(options: SandboxWebhookOptions | undefined): void;
  /** Changes a customer's status as Straddle would on its side (e.g. `inactive`), with its event; false if unknown. */
  setCustomerStatus(id: string, status: StraddleCustomerStatus): boolean;
  /** Holds every request that carries an Idempotency-Key this long before it runs (to catch one in flight). */
  setProcessingDelay(ms: number): void;
  /** Clears customers, keys, deliveries, the request log, faults and rate buckets; the webhook endpoint stays. */
  reset(): void;
  stop(): Promise<void>;
}

// An injected 500 answers in Straddle's envelope; 502-504 come from the gateway in front of it, as plain text.
function faultReply(kind: 'error5xx' | 'rateLimit429', status: number): Reply {
  if (kind === 'rateLimit429')
    return failure(429, '/too_many_requests', 'Too Many Requests', 'Too many requests hit the API too quickly.');
  if (status === 500) return failure(500, '/internal_server_error', 'Internal Server Error', 'Something went wrong on our end.');
  return gatewayReply(status);
}

const bearer = (request: SandboxRequest) => {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
};

/** Starts a Straddle sandbox on 127.0.0.1 answering as Straddle documents its customers API. */
export async function startStraddleSandbox(options: StraddleSandboxOptions): Promise<StraddleSandbox> {
  const clock = options.now ?? (() => new Date());
  const state = new SandboxState(options.dataDir);
  // The account id events carry is the merchant's own at Straddle: kept across restarts like the rest.
  const account = { id: options.accountId ?? randomUUID() };
  const store = new StraddleStore(clock);
  const webhooks = new WebhookSender(account.id, clock, options.webhook);
  const schedule = new DurableSchedule(() => state.touch());
  webhooks.onChange = () => state.touch();
  const checks = new IdentityChecks(store, webhooks, schedule, options.backgroundDelayMs ?? 50);
  const ledger = new IdempotencyLedger(() => clock().getTime());
  state
    .add('account', {
      snapshot: () => account.id,
      restore: (id: string) => {
        if (options.accountId) return;
        account.id = id;
        webhooks.accountId = id;
      },
    })
    .add('store', store)
    .add('idempotency', ledger)
    .add('webhooks', webhooks)
    .add('schedule', schedule);
  const limiter = new KeyedRateLimiter(options.ratePerSecond ?? 0, options.rateClock);
  const router = new Router();
  addCustomerRoutes(router, store, checks, ledger, { defaultProcessing: options.processing ?? 'inline' });
  addReviewRoutes(router, store, checks, ledger);

  const guard = (request: SandboxRequest): Reply | undefined => {
    const token = bearer(request);
    if (token === undefined) return failure(401, '/unauthorized', 'Unauthorized', 'No valid API key provided.');
    if (token !== options.apiKey)
      return failure(401, '/unauthorized', 'Unauthorized', 'The API key is invalid for this environment.');
    if (!limiter.tryTake(token)) return faultReply('rateLimit429', 429);
    if (request.bodyInvalid) return failure(400, '/malformed_request', 'Bad Request', 'The request body is not valid JSON.');
    return undefined;
  };

  const server = await startHttpSandbox({
    port: options.port,
    router,
    guard,
    faults: options.faults,
    faultReply,
    notFound: () => notFound(),
    onError: () => faultReply('error5xx', 500),
    afterChange: () => state.save(),
  });

  // Loaded once the server is up, so restored work never starts for a sandbox that failed to start.
  const durability = openState(state, options, [webhooks, schedule]);

  const sandbox: StraddleSandbox = {
    url: server.origin,
    origin: server.origin,
    port: server.port,
    accountId: account.id,
    get webhookSecret() {
      return webhooks.secret;
    },
    customers: () => [...store.customers.values()].sort((a, b) => a.seq - b.seq).map((c) => structuredClone(c)),
    deliveries: () => webhooks.deliveries(),
    webhooksSettled: () => webhooks.settled(),
    setWebhook: (webhook) => webhooks.configure(webhook),
    setCustomerStatus: (id, status) => {
      const customer = store.customers.get(id);
      if (customer) checks.setStatus(customer, status);
      return customer !== undefined;
    },
    setProcessingDelay: (ms) => {
      ledger.processingDelayMs = ms;
    },
    ...trafficControls(server, limiter),
    reset: () => {
      checks.reset();
      webhooks.reset();
      store.reset();
      ledger.reset();
      resetTraffic(server, limiter);
    },
    stop: () => {
      // The last state is written before the pending work is cancelled, so a restart picks it up.
      state.close();
      checks.reset();
      webhooks.stop();
      return server.stop();
    },
    ...durability,
  };
  return savingAfterEachCall(sandbox, state, ['stop', 'requests', 'customers', 'deliveries', 'webhooksSettled']);
}
