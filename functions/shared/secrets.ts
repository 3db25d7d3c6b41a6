import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type * as z from 'zod/mini';
import { AWS_CLIENT_DEFAULTS } from './aws';
import { requireEnv } from './env';
import { ConfigurationError } from './errors';

let provider: SecretsProvider | undefined;

/** Secrets are cached for five minutes per execution environment: a rotated key is picked up soon. */
const MAX_AGE_SECONDS = 300;

/**
 * Reads a JSON secret named by an environment variable (its ARN) and checks its shape. An error names
 * the variable and the missing or malformed fields, never a value.
 */
export async function readSecret<S extends z.ZodMiniType>(arnVariable: string, schema: S): Promise<z.output<S>> {
  provider ??= new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient(AWS_CLIENT_DEFAULTS) });
  const arn = requireEnv(arnVariable);
  let raw: unknown;
  try {
    raw = await provider.get(arn, { maxAge: MAX_AGE_SECONDS, transform: 'json' });
  } catch (error) {
    throw new ConfigurationError(`secret named by ${arnVariable} could not be read as JSON`, { cause: error });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
    throw new ConfigurationError(`secret named by ${arnVariable} is missing or has malformed fields: ${fields}`);
  }
  return parsed.data;
}

/** Forgets cached secrets and the client: for tests and local restarts. */
export function resetSecrets(): void {
  provider = undefined;
}
