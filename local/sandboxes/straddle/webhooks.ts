import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { type OutboundRequest, Outbox, type PendingDelivery } from '../kit/deliveries';
import type { StoredCustomer } from './store';
import { customerView } from './views';

/**
 * Webhooks as Straddle sends them through Svix to a "webhook" endpoint: one POST per event, the body
 * `{event_type, event_id, account_id, data: <the customer as now>}`, signed per Standard Webhooks:
 * `webhook-id` (one per message, the same on every retry), `webhook-timestamp` (seconds, taken at each
 * attempt) and `webhook-signature: v1,<base64 HMAC-SHA256("{id}.{timestamp}.{body}")>`, keyed by the
 * base64-decoded secret after `whsec_`. Each attempt is signed afresh, so a late retry still falls in the
 * receiver's 5-minute window. Any answer other than 2xx within 15 s is a failure, retried on the
 * documented schedule (8 attempts: at once, +5 s, +5 min, +30 min, +2 h, +5 h, +10 h, +10 h), here
 * compressed to milliseconds. Events are not ordered: each message is delivered on its own.
 */

/** The documented delays before each attempt, in seconds. */
export const DOCUMENTED_RETRY_SCHEDULE_SECONDS = [0, 5, 300, 1800, 7200, 18000, 36000, 36000] as const;

export interface SandboxWebhookOptions {
  url: string;
  /** `whsec_` + base64; a random one when absent (read it back from `webhookSecret`). */
  secret?: string;
  /** Delay before each attempt in ms; default the documented schedule at 1 ms per second. */
  retryDelaysMs?: number[];
  /** How long a receiver has to answer (Straddle allows 15 s). */
  timeoutMs?: number;
}

/** One delivery attempt: ids and statuses only, no body (it carries personal data). */
export interface WebhookDelivery {
  eventType: string;
  eventId: string;
  webhookId: string;
  customerId: string;
  /** The customer's status in the event. */
  customerStatus: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** The receiver's HTTP status, or 0 when it gave none (refused, timed out). */
  status: number;
}

/** A new random webhook secret in Straddle's format. */
export const newWebhookSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/** The Standard Webhooks signature header value for one attempt. */
export function signWebhook(secret: string, webhookId: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${webhookId}.${timestamp}.${body}`).digest('base64')}`;
}

/** A message on its way: the event as it was serialised at the change, and what its log entries carry. */
interface Message {
  delivery: Omit<WebhookDelivery, 'attempt' | 'status'>;
  body: string;
}

/** Sends customer events to the configured endpoint and records every attempt. */
export class WebhookSender extends Outbox<Message, WebhookDelivery> {
  private config: (Required<Pick<SandboxWebhookOptions, 'url' | 'secret'>> & SandboxWebhookOptions) | undefined;

  constructor(
    /** The account id events carry; restored with the sandbox's state. */
    public accountId: string,
    private readonly clock: () => Date,
    options?: SandboxWebhookOptions,
  ) {
    super();
    this.configure(options);
  }

  /** The secret deliveries are signed with, when an endpoint is set. */
  get secret(): string | undefined {
    return this.config?.secret;
  }

  /** Sets (or, with undefined, removes) the endpoint. */
  configure(options: SandboxWebhookOptions | undefined): void {
    this.config = options ? { ...options, secret: options.secret ?? newWebhookSecret() } : undefined;
  }

  /** A customer was created: `customer.created.v1`, then `customer.event.v1`. */
  created(customer: StoredCustomer): void {
    this.emit('customer.created.v1', customer);
    this.emit('customer.event.v1', customer);
  }

  /** A customer changed: `customer.event.v1`. */
  changed(customer: StoredCustomer): void {
    this.emit('customer.event.v1', customer);
  }

  private emit(eventType: string, customer: StoredCustomer): void {
    if (!this.config) return;
    const eventId = randomUUID();
    // Serialised now: the event shows the customer as it was at this change, on every attempt.
    const body = JSON.stringify({
      event_type: eventType,
      event_id: eventId,
      account_id: this.accountId,
      data: customerView(customer),
    });
    const delivery = {
      eventType,
      eventId,
      webhookId: `msg_${randomUUID().replace(/-/g, '')}`,
      customerId: customer.id,
      customerStatus: customer.status,
    };
    this.enqueue({ delivery, body }, this.delays()[0] ?? 0);
  }

  /** The endpoint and the events not yet delivered, for the state file. */
  snapshot() {
    return { config: this.config, pending: this.pending() };
  }

  /** Takes back what `snapshot` gave. */
  restore(state: { config?: WebhookSender['config']; pending: PendingDelivery<Message>[] }): void {
    this.config = state.config;
    this.restorePending(state.pending);
  }

  /** The delay before each attempt, the first included. */
  private delays(): readonly number[] {
    return this.config?.retryDelaysMs ?? DOCUMENTED_RETRY_SCHEDULE_SECONDS;
  }

  // Each attempt goes to the endpoint as configured now and is signed afresh; none once it is removed.
  protected requestFor({ delivery, body }: Message): OutboundRequest | undefined {
    const config = this.config;
    if (!config) return undefined;
    const timestamp = Math.floor(this.clock().getTime() / 1000);
    return {
      url: config.url,
      headers: {
        'content-type': 'application/json',
        'webhook-id': delivery.webhookId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(config.secret, delivery.webhookId, timestamp, body),
      },
      body,
      timeoutMs: config.timeoutMs ?? 15_000,
      redirect: 'manual',
    };
  }

  // Only a 2xx counts: a 3xx is a failure too.
  protected accepted(status: number): boolean {
    return status >= 200 && status <= 299;
  }

  protected retryDelayMs(attempt: number): number | undefined {
    const delays = this.delays();
    return attempt <= delays.length ? (delays[attempt - 1] ?? 0) : undefined;
  }

  protected logEntry({ delivery }: Message, attempt: number, status: number): WebhookDelivery {
    return { ...delivery, attempt, status };
  }
}
