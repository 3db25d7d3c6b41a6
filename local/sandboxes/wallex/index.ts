import {
  type DurableSandboxOptions,
  DurableSchedule,
  type FaultConfig,
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
import { SandboxTokens } from './auth';
import { addDocumentRoutes, documentForKey } from './documents';
import { addFundingRoutes, type SandboxFundingControls } from './fundings';
import {
  type NotificationDelivery,
  type NotificationOptions,
  NotificationSender,
  type WebhookSubscription,
} from './notifications';
import { message } from './replies';
import { Screening, type ScreeningOptions } from './screening';
import { type StoredDocument, type StoredUser, type UserStatus, WallexStore } from './store';
import { startUploadServer } from './uploads';
import { addUserRoutes } from './users';

export type { NotificationDelivery, WebhookSubscription } from './notifications';
export { outcomeByLastName, type ScreeningOutcome } from './screening';
export type { FundingStatus, StoredDocument, StoredFunding, StoredRefund, StoredUser, UserStatus } from './store';

export interface WallexSandboxOptions extends DurableSandboxOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** The value every request must carry in `X-Api-Key`. */
  apiKey: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Token lifetime; default 28800 (8 hours). */
  tokenTtlSeconds?: number;
  /** How `Authorization` carries the token: `raw` (seed page, default) or `bearer` (newer docs). */
  authorizationScheme?: 'raw' | 'bearer';
  faults?: FaultConfig;
  /** Requests per second per API key; Wallex allows 5. 0 turns the limit off. */
  ratePerSecond?: number;
  /** Where notifications go, with the subscription's custom header. */
  webhook?: WebhookSubscription;
  notifications?: NotificationOptions;
  /** Decides each screening's outcome; default by last name (see `outcomeByLastName`). */
  screeningOutcome?: ScreeningOptions['outcome'];
  /** Milliseconds from screening to verdict. Default 30. */
  screeningDelayMs?: number;
  /** Seconds an upload URL lives. Default 300. */
  uploadTtlSeconds?: number;
  /** Milliseconds since the epoch, behind token and URL expiry. */
  clock?: () => number;
}

/** A stored document with its bytes, as a test sees it. */
export type SandboxDocument = Omit<StoredDocument, 'seq'>;

/** A running Wallex sandbox, with helpers for tests that are not part of Wallex's API. */
export interface WallexSandbox extends SandboxTrafficControls, SandboxFundingControls, SandboxDurability {
  /** The API origin (paths carry `/v2` or `/users/v1`), as Wallex's base URL is written. */
  readonly url: string;
  readonly port: number;
  /** The origin of the file server that upload and download URLs point at. */
  readonly filesOrigin: string;
  stop(): Promise<void>;
  /** Every user, oldest first (copies). */
  users(): Omit<StoredUser, 'seq'>[];
  /** Every document entry with its uploaded bytes, oldest first (copies). */
  documents(): SandboxDocument[];
  /** Every notification delivery attempt so far. */
  deliveries(): NotificationDelivery[];
  /** Resolves when no notification is being delivered or waiting for a retry. */
  notificationsSettled(): Promise<void>;
  /** Changes where notifications go (Wallex's "Update Webhook"); undefined stops them. */
  setWebhook(subscription: WebhookSubscription | undefined): void;
  /** Sets a user's status as Wallex's compliance team would, with its notification; false if unknown. */
  setUserStatus(userId: string, status: UserStatus): boolean;
  /** Tokens issued so far. */
  tokensIssued(): number;
  /** Makes every token issued so far invalid. */
  revokeTokens(): void;
  /** Clears users, documents, fundings, tokens, the request log, faults, rate buckets and deliveries. */
  reset(): void;
}

const AUTHENTICATE = '/users/v1/authenticate';

/** Starts a Wallex sandbox on 127.0.0.1 answering as Wallex's "Getting Started v2" page documents. */
export async function startWallexSandbox(options: WallexSandboxOptions): Promise<WallexSandbox> {
  const clock = options.clock ?? Date.now;
  const store = new WallexStore();
  const tokens = new SandboxTokens({ ...options, clock });
  // "5 requests/second" (providers.md B.2): never more than 5 in any one second, bursts included.
  const limiter = new KeyedRateLimiter(options.ratePerSecond ?? 5, undefined, 'window');
  const notifications = new NotificationSender(options.webhook, options.notifications);
  const state = new SandboxState(options.dataDir);
  const schedule = new DurableSchedule(() => state.touch());
  notifications.onChange = () => state.touch();
  const screening = new Screening(store, notifications, schedule, {
    outcome: options.screeningOutcome,
    delayMs: options.screeningDelayMs,
  });
  state
    .add('store', { snapshot: () => store.snapshot(), restore: (saved) => store.restore(saved, state) })
    .add('tokens', tokens)
    .add('notifications', notifications)
    .add('schedule', schedule);
  const files = await startUploadServer({
    clock,
    uploadTtlSeconds: options.uploadTtlSeconds,
    onUpload: (key, body, contentType, storageClass) => {
      const doc = documentForKey(store, key);
      if (!doc) return false;
      Object.assign(doc, { body, contentType, storageClass, uploads: doc.uploads + 1 });
      state.putBlob(doc.id, body);
      state.save();
      return true;
    },
    read: (key) => {
      const doc = documentForKey(store, key);
      return doc?.body ? { body: doc.body, contentType: doc.contentType } : undefined;
    },
  });

  const router = new Router().add('POST', AUTHENTICATE, (request) => tokens.authenticate(request));
  addUserRoutes(router, store);
  addDocumentRoutes(router, store, files);
  screening.addRoutes(router);
  const fundings = addFundingRoutes(router, store, notifications);

  const guard = (request: SandboxRequest): Reply | undefined => {
    const key = request.headers['x-api-key'];
    if (typeof key !== 'string' || key !== options.apiKey) return message(403, 'Forbidden');
    if (!limiter.tryTake(key)) return message(429, 'Too Many Requests');
    if (request.bodyInvalid) return message(400, 'the body is not valid JSON');
    if (!(request.method === 'POST' && request.path === AUTHENTICATE)) return tokens.check(request);
    return undefined;
  };

  let server: Awaited<ReturnType<typeof startHttpSandbox>>;
  try {
    server = await startHttpSandbox({
      port: options.port,
      router,
      guard,
      faults: options.faults,
      faultReply: (kind, status) =>
        kind === 'rateLimit429'
          ? message(429, 'Too Many Requests')
          : message(status, status === 503 ? 'Service Unavailable' : 'Internal Server Error'),
      notFound: () => message(404, 'not_found'),
      onError: () => message(500, 'Internal Server Error'),
      afterChange: () => state.save(),
    });
  } catch (error) {
    await files.stop();
    throw error;
  }

  // Loaded once the server is up, so restored work never starts for a sandbox that failed to start.
  const durability = openState(state, options, [notifications, schedule]);

  const sandbox: WallexSandbox = {
    url: server.origin,
    port: server.port,
    filesOrigin: files.origin,
    stop: async () => {
      // The last state is written before the pending work is cancelled, so a restart picks it up.
      state.close();
      screening.cancel();
      notifications.stop();
      await Promise.all([server.stop(), files.stop()]);
    },
    users: () => [...store.users.values()].map(({ seq: _seq, ...user }) => structuredClone(user)),
    documents: () =>
      [...store.documents.values()]
        .sort((a, b) => a.seq - b.seq)
        .map(({ seq: _seq, body, ...doc }) => ({ ...doc, ...(body ? { body: Buffer.from(body) } : {}) })),
    deliveries: () => notifications.deliveries(),
    notificationsSettled: () => notifications.settled(),
    setWebhook: (subscription) => notifications.subscribe(subscription),
    setUserStatus: (userId, status) => screening.setStatus(userId, status),
    tokensIssued: () => tokens.count(),
    revokeTokens: () => tokens.revokeAll(),
    reset: () => {
      screening.cancel();
      notifications.reset();
      store.reset();
      tokens.reset();
      resetTraffic(server, limiter);
    },
    ...trafficControls(server, limiter),
    ...fundings,
    ...durability,
  };
  return savingAfterEachCall(sandbox, state, [
    'stop',
    'requests',
    'users',
    'documents',
    'deliveries',
    'notificationsSettled',
    'tokensIssued',
  ]);
}
