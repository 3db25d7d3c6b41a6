import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { z } from 'zod';
import {
  DEFAULT_OUTAGE,
  HISTORY_EVENT_BUDGET,
  providerRetryPolicy,
  retryHistoryEvents,
  retryingSteps,
} from '../functions/onboarding/retry-policy';

/** The source of the events this stack publishes; the merchant's rule must never match it. */
export const ORCHESTRATOR_EVENT_SOURCE = 'onboarding.orchestrator';

/** Retention periods CloudWatch Logs accepts, as CDK lists them. */
const RETENTION_DAYS: readonly number[] = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number');

/**
 * Context values come from cdk.json (JSON values) or `-c key=value` (always strings): numbers are
 * coerced, and an empty string counts as "not set" so `-c alarmEmail=` turns the option off.
 */
const blankAsUnset = (value: unknown) => (value === '' ? undefined : value);

/**
 * The onboarding state machine's own `TimeoutSeconds` (workflows/onboarding.asl.json): every wait of an
 * execution must fit inside it, or the execution times out before the workflow asks the provider itself.
 */
export const ONBOARDING_EXECUTION_TIMEOUT_SECONDS = 30 * 24 * 3600;

import { descriptorOf } from '../functions/providers/registry';
import { WALLEX_SOURCE_IPS } from '../functions/providers/wallex/descriptor';

export { WALLEX_SOURCE_IPS };

const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https URL' });

/** A wait of the onboarding workflow, in seconds: at least a minute, at most the execution's own limit. */
const waitSeconds = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .min(60, 'must be at least 60 (1 minute)')
    .max(
      ONBOARDING_EXECUTION_TIMEOUT_SECONDS,
      `must be at most ${ONBOARDING_EXECUTION_TIMEOUT_SECONDS} (30 days, the execution limit)`,
    )
    .default(fallback);

/**
 * `-c wallexSourceIps=a,b` arrives as one string; a JSON array (cdk.json, or `-c 'wallexSourceIps=["a"]'`)
 * as itself. Both become a list of trimmed entries.
 */
const listFromContext = (value: unknown) => {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return value;
    }
  }
  return text === '' ? [] : text.split(',').map((entry) => entry.trim());
};

/** The stack's configuration, read from CDK context. Every key is optional and has a safe default. */
export const configSchema = z.object({
  stackName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must start with a letter and hold only letters, digits and hyphens (at most 128)')
    .default('Onboarding'),
  merchantId: z
    .string()
    .regex(/^[a-z0-9-]{1,32}$/, 'must be 1 to 32 lowercase letters, digits or hyphens')
    .default('default'),
  straitsxBaseUrl: httpsUrl.default(descriptorOf('straitsx').defaultBaseUrl),
  /** StraitsX's legacy Connect API, used by the Connect migration only. */
  straitsxConnectBaseUrl: httpsUrl.default('https://sandbox.xfers.io/api/v3'),
  wallexBaseUrl: httpsUrl.default(descriptorOf('wallex').defaultBaseUrl),
  straddleBaseUrl: httpsUrl.default(descriptorOf('straddle').defaultBaseUrl),
  merchantEventSource: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,256}$/, 'must be 1 to 256 letters, digits, dots, hyphens or underscores')
    // EventBridge reserves "aws." sources, and matching our own source would feed our events back into intake.
    .refine((source) => !source.startsWith('aws.'), 'must not start with "aws." (reserved by AWS)')
    .refine(
      (source) => source !== ORCHESTRATOR_EVENT_SOURCE,
      `must differ from this stack's own source "${ORCHESTRATOR_EVENT_SOURCE}"`,
    )
    .default('merchant.platform'),
  // A provider call must finish well inside the 30 s Lambda timeout, or the step dies without a classified error.
  providerTimeoutMs: z.coerce
    .number({ error: 'must be a number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(1000, 'must be at least 1000 (1 s)')
    .max(25000, 'must be at most 25000 (25 s), below the 30 s function timeout')
    .default(10000),
  logRetentionDays: z.coerce
    .number({ error: 'must be a number of days' })
    .refine((days) => RETENTION_DAYS.includes(days), `must be one of ${RETENTION_DAYS.join(', ')}`)
    .default(30),
  alarmEmail: z.preprocess(blankAsUnset, z.email('must be an email address').optional()),
  /** How long an onboarding waits for the merchant's documents (default 7 days). */
  documentsTimeoutSeconds: waitSeconds(7 * 24 * 3600),
  /** How long it waits for the provider's verdict on a profile (default 3 days). */
  verificationTimeoutSeconds: waitSeconds(3 * 24 * 3600),
  /** How long it waits for a pending virtual account to settle (default 3 days). */
  accountTimeoutSeconds: waitSeconds(3 * 24 * 3600),
  /**
   * How long a provider-calling step waits out transient trouble (unavailable, timeout, rate limited,
   * not ready yet) before its execution fails: the length of a long provider incident (default 6 hours).
   */
  providerOutageHours: z.coerce
    .number({ error: 'must be a number of hours' })
    .min(0.1, 'must be at least 0.1 (6 minutes)')
    .max(72, 'must be at most 72 (3 days): a Connect migration must fit in its 7-day execution')
    .default(DEFAULT_OUTAGE.outageHours),
  /** The longest pause between two attempts of a provider call (default 300 s). */
  providerRetryMaxDelaySeconds: z.coerce
    .number({ error: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .min(10, 'must be at least 10')
    .max(3600, 'must be at most 3600 (1 hour)')
    .default(DEFAULT_OUTAGE.maxDelaySeconds),
  /**
   * How many users a Connect migration batch migrates at once. StraitsX's rate (5 requests a second in
   * the sandbox) sets the pace and the shared rate budget holds every call to it; this only has to be
   * high enough to keep that budget busy while each user waits on the network.
   */
  connectMigrationBatchMaxConcurrency: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1000, 'must be at most 1000 (child executions of one Map Run at once)')
    .default(10),
  /** The share of a batch's users whose migration may fail before the batch itself fails (a Map Run setting). */
  connectMigrationBatchToleratedFailurePercentage: z.coerce
    .number({ error: 'must be a number' })
    .min(0, 'must be at least 0')
    .max(100, 'must be at most 100')
    .default(10),
  /** How many times a failed execution is redriven automatically before it is left FAILED with an alarm. */
  redriveCap: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be at least 0 (0 turns automatic redrive off)')
    .max(20, 'must be at most 20')
    .default(3),
  /** How long after a failure the sweeper redrives it (default 15 minutes). */
  redriveDelaySeconds: z.coerce
    .number({ error: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .min(0, 'must be at least 0')
    .max(86400, 'must be at most 86400 (1 day)')
    .default(900),
  /** How often the sweeper runs (default every 5 minutes). */
  sweepIntervalMinutes: z.coerce
    .number({ error: 'must be a number of minutes' })
    .int('must be a whole number of minutes')
    .min(1, 'must be at least 1')
    .max(60, 'must be at most 60')
    .default(5),
  /** The alarm on open waits fires when the oldest one is this far past its timeout (default 1 hour). */
  overdueWaitAlarmSeconds: z.coerce
    .number({ error: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .min(60, 'must be at least 60')
    .default(3600),
  wallexSourceIps: z.preprocess(
    listFromContext,
    z
      .array(z.ipv4({ error: 'must hold IPv4 addresses only (for example 175.41.191.143)' }), {
        error: 'must be a list of IPv4 addresses (a JSON array, or comma-separated with -c)',
      })
      .min(1, 'must hold at least one address: without one, no Wallex notification could arrive')
      .default([...WALLEX_SOURCE_IPS]),
  ),
});

/** The three waits run one after the other in the worst case: together they must fit in one execution. */
const WAIT_KEYS = ['documentsTimeoutSeconds', 'verificationTimeoutSeconds', 'accountTimeoutSeconds'] as const;
/** The most provider-retrying steps one execution of any workflow holds (read from the ASL files). */
const MAX_RETRYING_STEPS = Math.max(
  ...['onboarding', 'connect-migration'].map((name) =>
    retryingSteps(readFileSync(fileURLToPath(new URL(`../workflows/${name}.asl.json`, import.meta.url)), 'utf8')),
  ),
);
const checkedSchema = configSchema.superRefine((config, ctx) => {
  const policy = providerRetryPolicy({
    outageHours: config.providerOutageHours,
    maxDelaySeconds: config.providerRetryMaxDelaySeconds,
  });
  const events = retryHistoryEvents(policy, MAX_RETRYING_STEPS);
  if (events > HISTORY_EVENT_BUDGET) {
    ctx.addIssue({
      code: 'custom',
      path: ['providerOutageHours / providerRetryMaxDelaySeconds'],
      message: `make ${policy.maxAttempts} attempts per step; ${MAX_RETRYING_STEPS} retrying steps could write ${events} history events, over ${HISTORY_EVENT_BUDGET} (Step Functions stops at 25,000): shorten the outage or lengthen the pause`,
    });
  }
  const total = WAIT_KEYS.reduce((sum, key) => sum + config[key], 0);
  if (total >= ONBOARDING_EXECUTION_TIMEOUT_SECONDS) {
    ctx.addIssue({
      code: 'custom',
      path: [WAIT_KEYS.join(' + ')],
      message: `must add up to less than ${ONBOARDING_EXECUTION_TIMEOUT_SECONDS} (30 days, the execution limit); they add up to ${total}`,
    });
  }
});

/** The checked configuration the stack is built from. */
export type OnboardingConfig = z.output<typeof configSchema>;

/** The context keys this app reads. */
export const CONFIG_KEYS = Object.keys(configSchema.shape) as (keyof OnboardingConfig)[];

/** Raised when the CDK context does not pass the checks; the message lists each key and its rule. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Checks raw context values and returns the configuration, or throws a ConfigError naming every bad key. */
export function parseConfig(raw: Record<string, unknown>): OnboardingConfig {
  const result = checkedSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  - context key "${issue.path.join('.')}": ${issue.message}`);
  throw new ConfigError(`Invalid CDK context (set with -c key=value or in cdk.json):\n${lines.join('\n')}`);
}

/** Reads this app's keys from a construct node's context and checks them. */
export function readConfig(node: Node): OnboardingConfig {
  const raw: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) raw[key] = node.tryGetContext(key);
  return parseConfig(raw);
}
