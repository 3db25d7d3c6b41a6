import { requireEnv } from '../shared/env';
import { getObjectText, putObject } from '../shared/s3-objects';

/**
 * The PII vault: personal data lives here, in the KMS-encrypted bucket (default encryption with the
 * stack's key), and nowhere else. Records, executions and events carry the object key only.
 */
const bucket = () => requireEnv('BUCKET_NAME');

/** Stores a customer's personal data; the key is unique per onboarding and request fingerprint. */
export async function putPersonalData(onboardingId: string, fingerprint: string, data: unknown): Promise<string> {
  const key = `vault/${onboardingId}/${fingerprint.slice(0, 16)}.json`;
  await putObject(bucket(), key, JSON.stringify(data), 'application/json');
  return key;
}

/** Reads personal data back from the vault. */
export async function getPersonalData<T>(key: string): Promise<T> {
  return JSON.parse(await getObjectText(bucket(), key)) as T;
}
