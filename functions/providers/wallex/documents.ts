import { ProviderUnavailable } from '../../shared/errors';
import type { DocumentAccess } from '../port';
import { wxPath } from './client';
import { PROVIDER } from './errors';
import { documentNameFor, listOf, uploadUrlOf, type WallexDocument } from './mappers';
import { contentDigest, type ProgressStore, type WallexProgress } from './progress';
import type { WallexTransport } from './users';

const idOf = (doc: WallexDocument | undefined) => doc?.id ?? doc?.documentId;

/**
 * Hands one declared document to Wallex: a document entry (`POST /v2/users/:userId/documents`), then a
 * PUT of the bytes to the entry's presigned `uploadUrl`, which lives 5 minutes. The bytes are read from
 * our bucket before the entry is created, so the 5 minutes cover the PUT alone.
 *
 * Safe to repeat. An entry whose bytes went up already (same digest on the progress item) is skipped. An
 * entry that exists but whose upload did not land (the answer or the PUT was lost) gets a fresh URL from
 * `PATCH .../documents/:documentId` instead of a second entry. After a resubmission request, a file the
 * merchant replaced has a new digest and goes up again; an unchanged one does not.
 *
 * Returns whether this call uploaded the file.
 */
export async function sendDocument(
  client: WallexTransport,
  store: ProgressStore,
  onboardingId: string,
  userId: string,
  type: string,
  documents: DocumentAccess,
  progress: WallexProgress,
): Promise<boolean> {
  const file = await documents.read(type);
  const digest = contentDigest(file.body);
  const known = progress.sent[type];
  const base = wxPath`/v2/users/${userId}/documents`;
  const entries = listOf<WallexDocument>(await client.request<unknown>('GET', base));
  const entry =
    entries.find((e) => e.documentType === type && known && idOf(e) === known.documentId) ??
    entries.find((e) => e.documentType === type);
  if (known && entry && idOf(entry) === known.documentId && known.digest === digest) return false;

  const documentName = documentNameFor(type, file.contentType);
  const entryId = idOf(entry);
  const answer = entryId
    ? await client.request<WallexDocument>('PATCH', wxPath`/v2/users/${userId}/documents/${entryId}`, {
        body: { documentName },
      })
    : await client.request<WallexDocument>('POST', base, { body: { documentType: type, documentName } });
  const url = uploadUrlOf(answer);
  const documentId = idOf(answer) ?? entryId;
  if (!url || !documentId) throw new ProviderUnavailable({ provider: PROVIDER, code: 'no_upload_url' });

  await client.upload(url, file.body, file.contentType);
  progress.sent[type] = { digest, documentId };
  await store.write(onboardingId, progress);
  return true;
}
