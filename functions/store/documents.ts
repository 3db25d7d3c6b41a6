import type { OnboardingRecord } from '../onboarding/record';
import type { DocumentAccess } from '../providers/port';
import { requireEnv } from '../shared/env';
import { getObjectBytes, headObject, presignGetUrl, presignPutUrl } from '../shared/s3-objects';

/**
 * Documents the merchant uploads for an onboarding, in the same KMS-encrypted bucket as the vault, under
 * `documents/<onboardingId>/<slot>/<upload id>`. The merchant gets a short-lived presigned PUT; the
 * content is checked when it lands (see `inspectDocument`) before the slot counts as received.
 */
const bucket = () => requireEnv('BUCKET_NAME');

/** Largest document StraitsX takes (10 MB per request); the presigned PUT signs the exact length. */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
export const DOCUMENT_TYPES = { 'image/png': 'png', 'image/jpeg': 'jpg', 'application/pdf': 'pdf' } as const;
export type DocumentContentType = keyof typeof DOCUMENT_TYPES;

/** The object key of one upload of one slot. */
export function documentKey(onboardingId: string, slot: string, uploadId: string): string {
  return `documents/${onboardingId}/${slot}/${uploadId}`;
}

/** Reads `documents/<onboardingId>/<slot>/<uploadId>` back into its parts. */
export function parseDocumentKey(key: string): { onboardingId: string; slot: string; uploadId: string } | undefined {
  const match = /^documents\/(onb_[a-z2-7]{26})\/([A-Za-z0-9._-]{1,80})\/([A-Za-z0-9-]{1,64})$/.exec(key);
  return match ? { onboardingId: match[1]!, slot: match[2]!, uploadId: match[3]! } : undefined;
}

/**
 * A presigned PUT for one document: content type and length are part of the signature, so S3 itself
 * refuses an upload that declares another type or length than was granted.
 */
export async function presignDocumentUpload(
  key: string,
  contentType: DocumentContentType,
  size: number,
  ttlSeconds: number,
): Promise<string> {
  return presignPutUrl(bucket(), key, ttlSeconds, { contentType, contentLength: size });
}

/** What the magic bytes say a file is. */
export function sniffContentType(head: Uint8Array): DocumentContentType | undefined {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf';
  return undefined;
}

/** The media type of a Content-Type header, lower-cased, without parameters. */
const mediaType = (value: string | undefined) => value?.split(';')[0]?.trim().toLowerCase();

/**
 * Checks an uploaded object against its grant: at most the granted size (and never over 10 MB), stored
 * with the granted Content-Type and no Content-Encoding, and content that really is of that type by its magic bytes. The reason
 * names the rule broken, never the content.
 */
export async function inspectDocument(
  key: string,
  grant: { contentType: string; size: number },
): Promise<{ ok: true; contentType: DocumentContentType; size: number } | { ok: false; reason: string; size?: number }> {
  const head = await headObject(bucket(), key);
  const size = head.size;
  if (size === 0) return { ok: false, reason: 'the file is empty', size };
  if (size > MAX_DOCUMENT_BYTES) return { ok: false, reason: 'the file is larger than 10 MB', size };
  if (size > grant.size) return { ok: false, reason: `the file is larger than the ${grant.size} bytes granted`, size };
  // A stored Content-Encoding (gzip, say) would make every reader unpack the file: its size would no
  // longer be the size checked. Documents are stored as they are sent.
  if (head.contentEncoding && head.contentEncoding.toLowerCase() !== 'identity')
    return { ok: false, reason: 'the upload declares a Content-Encoding; send the file as it is', size };
  if (mediaType(head.contentType) !== grant.contentType)
    return { ok: false, reason: `the upload's Content-Type is not the ${grant.contentType} granted`, size };
  const { body: bytes } = await getObjectBytes(bucket(), key, 'bytes=0-15');
  const sniffed = sniffContentType(bytes);
  if (!sniffed) return { ok: false, reason: 'the content is not PNG, JPEG or PDF', size };
  if (sniffed !== grant.contentType) return { ok: false, reason: `the content is not the ${grant.contentType} granted`, size };
  return { ok: true, contentType: sniffed, size };
}

/** The documents of a record, as an adapter may use them. */
export function documentAccess(record: OnboardingRecord): DocumentAccess {
  const entry = (slot: string) => {
    const doc = record.documents?.[slot];
    if (!doc || doc.status !== 'received') throw new Error(`document ${slot} of ${record.onboardingId} has not been received`);
    return doc;
  };
  return {
    uploaded: () =>
      Object.entries(record.documents ?? {})
        .filter(([, d]) => d.status === 'received')
        .map(([slot]) => slot),
    url: async (slot, ttlSeconds) => {
      const key = entry(slot).key;
      return presignGetUrl(bucket(), key, ttlSeconds);
    },
    read: async (slot) => {
      const doc = entry(slot);
      const { body, contentType } = await getObjectBytes(bucket(), doc.key);
      return { body, contentType: doc.contentType ?? contentType ?? 'application/octet-stream' };
    },
  };
}
