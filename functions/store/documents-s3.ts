import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3Client } from '../shared/s3';

/**
 * The S3 calls of the documents store, with the S3 client: documents.ts imports this module when a
 * document is first touched, so the client (the largest the functions use) loads only then.
 */

/** A presigned PUT: content type and length are part of the signature. */
export function presignPut(bucket: string, key: string, contentType: string, size: number, ttlSeconds: number): Promise<string> {
  return getSignedUrl(
    s3Client(),
    new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: contentType, ContentLength: size }),
    // The presigner signs Content-Length but not Content-Type unless told: signed, S3 itself refuses a PUT
    // that declares another type or length than was granted.
    { expiresIn: ttlSeconds, signableHeaders: new Set(['content-type']) },
  );
}

/** A presigned GET. */
export function presignGet(bucket: string, key: string, ttlSeconds: number): Promise<string> {
  return getSignedUrl(s3Client(), new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: ttlSeconds });
}

/** An object's stored length and Content-Type. */
export async function head(bucket: string, key: string): Promise<{ size: number; contentType?: string }> {
  const answer = await s3Client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  return { size: answer.ContentLength ?? 0, contentType: answer.ContentType };
}

/** An object's bytes (or the first ones, with `range` such as `bytes=0-15`) and its Content-Type. */
export async function read(bucket: string, key: string, range?: string): Promise<{ body: Uint8Array; contentType?: string }> {
  const { Body, ContentType } = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range }));
  return { body: Body ? await Body.transformToByteArray() : new Uint8Array(), contentType: ContentType };
}
