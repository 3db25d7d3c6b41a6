import * as z from 'zod/mini';
import { ConfigurationError } from '../shared/errors';

/**
 * How long the workflows wait out transient provider trouble. Every provider-calling Task retries with
 * capped exponential backoff and full jitter; the numbers are derived from the length of the outage to
 * ride out, and reach the ASL through numeric placeholders and the steps through the environment.
 */
export const retryPolicySchema = z.object({
  intervalSeconds: z.number().check(z.int(), z.gte(1)),
  backoffRate: z.number().check(z.gte(1)),
  maxDelaySeconds: z.number().check(z.int(), z.gte(1)),
  maxAttempts: z.number().check(z.int(), z.gte(1)),
});

export type RetryPolicy = z.output<typeof retryPolicySchema>;

/** What the operator chooses: the outage to ride out and the longest pause between two attempts. */
export interface OutageSettings {
  outageHours: number;
  maxDelaySeconds: number;
}

/** Six hours: a long provider incident ends within it, and a broken integration still surfaces the same day. */
export const DEFAULT_OUTAGE: OutageSettings = { outageHours: 6, maxDelaySeconds: 300 };

const FIRST_PAUSE_SECONDS = 2;
const BACKOFF_RATE = 2;

/**
 * The retry policy that spans the outage on average: the pauses grow from 2 s to the cap, then each
 * full-jitter pause is on average half the cap, so the capped attempts number twice the outage over the cap.
 */
export function providerRetryPolicy(settings: OutageSettings = DEFAULT_OUTAGE): RetryPolicy {
  const { outageHours, maxDelaySeconds } = settings;
  const ramp = Math.max(0, Math.ceil(Math.log2(maxDelaySeconds / FIRST_PAUSE_SECONDS)));
  const capped = Math.ceil((outageHours * 3600) / (maxDelaySeconds / 2));
  return {
    intervalSeconds: FIRST_PAUSE_SECONDS,
    backoffRate: BACKOFF_RATE,
    maxDelaySeconds,
    maxAttempts: ramp + capped,
  };
}

/** Step Functions ends an execution at 25,000 history events; retries must stay well under it. */
export const HISTORY_EVENT_BUDGET = 20_000;

/** Events one failed attempt of a Lambda task adds to the history: TaskScheduled, TaskStarted, TaskFailed. */
export const EVENTS_PER_ATTEMPT = 3;

/** How many retriers in an ASL text use the provider policy: each may use all its attempts in one execution. */
export function retryingSteps(definition: string): number {
  return definition.split(`"$\{ProviderRetryMaxAttempts}"`).length - 1;
}

/** The most history events the retries of `steps` retrying steps can add to one execution. */
export function retryHistoryEvents(policy: RetryPolicy, steps: number): number {
  return policy.maxAttempts * EVENTS_PER_ATTEMPT * steps;
}

/** The ASL's numeric placeholders (`"${Name}"`, quoted in the file) and their values. */
export function retryPlaceholders(policy: RetryPolicy): Record<string, number> {
  return {
    ProviderRetryIntervalSeconds: policy.intervalSeconds,
    ProviderRetryMaxDelaySeconds: policy.maxDelaySeconds,
    ProviderRetryMaxAttempts: policy.maxAttempts,
  };
}

/**
 * Replaces each quoted numeric placeholder (`"${Name}"`) of an ASL text by its number: ASL numeric
 * fields take no string, and CloudFormation's substitution would leave the quotes.
 */
export function inlineNumbers(definition: string, numbers: Readonly<Record<string, number>>): string {
  return definition.replace(/"\$\{([A-Za-z0-9_]+)\}"/g, (quoted, name: string) =>
    name in numbers ? String(numbers[name]) : quoted,
  );
}

/** The upper bound of the next attempt's time after attempt `retryCount + 1` failed, or undefined when none follows. */
export function nextAttemptBy(policy: RetryPolicy, retryCount: number, now = new Date()): Date | undefined {
  if (retryCount >= policy.maxAttempts) return undefined;
  const pause = Math.min(policy.intervalSeconds * policy.backoffRate ** retryCount, policy.maxDelaySeconds);
  return new Date(now.getTime() + pause * 1000);
}

/** The policy the deployment set (`PROVIDER_RETRY_POLICY`, JSON), or the default one. */
export function policyFromEnv(): RetryPolicy {
  const raw = process.env.PROVIDER_RETRY_POLICY;
  if (!raw) return providerRetryPolicy();
  const parsed = retryPolicySchema.safeParse(JSON.parse(raw));
  if (!parsed.success) throw new ConfigurationError('environment variable PROVIDER_RETRY_POLICY is not a retry policy');
  return parsed.data;
}
