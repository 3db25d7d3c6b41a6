import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { logger } from '../shared/powertools';
import { Refusal } from '../shared/refusals';
import { parseRequestOrThrow, ValidationFailed } from '../shared/validation';
import {
  DOCUMENT_TYPES,
  documentKey,
  inspectDocument,
  MAX_DOCUMENT_BYTES,
  parseDocumentKey,
  presignDocumentUpload,
} from '../store/documents';
import { findOnboarding, mutateOnboarding, timelineEntry } from '../store/onboardings';
import { FINAL_STATUSES, type UploadGrant } from './record';
import { resumeIfReady } from './waits';

/** How long a presigned upload URL stays valid. */
export const UPLOAD_URL_TTL_SECONDS = 900;

export const documentUploadRequestSchema = z.strictObject({
  slot: z.string().check(z.regex(/^[A-Za-z0-9._[\]-]{1,80}$/, 'slot must name a document slot of this onboarding')),
  contentType: z.enum(
    Object.keys(DOCUMENT_TYPES) as [keyof typeof DOCUMENT_TYPES],
    'contentType must be image/png, image/jpeg or application/pdf',
  ),
  size: z
    .number('size must be the file size in bytes')
    .check(
      z.int('size must be a whole number of bytes'),
      z.gte(1, 'size must be at least 1 byte'),
      z.lte(MAX_DOCUMENT_BYTES, 'size must be at most 10 MB (10485760 bytes)'),
    ),
});

export class DocumentNotAccepted extends Refusal {
  override readonly name = 'DocumentNotAccepted';
  constructor(statusCode: 404 | 409, message: string) {
    super(statusCode, message);
  }
}

/**
 * Hands the merchant a short-lived URL to upload one document into our bucket. Slot names are an
 * onboarding's `requiredDocuments`; the slot's key in S3 (`[]` in slot paths is kept as-is) carries an
 * upload id so a re-upload never overwrites the document another step may be reading.
 */
export async function requestDocumentUpload(onboardingId: string, input: unknown) {
  const { slot, contentType, size } = parseRequestOrThrow(documentUploadRequestSchema, input);
  const record = await findOnboarding(onboardingId);
  if (!record) throw new DocumentNotAccepted(404, 'No onboarding with this id.');
  if (FINAL_STATUSES.includes(record.status))
    throw new DocumentNotAccepted(409, `The onboarding is ${record.status}: it takes no more documents.`);
  const slots = (record.requiredDocuments ?? []).map((d) => d.slot);
  if (!slots.includes(slot)) {
    throw new ValidationFailed([
      { path: 'slot', message: slots.length ? `slot must be one of: ${slots.join(', ')}` : 'this onboarding takes no documents' },
    ]);
  }
  const uploadId = randomUUID();
  const key = documentKey(onboardingId, slotKey(slot), uploadId);
  const expiresAt = new Date(Date.now() + UPLOAD_URL_TTL_SECONDS * 1000).toISOString();
  // The grant is kept before the URL is handed out, so the upload's arrival always finds it.
  await mutateOnboarding(onboardingId, (current) => ({
    uploadGrants: { ...liveGrants(current.uploadGrants, slot), [uploadId]: { slot, contentType, size, expiresAt } },
  }));
  const uploadUrl = await presignDocumentUpload(key, contentType, size, UPLOAD_URL_TTL_SECONDS);
  return {
    slot,
    method: 'PUT',
    uploadUrl,
    headers: { 'content-type': contentType, 'content-length': String(size) },
    expiresAt,
  };
}

/** Grants per slot kept at once: enough for retries, and the record stays small. */
const GRANTS_PER_SLOT = 5;

/**
 * The grants still worth keeping before a new one for `slot` is added: unexpired (an upload may land a
 * little after its URL expired, so an hour's margin), and at most GRANTS_PER_SLOT - 1 of that slot.
 */
function liveGrants(grants: Record<string, UploadGrant> | undefined, slot: string): Record<string, UploadGrant> {
  const horizon = new Date(Date.now() - 3600_000).toISOString();
  const live = Object.entries(grants ?? {}).filter(([, grant]) => grant.expiresAt > horizon);
  const sameSlot = live.filter(([, grant]) => grant.slot === slot).sort(([, a], [, b]) => a.expiresAt.localeCompare(b.expiresAt));
  const dropped = new Set(sameSlot.slice(0, Math.max(0, sameSlot.length - (GRANTS_PER_SLOT - 1))).map(([id]) => id));
  return Object.fromEntries(live.filter(([id]) => !dropped.has(id)));
}

/** Slot paths like `directors[0].identityDocuments.passport` become one safe key segment. */
export const slotKey = (slot: string) => slot.replace(/\[(\d+)\]/g, '.$1');

/**
 * Runs when an upload lands in the bucket: checks its content (magic bytes, size), marks the slot as
 * received or refused, and resumes an execution waiting for documents once every required one is in.
 */
export async function documentUploaded(key: string): Promise<void> {
  const parts = parseDocumentKey(key);
  if (!parts) {
    logger.warn('object outside the documents layout ignored');
    return;
  }
  const record = await findOnboarding(parts.onboardingId);
  const slot = record?.requiredDocuments?.find((d) => slotKey(d.slot) === parts.slot)?.slot;
  if (!record || !slot) {
    logger.warn('document for an unknown onboarding or slot ignored', { onboardingId: parts.onboardingId });
    return;
  }
  const grant = record.uploadGrants?.[parts.uploadId];
  const verdict =
    grant && grant.slot === slot
      ? await inspectDocument(key, grant)
      : { ok: false as const, reason: 'no upload was granted for this object', size: undefined };
  const at = new Date().toISOString();
  const updated = await mutateOnboarding(parts.onboardingId, (current) => {
    if (FINAL_STATUSES.includes(current.status)) return undefined;
    const held = current.documents?.[slot];
    // Notifications come late, twice or out of order: the same object is checked once, and a refused
    // upload never undoes one that was received (the merchant sees the refusal in the timeline).
    if (held?.key === key && held.status !== 'superseded') return undefined;
    const keepReceived = !verdict.ok && held?.status === 'received';
    const entry = verdict.ok
      ? { status: 'received' as const, key, contentType: verdict.contentType, size: verdict.size, at }
      : { status: 'rejected' as const, key, size: verdict.size, at, reason: verdict.reason };
    return {
      documents: keepReceived ? current.documents : { ...current.documents, [slot]: entry },
      timeline: [...current.timeline, timelineEntry('document', entry.status, verdict.ok ? slot : `${slot}: ${verdict.reason}`)],
    };
  });
  logger.info('document checked', { onboardingId: parts.onboardingId, accepted: verdict.ok });
  await resumeIfReady(updated);
}
