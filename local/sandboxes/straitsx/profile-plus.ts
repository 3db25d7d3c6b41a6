import type { Reply } from '../kit';
import { checkDocuments, type DocumentCheck } from './documents';
import { profileDocument, profileExists, profileInvalid, profileIssues } from './profile-document';
import { ok } from './replies';
import { plusConditionIssues, plusDocumentLinks, plusProfileBody } from './rules-plus';
import type { StraitsxStore } from './store';

/** Every failing field of a CP+ body, the field rules' and the cross-field rules' together. */
export function plusIssues(body: Record<string, unknown>) {
  const parsed = plusProfileBody.safeParse(body);
  const issues = [...profileIssues(parsed.success ? undefined : parsed.error, body), ...plusConditionIssues(body)];
  return { parsed, issues };
}

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
  const { parsed, issues } = plusIssues(body);
  if (!parsed.success || issues.length > 0) return profileInvalid(issues);
  const fields = parsed.data as Record<string, unknown>;
  if (store.findByRegistration(fields.registrationType, fields.registrationId)) return profileExists();
  if (check.fetchDocuments) {
    const failure = await checkDocuments(plusDocumentLinks(fields), check.timeoutMs);
    if (failure) return profileInvalid([{ path: failure, message: failure, missing: false }]);
  }
  // The fetches let other requests run: look again, so two concurrent creates cannot both store.
  if (store.findByRegistration(fields.registrationType, fields.registrationId)) return profileExists();
  return ok(profileDocument(store.addProfile(fields, 'pending')));
}
