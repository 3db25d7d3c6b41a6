import type { ProfileResult, ProfileStatus } from '../port';

/**
 * Wallex user statuses in the workflow's words. The seed page leaves its "Status values:" list empty;
 * the values come from the newer Partner API docs (`pending_approval`, `approved`,
 * `document_needs_resubmission`, `withdrawn`, `terminated`, `closed`) and from the seed's own examples
 * (`pendng`, a typo for pending, and `rejected` / `documents_need_resubmission` in the `remarks` text).
 * Both spellings of the resubmission status are accepted.
 *
 * A word not listed here is never taken as approval: it maps to `pending` with the raw word kept as
 * `providerStatus`, and `isUnknownWallexStatus` lets the workflow send it to needs-attention.
 */
const STATUS_MAP: Record<string, ProfileStatus> = {
  approved: 'verified',
  pending_approval: 'pending',
  pending: 'pending',
  pendng: 'pending',
  document_needs_resubmission: 'needs_documents',
  documents_need_resubmission: 'needs_documents',
  rejected: 'rejected',
  withdrawn: 'rejected',
  terminated: 'rejected',
  closed: 'rejected',
};

/** Statuses of a user whose screening has not been started yet (sign-up done, details and documents to come). */
const BEFORE_SCREENING = new Set(['pending', 'pendng']);

const normal = (word: string | undefined) => (word ?? '').trim().toLowerCase();

/** True when Wallex's word is not one this module knows: route it to needs-attention, never approve it. */
export function isUnknownWallexStatus(word: string | undefined): boolean {
  return !(normal(word) in STATUS_MAP);
}

/** True when the user is signed up but not yet sent to screening. */
export function isBeforeScreening(word: string | undefined): boolean {
  return BEFORE_SCREENING.has(normal(word));
}

/** Wallex's user status in the workflow's words; an undocumented word is `unknown`: needs attention, never approval. */
export function toProfileStatus(word: string | undefined): ProfileStatus {
  return STATUS_MAP[normal(word)] ?? 'unknown';
}

// Provider words go on the record's timeline: only short identifier-like words are kept verbatim.
const SAFE_WORD = /^[A-Za-z][A-Za-z0-9_ -]{0,39}$/;

/** The provider's word as it may be recorded: itself if word-shaped, else a placeholder. */
export function recordableStatus(word: string | undefined): string {
  if (word === undefined || word.trim() === '') return '(none)';
  return SAFE_WORD.test(word.trim()) ? word.trim() : '(unrecognised)';
}

/**
 * Maps a user's status to the port's result. The reason of a rejection is the status word itself:
 * Wallex's `remarks` is free text written about the person and stays out of the record and events.
 */
export function toProfileResult(userId: string, word: string | undefined, created: boolean): ProfileResult {
  const status = toProfileStatus(word);
  return {
    profileId: userId,
    status,
    created,
    providerStatus: recordableStatus(word),
    ...(status === 'rejected' ? { rejection: { reason: `wallex status ${recordableStatus(word)}`, retryable: false } } : {}),
  };
}

/** A user as `GET /v2/users/:userId` returns it (fields this service reads). */
export interface WallexUser {
  id?: string;
  userId?: string;
  email?: string;
  status?: string;
}

/** A document entry as the documents endpoints return it; the URL's field name varies in case. */
export interface WallexDocument {
  id?: string;
  documentId?: string;
  documentType?: string;
  documentName?: string;
  uploadUrl?: string;
  uploadURL?: string;
  downloadUrl?: string;
  downloadURL?: string;
}

/** The upload URL of a create or update answer, under either spelling the page uses. */
export const uploadUrlOf = (doc: WallexDocument | undefined) => doc?.uploadUrl ?? doc?.uploadURL;

/** A listing's entries: the page wraps lists in `{ value: [...] }`; a bare array is accepted too. */
export function listOf<T>(answer: unknown): T[] {
  if (Array.isArray(answer)) return answer as T[];
  const value = (answer as { value?: unknown } | undefined)?.value;
  return Array.isArray(value) ? (value as T[]) : [];
}

/** The user-detail `status` object: `{ value: 'incomplete', missing_fields: [...] }`. */
export interface WallexDetailStatus {
  value?: string;
  missing_fields?: unknown[];
}

/** The missing field names a user-detail answer reports (empty when complete or not reported). */
export function missingFieldsOf(detail: { status?: WallexDetailStatus | string } | undefined): unknown[] {
  const status = detail?.status;
  if (typeof status !== 'object' || status === null) return [];
  return Array.isArray(status.missing_fields) ? status.missing_fields : [];
}

/** True when a user-detail answer says every field needed for screening is in. */
export function detailComplete(detail: { status?: WallexDetailStatus | string } | undefined): boolean {
  const status = detail?.status;
  if (typeof status !== 'object' || status === null) return false;
  return Array.isArray(status.missing_fields) && status.missing_fields.length === 0 && normal(status.value) !== 'incomplete';
}

/** File name extensions by content type, for the `documentName` sent to Wallex. */
const EXTENSIONS: Record<string, string> = { 'application/pdf': 'pdf', 'image/png': 'png', 'image/jpeg': 'jpg' };

/** The `documentName` sent for a slot: the type and an extension, nothing the customer wrote. */
export const documentNameFor = (documentType: string, contentType: string) =>
  `${documentType}.${EXTENSIONS[contentType] ?? 'bin'}`;
