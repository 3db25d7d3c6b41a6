import { documentUrlsOf, plusProviderSchema } from '../../../functions/providers/straitsx/schema-plus';
import type { Reply } from '../kit';
import { checkDocuments, type DocumentCheck } from './documents';
import { firstFieldMessage, profileDocument, profileExists } from './profile-document';
import { invalid, ok } from './replies';
import type { StraitsxStore } from './store';

/**
 * Creates a full-KYC profile (CP+): checked against the CP+ rules, documents fetched as the provider
 * fetches them, and stored `pending`, as the reference's CP+ examples answer: a CP+ is reviewed before
 * it is verified (the sandbox's simulation endpoint, or a test helper, decides the outcome).
 */
export async function createPlusProfile(
  store: StraitsxStore,
  body: Record<string, unknown>,
  check: DocumentCheck,
): Promise<Reply> {
  const parsed = plusProviderSchema.safeParse(body);
  if (!parsed.success) return invalid(firstFieldMessage(parsed.error));
  const fields = parsed.data as Record<string, unknown>;
  if (store.findByRegistration(fields.registrationType, fields.registrationId)) return profileExists();
  if (check.fetchDocuments) {
    const failure = await checkDocuments(documentUrlsOf(parsed.data), check.timeoutMs);
    if (failure) return invalid(failure);
  }
  // The fetches let other requests run: look again, so two concurrent creates cannot both store.
  if (store.findByRegistration(fields.registrationType, fields.registrationId)) return profileExists();
  return ok(profileDocument(store.addProfile(fields, 'pending')));
}
