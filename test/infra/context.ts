import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CURRENT_VERSION_EXPIRED_FLAGS } from 'aws-cdk-lib/cx-api';

// Kept apart from synth.ts: a test that only reads the context does not load the whole stack.

/** The context in cdk.json, as `cdk synth` passes it to the app. */
export function cdkJsonContext(): Record<string, unknown> {
  const file = fileURLToPath(new URL('../../cdk.json', import.meta.url));
  return (JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
}

/** Feature flags in cdk.json that CDK v2 no longer accepts (checked by their own test). */
export function expiredFlagsIn(context: Record<string, unknown>): string[] {
  return Object.keys(context).filter((key) => CURRENT_VERSION_EXPIRED_FLAGS.includes(key));
}
