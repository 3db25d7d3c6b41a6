import type { Reply, SandboxRequest } from '../kit';
import { checkDocuments, type DocumentCheck } from './documents';
import { isObject, profileDocument, profileExists, profileInvalid, profileIssues, profileNotFound } from './profile-document';
import { plusIssues } from './profile-plus';
import { ok } from './replies';
import { basicProfileBody } from './rules-basic';
import { isPlusBody, PLUS_ONLY_FIELDS, plusDocumentLinks } from './rules-plus';
import type { StraitsxStore } from './store';

/**
 * `PATCH /kyc/customer_profiles/{id}`: a partial update, how a basic profile gets its USD-rail fields.
 * The merged profile is checked with the rules of its type, so each sent field meets its rule and the
 * profile stays whole. Left undocumented, and so refused or left alone here: turning a CP into a CP+
 * by PATCH (refused), and whether an update sends a CP+ back to review (its status is kept).
 */

// Set by the rejection simulation beside the submitted fields; not part of what a client may send.
const STATUS_FIELDS = ['isRetryable', 'verificationRejectionSummary', 'riskRating'];

// Objects are merged key by key (a PATCH may send `address: { postalCode }`); lists and values replace.
function merge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = base[key];
    out[key] = isObject(value) && isObject(current) ? merge(current, value) : value;
  }
  return out;
}

// One refused field in the profile endpoint's flat envelope.
const refused = (path: string, message: string): Reply => profileInvalid([{ path, message, missing: false }]);

function basicIssues(body: Record<string, unknown>) {
  const parsed = basicProfileBody.safeParse(body);
  return { parsed, issues: profileIssues(parsed.success ? undefined : parsed.error, body) };
}

/** Applies a PATCH to a stored profile, answering the updated profile or the provider's error. */
export async function updateProfile(store: StraitsxStore, request: SandboxRequest, check: DocumentCheck): Promise<Reply> {
  const profile = store.profiles.get(request.params.id ?? '');
  if (!profile) return profileNotFound();
  const patch = request.body;
  if (!isObject(patch) || Object.keys(patch).length === 0)
    return refused('', 'Request body must be a JSON object with at least one field');
  const before = profile.attributes;
  if ('registrationType' in patch && patch.registrationType !== before.registrationType)
    return refused('registrationType', 'registrationType cannot be changed');
  const plus = isPlusBody(before);
  const plusField = PLUS_ONLY_FIELDS.find((field) => field in patch);
  if (!plus && plusField) return refused(plusField, `${plusField} cannot be added to a basic customer profile`);

  const kept = Object.fromEntries(STATUS_FIELDS.filter((k) => k in before).map((k) => [k, before[k]]));
  const current = Object.fromEntries(Object.entries(before).filter(([k]) => !STATUS_FIELDS.includes(k)));
  const merged = merge(current, patch);
  const checked = plus ? plusIssues(merged) : basicIssues(merged);
  if (!checked.parsed.success || checked.issues.length > 0) return profileInvalid(checked.issues);
  const after = checked.parsed.data as Record<string, unknown>;
  const taken = () => {
    const other = store.findByRegistration(after.registrationType, after.registrationId);
    return other !== undefined && other.id !== profile.id;
  };
  if (taken()) return profileExists();

  if (plus && check.fetchDocuments) {
    // Only links that changed are fetched again.
    const old = new Map(plusDocumentLinks(current).map((d) => [d.slot, d.url]));
    const changed = plusDocumentLinks(after).filter((d) => old.get(d.slot) !== d.url);
    const failure = await checkDocuments(changed, check.timeoutMs);
    if (failure) return refused(failure, failure);
    if (taken()) return profileExists();
  }
  profile.attributes = { ...after, ...kept };
  profile.updatedAt = store.now();
  return ok(profileDocument(profile));
}
