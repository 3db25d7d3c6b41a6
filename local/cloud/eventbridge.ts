import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type AwsJsonService, AwsServiceError } from './aws-json-server';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './constants';
import { type EventPattern, matchesPattern } from './event-pattern';
import type { LocalLogger, PutEventsEntry, PutEventsResult } from './sfn/types';

export type { EventPattern } from './event-pattern';

/** An event as EventBridge delivers it to a target. */
export interface EventEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

/** An event accepted by PutEvents, with the bus it was put on. */
export type PublishedEvent = EventEnvelope & { eventBusName: string };

/** A rule with one in-process target. */
export interface EventRule {
  /** For diagnostics only. */
  name?: string;
  /** Bus name (or ARN); `default` when omitted. */
  busName?: string;
  pattern: EventPattern;
  target: (event: EventEnvelope) => Promise<unknown> | unknown;
}

export interface LocalEventBridgeOptions {
  region?: string;
  accountId?: string;
  /** Appends every accepted event as a JSON line. */
  logFile?: string;
  /** Delivery attempts per target (EventBridge retries failed deliveries); default 3. */
  maxAttempts?: number;
  /** Pause before the first retry, doubled for each next one; default 100 ms. */
  retryDelayMs?: number;
  log?: LocalLogger;
}

const MAX_ENTRIES = 10;

/** EventBridge on one machine: PutEvents, rules matched by pattern, targets called in-process. */
export class LocalEventBridge {
  private readonly rules = new Set<EventRule>();
  private readonly events: PublishedEvent[] = [];
  private readonly deliveries = new Set<Promise<void>>();
  private readonly pauses = new Map<NodeJS.Timeout, () => void>();
  private stopped = false;
  readonly region: string;
  readonly accountId: string;

  constructor(private readonly options: LocalEventBridgeOptions = {}) {
    this.region = options.region ?? LOCAL_REGION;
    this.accountId = options.accountId ?? LOCAL_ACCOUNT_ID;
    if (options.logFile) mkdirSync(dirname(options.logFile), { recursive: true });
  }

  /** Adds a rule; returns a function that removes it. */
  addRule(rule: EventRule): () => void {
    this.rules.add(rule);
    return () => this.rules.delete(rule);
  }

  /** PutEvents: stores each valid entry and delivers it to matching rules asynchronously. */
  putEvents(input: { Entries?: PutEventsEntry[] }): PutEventsResult {
    const entries = input.Entries ?? [];
    if (entries.length === 0 || entries.length > MAX_ENTRIES) {
      throw new AwsServiceError('ValidationException', `Entries must hold 1 to ${MAX_ENTRIES} entries`);
    }
    const results = entries.map((entry) => this.accept(entry));
    return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  }

  /** Every event accepted so far, oldest first. */
  published(): PublishedEvent[] {
    return [...this.events];
  }

  /** Resolves when no delivery is in flight (including its retries). */
  async idle(): Promise<void> {
    while (this.deliveries.size > 0) await Promise.allSettled([...this.deliveries]);
  }

  /** The EventBridge API (target prefix `AWSEvents`) for the JSON-protocol server. */
  apiOperations(): AwsJsonService {
    return { PutEvents: (i) => this.putEvents(i) };
  }

  /** Stops delivering: pending retries are dropped, deliveries in flight are awaited. */
  async stop(): Promise<void> {
    this.stopped = true;
    // End the pauses between retries now: each delivery then sees `stopped` and returns.
    for (const [timer, resolve] of this.pauses) {
      clearTimeout(timer);
      resolve();
    }
    this.pauses.clear();
    await Promise.allSettled([...this.deliveries]);
  }

  private accept(entry: PutEventsEntry): PutEventsResult['Entries'][number] {
    if (!entry.Source || !entry.DetailType || entry.Detail === undefined) {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source, DetailType and Detail are required' };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not valid JSON' };
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail must be a JSON object' };
    }
    const event: PublishedEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: this.accountId,
      time: toIsoSeconds(entry.Time),
      region: this.region,
      resources: entry.Resources ?? [],
      detail,
      eventBusName: busName(entry.EventBusName),
    };
    this.events.push(event);
    if (this.options.logFile) appendFileSync(this.options.logFile, `${JSON.stringify(forDisk(event))}\n`);
    for (const rule of this.rules) {
      if (busName(rule.busName) !== event.eventBusName || !matchesPattern(rule.pattern, event)) continue;
      const { eventBusName: _, ...envelope } = event;
      this.deliver(rule, envelope);
    }
    return { EventId: event.id };
  }

  private deliver(rule: EventRule, event: EventEnvelope): void {
    const maxAttempts = this.options.maxAttempts ?? 3;
    const baseDelay = this.options.retryDelayMs ?? 100;
    const delivery = (async () => {
      // Asynchronous like the real bus: PutEvents answers before any target runs.
      await new Promise((resolve) => setImmediate(resolve));
      for (let attempt = 1; !this.stopped; attempt++) {
        try {
          await rule.target(structuredClone(event));
          return;
        } catch (error) {
          const fields = { rule: rule.name, eventId: event.id, attempt, error: (error as Error)?.name };
          if (attempt >= maxAttempts) {
            this.options.log?.('event delivery failed', fields);
            return;
          }
          this.options.log?.('event delivery failed, retrying', fields);
          await this.sleep(baseDelay * 2 ** (attempt - 1));
        }
      }
    })();
    this.deliveries.add(delivery);
    void delivery.finally(() => this.deliveries.delete(delivery));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pauses.delete(timer);
        resolve();
      }, ms);
      this.pauses.set(timer, resolve);
    });
  }
}

/** Detail fields of Step Functions' status-change events that may hold personal data (a Lambda's error text, the payloads). */
const UNSAVED_STATES_FIELDS = ['cause', 'input', 'output'];

/**
 * The event as written to the log file: AWS's default bus keeps no copy of what it routes, so the
 * execution payloads and error causes of `aws.states` events stay in memory and are not saved.
 */
function forDisk(event: PublishedEvent): PublishedEvent {
  if (event.source !== 'aws.states') return event;
  const detail = Object.fromEntries(
    Object.entries(event.detail as Record<string, unknown>).filter(([key]) => !UNSAVED_STATES_FIELDS.includes(key)),
  );
  return { ...event, detail };
}

function busName(nameOrArn: string | undefined): string {
  if (!nameOrArn) return 'default';
  return nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.indexOf(':event-bus/') + ':event-bus/'.length) : nameOrArn;
}

/** EventBridge envelopes carry the time to the second. */
function toIsoSeconds(time: PutEventsEntry['Time']): string {
  const date = time === undefined ? new Date() : typeof time === 'number' ? new Date(time * 1000) : new Date(time);
  return `${date.toISOString().slice(0, 19)}Z`;
}
