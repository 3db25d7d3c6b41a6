/**
 * How cached signers and caches are dropped when the process changes its AWS endpoints, region or
 * credentials (tests, local restarts). The functions use no SDK client: DynamoDB, Step Functions,
 * EventBridge and Secrets Manager are called with signed fetch (aws-json.ts), S3 too (s3-objects.ts).
 */
const resets: (() => void)[] = [];

/** Registers how a signer or cache made elsewhere is dropped by {@link resetAwsClients}. */
export function onAwsClientsReset(reset: () => void): void {
  resets.push(reset);
}

/** Drops cached clients and signers: used when the process changes its AWS endpoints (tests, local restarts). */
export function resetAwsClients(): void {
  for (const reset of resets) reset();
}
