import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Reply, Router, SandboxRequest } from '../kit';
import { type OutboundRequest, Outbox, type PendingDelivery } from '../kit/deliveries';
import { invalid, notFound, ok } from './replies';

/**
 * Callbacks (webhooks) as StraitsX sends them: one URL per event, set with `PATCH /v1/webhooks`; each
 * callback a POST of JSON with `Xfers-Signature` = hex HMAC-SHA256(signing secret, raw body); a delivery
 * without a 2xx answer is retried "every 5 minutes, up to 20 times". The sandbox compresses that delay
 * (`callbackRetryMs`) and counts the first delivery among the 20 attempts. (The provider's own guide to
 * callbacks also mentions a growing backoff; the schedule here is the documented fixed one.)
 */

/** Every event `PATCH /webhooks` accepts, in the order the reference lists them. */
export const WEBHOOK_EVENTS = [
  'payoutStatusUpdated',
  'paymentStatusUpdated',
  'swapUpdated',
  'virtualAccountStatusUpdated',
  'userDepositStatusUpdated',
  'userWithdrawalStatusUpdated',
  'stablecoinDepositStatusUpdated',
  'stablecoinWithdrawalStatusUpdated',
  'cpVerificationStatusUpdated',
  'cpTxnLimitsUpdated',
  'cpTxnLimitsUpdateRequestStatusUpdated',
  'cpRfiStatusUpdated',
  'cpbaVerificationStatusUpdated',
  'cpbaCreated',
  'ubaCreated',
  'ubaVerificationStatusUpdated',
] as const;

export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface SandboxCallbackOptions {
  /** The signing secret of callbacks; a random one when absent (read it from `callbackSecret`). */
  callbackSecret?: string;
  /** Delay between attempts: the provider's 5 minutes, compressed. Default 300 ms. */
  callbackRetryMs?: number;
  /** Attempts per callback, the first included. Default 20. */
  callbackMaxAttempts?: number;
  /** How long a receiver has to answer (the provider allows 15 s). */
  callbackTimeoutMs?: number;
}

/** One attempt to deliver a callback: no body, which may carry personal data. */
export interface CallbackDelivery {
  event: WebhookEvent;
  url: string;
  /** 1 for the first delivery. */
  attempt: number;
  /** The receiver's HTTP status, or 0 when it gave none (refused, timed out). */
  status: number;
}

/** Test controls for callbacks on a running sandbox. */
export interface SandboxCallbackControls {
  /** The secret callbacks are signed with. */
  readonly callbackSecret: string;
  /** Every attempt so far, oldest first. */
  callbackDeliveries(): CallbackDelivery[];
  /** Resolves when no delivery is under way or waiting for a retry. */
  callbacksSettled(): Promise<void>;
  /** Sends a callback as the sandbox's own state changes do (nothing when no URL is set for the event). */
  emitCallback(event: WebhookEvent, payload: unknown): void;
}

const isEvent = (name: string): name is WebhookEvent => (WEBHOOK_EVENTS as readonly string[]).includes(name);

const isHttpUrl = (value: string) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
};

/** A callback on its way: serialised and signed once, so every attempt carries the same bytes. */
interface Callback {
  event: WebhookEvent;
  url: string;
  body: string;
  signature: string;
}

/** The webhook configuration and the deliveries made from it. */
export class CallbackSender extends Outbox<Callback, CallbackDelivery> {
  readonly secret: string;
  private configId: string | undefined;
  private readonly urls = new Map<WebhookEvent, string>();
  private readonly retryMs: number;
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;

  constructor(options: SandboxCallbackOptions = {}) {
    super();
    this.secret = options.callbackSecret ?? randomBytes(32).toString('hex');
    this.retryMs = options.callbackRetryMs ?? 300;
    this.maxAttempts = options.callbackMaxAttempts ?? 20;
    this.timeoutMs = options.callbackTimeoutMs ?? 15_000;
  }

  /** The configuration document, or undefined before the first PATCH created it. */
  document() {
    if (!this.configId) return undefined;
    const attributes = Object.fromEntries(WEBHOOK_EVENTS.map((event) => [event, this.urls.get(event) ?? null]));
    return { data: { id: this.configId, type: 'webhook', attributes } };
  }

  /** Applies a PATCH: a string sets an event's URL, null clears it; a string is an error message. */
  update(attributes: Record<string, unknown>): string | undefined {
    for (const [event, url] of Object.entries(attributes)) {
      if (!isEvent(event)) return `${event} is not a supported webhook event`;
      if (url !== null && (typeof url !== 'string' || !isHttpUrl(url))) return `${event} must be an http(s) URL or null`;
    }
    this.configId ??= `webhook_${randomUUID()}`;
    for (const [event, url] of Object.entries(attributes)) {
      if (url === null) this.urls.delete(event as WebhookEvent);
      else this.urls.set(event as WebhookEvent, url as string);
    }
    return undefined;
  }

  /** Sends the payload to the event's URL, retrying until a 2xx or the last attempt. */
  emit(event: WebhookEvent, payload: unknown): void {
    const url = this.urls.get(event);
    if (!url) return;
    const body = JSON.stringify(payload);
    const signature = createHmac('sha256', this.secret).update(body).digest('hex');
    this.enqueue({ event, url, body, signature });
  }

  protected requestFor({ url, body, signature }: Callback): OutboundRequest {
    return {
      url,
      headers: { 'content-type': 'application/json', 'Xfers-Signature': signature },
      body,
      timeoutMs: this.timeoutMs,
    };
  }

  protected accepted(status: number): boolean {
    return status >= 200 && status <= 299;
  }

  // A fixed wait, the first delivery counted among the attempts.
  protected retryDelayMs(attempt: number): number | undefined {
    return attempt <= this.maxAttempts ? this.retryMs : undefined;
  }

  protected logEntry({ event, url }: Callback, attempt: number, status: number): CallbackDelivery {
    return { event, url, attempt, status };
  }

  /** The configuration and the callbacks not yet delivered, for the state file. */
  snapshot() {
    return { configId: this.configId, urls: [...this.urls.entries()], pending: this.pending() };
  }

  /** Takes back what `snapshot` gave. */
  restore(state: { configId?: string; urls: [WebhookEvent, string][]; pending: PendingDelivery<Callback>[] }): void {
    this.configId = state.configId;
    this.urls.clear();
    for (const [event, url] of state.urls) this.urls.set(event, url);
    this.restorePending(state.pending);
  }

  /** Forgets the configuration and the log, and cancels pending retries. */
  override reset(): void {
    super.reset();
    this.urls.clear();
    this.configId = undefined;
  }

  controls(): SandboxCallbackControls {
    return {
      callbackSecret: this.secret,
      callbackDeliveries: () => this.deliveries(),
      callbacksSettled: () => this.settled(),
      emitCallback: (event, payload) => this.emit(event, payload),
    };
  }
}

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

function patch(sender: CallbackSender, request: SandboxRequest): Reply {
  const attributes = record(record(record(request.body)?.data)?.attributes);
  if (!attributes) return invalid('data.attributes must be an object of event names to URLs');
  const error = sender.update(attributes);
  return error ? invalid(error) : ok(sender.document());
}

/** Adds `GET` and `PATCH /v1/webhooks`. */
export function addWebhookRoutes(router: Router, sender: CallbackSender): void {
  router
    .add('GET', '/v1/webhooks', () => {
      const doc = sender.document();
      return doc ? ok(doc) : notFound('Webhook configuration');
    })
    .add('PATCH', '/v1/webhooks', (request) => patch(sender, request));
}
