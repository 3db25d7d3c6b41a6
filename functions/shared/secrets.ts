import type { GetSecretValueRequest, GetSecretValueResponse } from '@aws-sdk/client-secrets-manager';
import type * as z from 'zod/mini';
import { type AwsJsonService, callAws, timestampFields } from './aws-json';
import { requireEnv } from './env';
import { ConfigurationError } from './errors';

export const SECRETS_MANAGER: AwsJsonService = {
  target: 'secretsmanager',
  jsonVersion: '1.1',
  signingName: 'secretsmanager',
  envName: 'SECRETS_MANAGER',
  endpointPrefix: 'secretsmanager',
  revive: timestampFields('CreatedDate'),
};

/** Secrets are cached for five minutes per execution environment: a rotated key is picked up soon. */
const MAX_AGE_SECONDS = 300;

/**
 * Parsed secrets by ARN, each until its expiry. This is the cache Powertools' SecretsProvider kept
 * (`maxAge`, JSON transform, one entry per secret, a failed read cached nothing), written here because
 * that provider needs the SDK's Secrets Manager client, whose runtime was most of the weight of every
 * function that reads a provider's keys.
 */
const cache = new Map<string, { value: unknown; expiresAt: number }>();

async function secretJson(arn: string): Promise<unknown> {
  const cached = cache.get(arn);
  if (cached && cached.expiresAt > Date.now()) return cached.value;
  const answer = await callAws<GetSecretValueResponse>(SECRETS_MANAGER, 'GetSecretValue', {
    SecretId: arn,
  } satisfies GetSecretValueRequest);
  // A binary secret arrives base64-encoded; its bytes are the JSON text.
  const text =
    answer.SecretString ??
    (answer.SecretBinary === undefined ? undefined : Buffer.from(String(answer.SecretBinary), 'base64').toString('utf8'));
  if (text === undefined) throw new Error('the secret has no value');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse quotes the text it could not read: its message must not travel with the error.
    throw new Error('the secret is not JSON');
  }
  cache.set(arn, { value, expiresAt: Date.now() + MAX_AGE_SECONDS * 1000 });
  return value;
}

/**
 * Reads a JSON secret named by an environment variable (its ARN) and checks its shape. An error names
 * the variable and the missing or malformed fields, never a value.
 */
export async function readSecret<S extends z.ZodMiniType>(arnVariable: string, schema: S): Promise<z.output<S>> {
  const arn = requireEnv(arnVariable);
  let raw: unknown;
  try {
    raw = await secretJson(arn);
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

/** Forgets cached secrets: for tests and local restarts. */
export function resetSecrets(): void {
  cache.clear();
}
