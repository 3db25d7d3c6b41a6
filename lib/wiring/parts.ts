import type { Stack } from 'aws-cdk-lib';
import { ENTRY_POINTS, type EntryPoint } from '../../manifest/entry-points';
import { ENVIRONMENT, variablesOf } from '../../manifest/environment';
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
  /**
   * Every value a function's environment may take (manifest/environment.ts names which each gets); the
   * wiring adds a resource's values (state machine ARNs, the retry policy) once it exists.
   */
  readonly environment: Record<string, string>;
  readonly events: MerchantEvents;
}

/**
 * A function of functions/handlers/<file>.ts (the manifest's file for `id`) in the stack, with the stack's defaults and the environment
 * its entry point declares (manifest/environment.ts); grants come after.
 */
export function makeFunction(
  parts: StackParts,
  id: EntryPoint,
  description: string,
  timeoutSeconds?: number,
): OnboardingFunction {
  return new OnboardingFunction(parts.stack, id, {
    table: parts.table.table,
    logRetention: parts.config.logRetentionDays,
    logKey: parts.encryption.key,
    handler: ENTRY_POINTS[id],
    description,
    environment: declaredEnvironment(parts, id),
    timeoutSeconds,
  });
}

/** The values of the variables `id` declares beyond the construct's own, failing on one the stack lacks so far. */
function declaredEnvironment(parts: StackParts, id: EntryPoint): Record<string, string> {
  return Object.fromEntries(
    variablesOf(ENVIRONMENT[id]).map((name) => {
      const value = parts.environment[name];
      if (value === undefined) throw new Error(`${id} declares ${name}, which has no value when the function is made`);
      return [name, value];
    }),
  );
}

/** The values known before any function or workflow exists: names, ARNs and settings, never a secret value. */
export function stackEnvironment(parts: Omit<StackParts, 'environment'>): Record<string, string> {
  const { config } = parts;
  return {
    ...providerEnvironment(parts),
    ...parts.secrets.platformEnvironment(),
    MERCHANT_ID: config.merchantId,
    STRAITSX_CONNECT_BASE_URL: config.straitsxConnectBaseUrl,
    DOCUMENTS_TIMEOUT_SECONDS: String(config.documentsTimeoutSeconds),
    VERIFICATION_TIMEOUT_SECONDS: String(config.verificationTimeoutSeconds),
    ACCOUNT_TIMEOUT_SECONDS: String(config.accountTimeoutSeconds),
    REDRIVE_CAP: String(config.redriveCap),
    REDRIVE_DELAY_SECONDS: String(config.redriveDelaySeconds),
  };
}

/** `BUCKET_NAME`: the vault and the documents. */
export const bucketEnvironment = (parts: Pick<StackParts, 'documents'>) => ({ BUCKET_NAME: parts.documents.bucket.bucketName });

/**
 * What a function that reaches any provider reads: the bucket, every provider's secret ARN and base URL,
 * the client timeout, and the bus (replayed webhooks can publish an outcome).
 */
export function providerEnvironment(parts: Omit<StackParts, 'environment'>): Record<string, string> {
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
