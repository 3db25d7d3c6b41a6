import {
  CP_PLUS_ONLY_FIELDS,
  documentUrlsOf,
  isPlusProfileBody,
  plusProviderSchema,
} from '../../../functions/providers/straitsx/schema-plus';
import type { Reply, SandboxRequest } from '../kit';
import { checkDocuments, type DocumentCheck } from './documents';
import { firstFieldMessage, isObject, profileDocument, profileExists } from './profile-document';
import { invalid, notFound, ok } from './replies';
import { basicProfileBody } from './rules-basic';
import type { StraitsxStore } from './store';

/**
 * `PATCH /kyc/customer_profiles/{id}`: a partial update, how a basic profile gets its USD-rail fields.
 * The merged profile is checked with the rules of its type, so each sent field meets its rule and the
 * profile stays whole. Left undocumented, and so refused or left alone here: turning a CP into a CP+
 * by PATCH (refused), and whether an update sends a CP+ back to review (its status is kept).
 */

type PlusBody = Parameters<typeof documentUrlsOf>[0];

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

/** Applies a PATCH to a stored profile, answering the updated profile or the provider's error. */
export async function updateProfile(store: StraitsxStore, request: SandboxRequest, check: DocumentCheck): Promise<Reply> {
  const profile = store.profiles.get(request.params.id ?? '');
  if (!profile) return notFound('Customer profile');
  const patch = request.body;
  if (!isObject(patch) || Object.keys(patch).length === 0)
    return invalid('Request body must be a JSON object with at least one field');
  const before = profile.attributes;
  if ('registrationType' in patch && patch.registrationType !== before.registrationType)
    return invalid('registrationType cannot be changed');
  const plus = isPlusProfileBody(before);
  const plusField = CP_PLUS_ONLY_FIELDS.find((field) => field in patch);
  if (!plus && plusField) return invalid(`${plusField} cannot be added to a basic customer profile`);

  const kept = Object.fromEntries(STATUS_FIELDS.filter((k) => k in before).map((k) => [k, before[k]]));
  const current = Object.fromEntries(Object.entries(before).filter(([k]) => !STATUS_FIELDS.includes(k)));
  const parsed = (plus ? plusProviderSchema : basicProfileBody).safeParse(merge(current, patch));
  if (!parsed.success) return invalid(firstFieldMessage(parsed.error));
  const after = parsed.data as Record<string, unknown>;
  const taken = () => {
    const other = store.findByRegistration(after.registrationType, after.registrationId);
    return other !== undefined && other.id !== profile.id;
  };
  if (taken()) return profileExists();

  if (plus && check.fetchDocuments) {
    // Only links that changed are fetched again.
    const old = new Map(documentUrlsOf(current as unknown as PlusBody).map((d) => [d.slot, d.url]));
    const changed = documentUrlsOf(after as unknown as PlusBody).filter((d) => old.get(d.slot) !== d.url);
    const failure = await checkDocuments(changed, check.timeoutMs);
    if (failure) return invalid(failure);
    if (taken()) return profileExists();
  }
  profile.attributes = { ...after, ...kept };
  profile.updatedAt = store.now();
  return ok(profileDocument(profile));
}
