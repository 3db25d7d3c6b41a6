import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { requireEnv } from '../shared/env';
import { s3Client } from '../shared/s3';

/**
 * The PII vault: personal data lives here, in the KMS-encrypted bucket (default encryption with the
 * stack's key), and nowhere else. Records, executions and events carry the object key only.
 */
const bucket = () => requireEnv('BUCKET_NAME');

/** Stores a customer's personal data; the key is unique per onboarding and request fingerprint. */
export async function putPersonalData(onboardingId: string, fingerprint: string, data: unknown): Promise<string> {
  const key = `vault/${onboardingId}/${fingerprint.slice(0, 16)}.json`;
  await s3Client().send(
    new PutObjectCommand({
      Bucket: bucket(),
      Key: key,
      Body: JSON.stringify(data),
      ContentType: 'application/json',
    }),
  );
  return key;
}

/** Reads personal data back from the vault. */
export async function getPersonalData<T>(key: string): Promise<T> {
  const { Body } = await s3Client().send(new GetObjectCommand({ Bucket: bucket(), Key: key }));
  if (!Body) throw new Error(`vault object ${key} has no body`);
  return JSON.parse(await Body.transformToString()) as T;
}
