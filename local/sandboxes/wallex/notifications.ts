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

interface Job {
  payload: Record<string, string>;
  subscription: WebhookSubscription;
  attempt: number;
  generation: number;
  timer?: NodeJS.Timeout;
  controller?: AbortController;
}

const idOf = (payload: Record<string, string>) => payload.resourceId ?? payload.fundingId ?? payload.refundId ?? '';

/** The subscription and the deliveries made from it. */
export class NotificationSender {
  private readonly log: NotificationDelivery[] = [];
  private readonly jobs = new Set<Job>();
  private readonly waiters: (() => void)[] = [];
  private generation = 0;
  private stopped = false;
  private readonly retryMs: number;
  private readonly maxRetries: number;
  private readonly timeoutMs: number;

  constructor(
    private subscription: WebhookSubscription | undefined,
    options: NotificationOptions = {},
  ) {
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
    if (!this.subscription || this.stopped) return;
    const job: Job = { payload, subscription: { ...this.subscription }, attempt: 1, generation: this.generation };
    this.jobs.add(job);
    void this.deliver(job);
  }

  private async deliver(job: Job): Promise<void> {
    job.timer = undefined;
    const controller = new AbortController();
    job.controller = controller;
    const timeout = setTimeout(() => controller.abort(), this.timeoutMs);
    let httpStatus = 0;
    try {
      const response = await fetch(job.subscription.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [job.subscription.headerName]: job.subscription.headerValue },
        body: JSON.stringify(job.payload),
        signal: controller.signal,
      });
      httpStatus = response.status;
      await response.arrayBuffer();
    } catch {
      // No answer (refused, reset, timed out): recorded as 0 and retried like any failure.
    } finally {
      clearTimeout(timeout);
      job.controller = undefined;
    }
    if (job.generation !== this.generation) return this.finish(job);
    const { payload } = job;
    this.log.push({
      resource: payload.resource ?? '',
      id: idOf(payload),
      status: payload.status ?? '',
      attempt: job.attempt,
      httpStatus,
      headerName: job.subscription.headerName,
    });
    // "Expects HTTP 200": any other answer counts as a failure.
    if (httpStatus === 200 || job.attempt > this.maxRetries) return this.finish(job);
    job.attempt += 1;
    job.timer = setTimeout(() => void this.deliver(job), this.retryMs);
  }

  private finish(job: Job): void {
    this.jobs.delete(job);
    if (this.jobs.size === 0) for (const wake of this.waiters.splice(0)) wake();
  }

  /** Every attempt so far (copies). */
  deliveries(): NotificationDelivery[] {
    return this.log.map((d) => ({ ...d }));
  }

  /** Resolves once nothing is being delivered or waiting for a retry. */
  settled(): Promise<void> {
    return this.jobs.size === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

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

  /** Forgets the log and cancels pending retries; the subscription stays. */
  reset(): void {
    this.cancel();
    this.log.length = 0;
  }
}
