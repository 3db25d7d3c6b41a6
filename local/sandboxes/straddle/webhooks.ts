import { createHmac, randomBytes, randomUUID } from 'node:crypto';
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

interface Job {
  delivery: Omit<WebhookDelivery, 'attempt' | 'status'>;
  body: string;
  attempt: number;
  generation: number;
  timer?: NodeJS.Timeout;
  controller?: AbortController;
}

/** Sends customer events to the configured endpoint and records every attempt. */
export class WebhookSender {
  private config: (Required<Pick<SandboxWebhookOptions, 'url' | 'secret'>> & SandboxWebhookOptions) | undefined;
  private readonly log: WebhookDelivery[] = [];
  private readonly jobs = new Set<Job>();
  private readonly waiters: (() => void)[] = [];
  private generation = 0;
  private stopped = false;

  constructor(
    readonly accountId: string,
    private readonly clock: () => Date,
    options?: SandboxWebhookOptions,
  ) {
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
    if (!this.config || this.stopped) return;
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
    const job: Job = { delivery, body, attempt: 1, generation: this.generation };
    this.jobs.add(job);
    this.schedule(job);
  }

  private schedule(job: Job): void {
    const delays = this.config?.retryDelaysMs ?? DOCUMENTED_RETRY_SCHEDULE_SECONDS.map((s) => s);
    const delay = delays[job.attempt - 1] ?? 0;
    job.timer = setTimeout(() => void this.deliver(job), delay);
  }

  private async deliver(job: Job): Promise<void> {
    job.timer = undefined;
    const config = this.config;
    if (!config || job.generation !== this.generation) return this.finish(job);
    const timestamp = Math.floor(this.clock().getTime() / 1000);
    const controller = new AbortController();
    job.controller = controller;
    const timeout = setTimeout(() => controller.abort(), config.timeoutMs ?? 15_000);
    let status = 0;
    try {
      const response = await fetch(config.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': job.delivery.webhookId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(config.secret, job.delivery.webhookId, timestamp, job.body),
        },
        body: job.body,
        signal: controller.signal,
        redirect: 'manual',
      });
      status = response.status;
      await response.arrayBuffer();
    } catch {
      // No answer (refused, reset, timed out): recorded as 0 and retried like any failure.
    } finally {
      clearTimeout(timeout);
      job.controller = undefined;
    }
    if (job.generation !== this.generation) return this.finish(job);
    this.log.push({ ...job.delivery, attempt: job.attempt, status });
    const attempts = (config.retryDelaysMs ?? DOCUMENTED_RETRY_SCHEDULE_SECONDS).length;
    // Only a 2xx counts: a 3xx is a failure too.
    if ((status >= 200 && status <= 299) || job.attempt >= attempts) return this.finish(job);
    job.attempt += 1;
    this.schedule(job);
  }

  private finish(job: Job): void {
    this.jobs.delete(job);
    if (this.jobs.size === 0) for (const wake of this.waiters.splice(0)) wake();
  }

  /** Every attempt so far, oldest first (copies). */
  deliveries(): WebhookDelivery[] {
    return this.log.map((d) => ({ ...d }));
  }

  /** Resolves once nothing is being delivered or waiting for a retry. */
  settled(): Promise<void> {
    return this.jobs.size === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  // Waiting attempts end at once; a delivery under way is aborted and ends when its fetch gives up.
  private cancel(): void {
    this.generation += 1;
    for (const job of [...this.jobs]) {
      if (job.timer) {
        clearTimeout(job.timer);
        this.finish(job);
      } else {
        job.controller?.abort();
      }
    }
  }

  /** Stops for good: no delivery or retry starts after this. */
  stop(): void {
    this.stopped = true;
    this.cancel();
  }

  /** Cancels pending deliveries and forgets the log; the endpoint stays as configured. */
  reset(): void {
    this.cancel();
    this.log.length = 0;
  }
}
