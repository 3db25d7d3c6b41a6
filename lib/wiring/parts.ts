import type { Stack } from 'aws-cdk-lib';
import type { OnboardingConfig } from '../config';
import type { DocumentsBucket } from '../constructs/bucket';
import type { Encryption } from '../constructs/encryption';
import type { MerchantEvents } from '../constructs/events';
import { OnboardingFunction } from '../constructs/function';
import type { ProviderSecrets } from '../constructs/secrets';
import type { OnboardingTable } from '../constructs/table';

/**
 * What the stack's wiring shares: the stack itself (every function is created directly in it, so
 * construct paths and logical ids do not depend on how the wiring is split) and the data constructs.
 */
export interface StackParts {
  readonly stack: Stack;
  readonly config: OnboardingConfig;
  readonly encryption: Encryption;
  readonly table: OnboardingTable;
  readonly documents: DocumentsBucket;
  readonly secrets: ProviderSecrets;
  readonly events: MerchantEvents;
}

/** A function of functions/handlers/<handler>.ts in the stack, with the stack's defaults; grants come after. */
export function makeFunction(
  parts: StackParts,
  id: string,
  handler: string,
  description: string,
  environment: Record<string, string> = {},
  timeoutSeconds?: number,
): OnboardingFunction {
  return new OnboardingFunction(parts.stack, id, {
    table: parts.table.table,
    logRetention: parts.config.logRetentionDays,
    logKey: parts.encryption.key,
    handler,
    description,
    environment,
    timeoutSeconds,
  });
}

/** `BUCKET_NAME`: the vault and the documents. */
export const bucketEnvironment = (parts: StackParts) => ({ BUCKET_NAME: parts.documents.bucket.bucketName });

/**
 * What a function that reaches any provider reads: the bucket, every provider's secret ARN and base URL,
 * the client timeout, and the bus (replayed webhooks can publish an outcome).
 */
export function providerEnvironment(parts: StackParts): Record<string, string> {
  const { config, secrets, events } = parts;
  return {
    ...bucketEnvironment(parts),
    ...secrets.providerEnvironment(),
    STRAITSX_BASE_URL: config.straitsxBaseUrl,
    WALLEX_BASE_URL: config.wallexBaseUrl,
    STRADDLE_BASE_URL: config.straddleBaseUrl,
    PROVIDER_TIMEOUT_MS: String(config.providerTimeoutMs),
    ...events.environment(),
  };
}
