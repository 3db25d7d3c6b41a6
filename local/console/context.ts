import type { FaultKind, NextFaultOptions } from '../sandboxes/kit';

/** What the console needs from the running stack: where things are, and the sandboxes' test controls. */
export interface ConsoleContext {
  /** The public API's base URL: every onboarding read and action goes through its routes. */
  apiUrl(): string;
  /** The state machines to list executions of. */
  stateMachineArns: string[];
  /** The events the stack published, from the local bus's log. */
  publishedEvents(): Array<{
    id?: string;
    time?: string;
    source?: string;
    'detail-type'?: string;
    detail?: unknown;
    eventBusName: string;
  }>;
  /** The StraitsX sandbox's base URL (with `/v1`) and the API key its own sandbox endpoints take. */
  straitsx: { url: string; apiKey: string };
  /** Fault controls of each provider sandbox, by provider name. */
  faults: Record<string, { failNext(count: number, kind: FaultKind, options?: NextFaultOptions): void; clearFaults(): void }>;
}
