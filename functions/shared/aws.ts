/**
 * How cached AWS clients and signers are dropped when the process changes its AWS endpoints, region or
 * credentials (tests, local restarts). DynamoDB, Step Functions, EventBridge and Secrets Manager are
 * called with signed fetch (aws-json.ts), S3's whole objects too (s3-objects.ts); what still uses an SDK
 * client (S3 presigning and ranges, s3.ts) registers here how it is dropped.
 */
export const AWS_CLIENT_DEFAULTS = { maxAttempts: 3 } as const;

const resets: (() => void)[] = [];

/** Registers how a client or cache made elsewhere is dropped by {@link resetAwsClients}. */
export function onAwsClientsReset(reset: () => void): void {
  resets.push(reset);
}

/** Drops cached clients and signers: used when the process changes its AWS endpoints (tests, local restarts). */
export function resetAwsClients(): void {
  for (const reset of resets) reset();
}
