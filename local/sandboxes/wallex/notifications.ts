import { type OutboundRequest, Outbox, type PendingDelivery } from '../kit/deliveries';

/**
 * Notifications as Wallex sends them: one partner-level subscription URL for every event, optional
 * custom headers set on the subscription (the only authentication Wallex offers besides its source IPs),
 * a POST of JSON that must be answered 200 within 30 s, else retried up to 3 times. The retry schedule
 * is not documented; the sandbox waits `retryMs` between attempts.
 */

/** The subscription: where notifications go and the custom header they carry. */
export interface WebhookSubscription {
  url: string;
  headerName: string;
  headerValue: string;
}

export interface NotificationOptions {
  /** Delay between attempts (undocumented at Wallex). Default 50 ms. */
  retryMs?: number;
  /** Retries after the first attempt. Default 3, as documented. */
  maxRetries?: number;
  /** How long the receiver has to answer. Default 30 s, as documented. */
  timeoutMs?: number;
}

/** One delivery attempt: ids and statuses only, as the payloads are. */
export interface NotificationDelivery {
  resource: string;
  /** The notified resource's id (`resourceId`, `fundingId` or `refundId`). */
  id: string;
  status: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** The receiver's HTTP status, or 0 when it gave none (refused, timed out). */
  httpStatus: number;
  /** The custom header's name as sent. */
  headerName: string;
}

/** A notification on its way, with the subscription as it was when it was sent. */
interface Notification {
  payload: Record<string, string>;
  subscription: WebhookSubscription;
}

const idOf = (payload: Record<string, string>) => payload.resourceId ?? payload.fundingId ?? payload.refundId ?? '';

/** The subscription and the deliveries made from it. */
export class NotificationSender extends Outbox<Notification, NotificationDelivery> {
  private readonly retryMs: number;
  private readonly maxRetries: number;
  private readonly timeoutMs: number;

  constructor(
    private subscription: WebhookSubscription | undefined,
    options: NotificationOptions = {},
  ) {
    super();
    this.retryMs = options.retryMs ?? 50;
    this.maxRetries = options.maxRetries ?? 3;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Replaces the subscription (Wallex's "Update Webhook"); undefined stops notifications. */
  subscribe(subscription: WebhookSubscription | undefined): void {
    this.subscription = subscription;
  }

  /** Sends a notification to the subscription, if there is one. */
  send(payload: Record<string, string>): void {
    if (this.subscription) this.enqueue({ payload, subscription: { ...this.subscription } });
  }

  /** The subscription and the notifications not yet delivered, for the state file. */
  snapshot() {
    return { subscription: this.subscription, pending: this.pending() };
  }

  /** Takes back what `snapshot` gave. */
  restore(state: { subscription?: WebhookSubscription; pending: PendingDelivery<Notification>[] }): void {
    this.subscription = state.subscription;
    this.restorePending(state.pending);
  }

  protected requestFor({ payload, subscription }: Notification): OutboundRequest {
    return {
      url: subscription.url,
      headers: { 'content-type': 'application/json', [subscription.headerName]: subscription.headerValue },
      body: JSON.stringify(payload),
      timeoutMs: this.timeoutMs,
    };
  }

  // "Expects HTTP 200": any other answer counts as a failure.
  protected accepted(status: number): boolean {
    return status === 200;
  }

  protected retryDelayMs(attempt: number): number | undefined {
    return attempt <= this.maxRetries + 1 ? this.retryMs : undefined;
  }

  protected logEntry({ payload, subscription }: Notification, attempt: number, httpStatus: number): NotificationDelivery {
    return {
      resource: payload.resource ?? '',
      id: idOf(payload),
      status: payload.status ?? '',
      attempt,
      httpStatus,
      headerName: subscription.headerName,
    };
  }
}
