import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { z } from 'zod';

/** The source of the events this stack publishes; the merchant's rule must never match it. */
export const ORCHESTRATOR_EVENT_SOURCE = 'onboarding.orchestrator';

/** Retention periods CloudWatch Logs accepts, as CDK lists them. */
const RETENTION_DAYS: readonly number[] = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number');

/**
 * Context values come from cdk.json (JSON values) or `-c key=value` (always strings): numbers are
 * coerced, and an empty string counts as "not set" so `-c alarmEmail=` turns the option off.
 */
const blankAsUnset = (value: unknown) => (value === '' ? undefined : value);

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
  straitsxBaseUrl: z.url({ protocol: /^https$/, error: 'must be an https URL' }).default('https://api-sandbox.straitsx.com/v1'),
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
  const result = configSchema.safeParse(raw);
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
