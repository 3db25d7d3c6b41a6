/**
 * Outbound webhooks as the sandboxes send them: each message POSTed until the receiver accepts it or
 * the attempts run out, every attempt recorded (ids and statuses only), retries waiting on timers that
 * a reset or stop cancels. What is signed, which headers go, what counts as accepted and how long to
 * wait between attempts is each provider's own: a sender extends Outbox and says so.
 *
 * Messages not yet delivered can be taken into a snapshot and back (see SandboxState), each with the
 * attempt it is at and when that attempt is due; one under way at the snapshot is due again at once,
 * so a restart may deliver a message twice (receivers dedupe, as they must at any provider) but never
 * loses one.
 */

/** A message not yet delivered, as a snapshot holds it. */
export interface PendingDelivery<M> {
  message: M;
  attempt: number;
  /** Milliseconds since the epoch. */
  dueAt: number;
}

/** One attempt as it goes on the wire. */
export interface OutboundRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** How long the receiver has to answer. */
  timeoutMs: number;
  redirect?: RequestInit['redirect'];
}

interface Job<M> {
  message: M;
  attempt: number;
  /** The reset generation it belongs to: a job from before a reset or stop records and retries nothing. */
  generation: number;
  /** When the next attempt is due (epoch ms), while it waits. */
  dueAt?: number;
  timer?: NodeJS.Timeout;
  controller?: AbortController;
}

/** Delivers messages, retries them and keeps the log of every attempt. `M` is a message, `R` a log entry. */
export abstract class Outbox<M, R extends object> {
  private readonly attempts: R[] = [];
  private readonly jobs = new Set<Job<M>>();
  private readonly waiters: (() => void)[] = [];
  private generation = 0;
  private stopped = false;
  private held = false;
  /** Told whenever the messages waiting change, so the state can be saved. */
  onChange: () => void = () => undefined;

  /** The request of an attempt, built as it starts; undefined drops the message (nowhere to send it). */
  protected abstract requestFor(message: M, attempt: number): OutboundRequest | undefined;

  /** Whether the receiver's status (0 when it gave none) means the message was delivered. */
  protected abstract accepted(status: number): boolean;

  /** The wait before attempt `attempt` (2 or more), or undefined when there is no such attempt. */
  protected abstract retryDelayMs(attempt: number): number | undefined;

  /** The log entry of one attempt. */
  protected abstract logEntry(message: M, attempt: number, status: number): R;

  /** Sends a message: at once, or after `delayMs`. Nothing once stopped. */
  protected enqueue(message: M, delayMs?: number): void {
    if (this.stopped) return;
    const job: Job<M> = { message, attempt: 1, generation: this.generation };
    this.jobs.add(job);
    if (delayMs === undefined && !this.held) void this.deliver(job);
    else this.schedule(job, delayMs ?? 0);
    this.onChange();
  }

  private schedule(job: Job<M>, delayMs: number): void {
    job.dueAt = Date.now() + delayMs;
    if (!this.held) this.arm(job);
  }

  private arm(job: Job<M>): void {
    job.timer = setTimeout(() => void this.deliver(job), Math.max(0, (job.dueAt ?? 0) - Date.now()));
  }

  /** Every message not yet delivered, with its next attempt and when it is due. */
  pending(): PendingDelivery<M>[] {
    const now = Date.now();
    return [...this.jobs]
      .filter((job) => job.generation === this.generation)
      .map((job) => ({ message: job.message, attempt: job.attempt, dueAt: job.dueAt ?? now }));
  }

  /** Takes back the messages of a snapshot: each is attempted when due (at once if overdue), unless held. */
  restorePending(pending: PendingDelivery<M>[]): void {
    for (const item of pending ?? []) {
      const job: Job<M> = { message: item.message, attempt: item.attempt, generation: this.generation, dueAt: item.dueAt };
      this.jobs.add(job);
      if (!this.held) this.arm(job);
    }
  }

  /** Holds every waiting attempt until `resume` (the receiver is not up yet). */
  hold(): void {
    this.held = true;
    for (const job of this.jobs) {
      if (!job.timer) continue;
      clearTimeout(job.timer);
      job.timer = undefined;
    }
  }

  /** Arms every held attempt. */
  resume(): void {
    this.held = false;
    for (const job of this.jobs) if (!job.timer && !job.controller) this.arm(job);
  }

  private async deliver(job: Job<M>): Promise<void> {
    job.timer = undefined;
    job.dueAt = undefined;
    const request = job.generation === this.generation ? this.requestFor(job.message, job.attempt) : undefined;
    if (!request) return this.finish(job);
    const controller = new AbortController();
    job.controller = controller;
    const timeout = setTimeout(() => controller.abort(), request.timeoutMs);
    let status = 0;
    try {
      const response = await fetch(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        signal: controller.signal,
        ...(request.redirect ? { redirect: request.redirect } : {}),
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
    this.attempts.push(this.logEntry(job.message, job.attempt, status));
    const delayMs = this.accepted(status) ? undefined : this.retryDelayMs(job.attempt + 1);
    if (delayMs === undefined) return this.finish(job);
    job.attempt += 1;
    this.schedule(job, delayMs);
    this.onChange();
  }

  private finish(job: Job<M>): void {
    if (this.jobs.delete(job)) this.onChange();
    if (this.jobs.size === 0) for (const wake of this.waiters.splice(0)) wake();
  }

  /** Every attempt so far, oldest first (copies). */
  deliveries(): R[] {
    return this.attempts.map((entry) => ({ ...entry }));
  }

  /** Resolves once nothing is being delivered or waiting for a retry. */
  settled(): Promise<void> {
    return this.jobs.size === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  // Waiting attempts end at once; a delivery under way is aborted and ends when its fetch gives up.
  private cancel(): void {
    this.generation += 1;
    for (const job of [...this.jobs]) {
      if (job.controller) {
        job.controller.abort();
      } else {
        clearTimeout(job.timer);
        this.finish(job);
      }
    }
  }

  /** Stops for good: no delivery or retry starts after this. */
  stop(): void {
    this.stopped = true;
    this.cancel();
  }

  /** Forgets the log and cancels pending deliveries. */
  reset(): void {
    this.cancel();
    this.attempts.length = 0;
  }
}
