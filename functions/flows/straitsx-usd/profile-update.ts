import { randomUUID } from 'node:crypto';
import type { OnboardingRecord } from '../../onboarding/record';
import type { OnboardingRequest } from '../../onboarding/request';
import { adapterFor } from '../../providers/registry';
import { usdPatchSchema, usdRailMissingFields } from '../../providers/straitsx/schema-usd';
import { logger } from '../../shared/powertools';
import { Refusal } from '../../shared/refusals';
import { parseRequestOrThrow } from '../../shared/validation';
import { findOnboarding, mutateOnboarding, timelineEntry } from '../../store/onboardings';
import { getPersonalData, putPersonalData } from '../../store/vault';

export class ProfileUpdateNotPossible extends Refusal {
  override readonly name = 'ProfileUpdateNotPossible';
  constructor(statusCode: 404 | 409, message: string) {
    super(statusCode, message);
  }
}

/**
 * Adds StraitsX's USD-rail fields to an existing basic profile (PATCH), as the get-started page
 * describes: only the fields the profile lacks, each checked by its documented rule. The merged
 * customer goes to the vault under a new key; the record keeps ids and which fields were added.
 */
export async function addUsdFields(
  onboardingId: string,
  input: unknown,
): Promise<{ record: OnboardingRecord; added: string[]; missing: string[] }> {
  const record = await findOnboarding(onboardingId);
  if (!record) throw new ProfileUpdateNotPossible(404, 'No onboarding with this id.');
  if (record.provider !== 'straitsx') throw new ProfileUpdateNotPossible(409, 'Only StraitsX profiles take USD-rail fields.');
  const profileId = record.providerIds.profileId;
  if (!profileId || record.profileStatus !== 'verified')
    throw new ProfileUpdateNotPossible(409, 'The profile must exist and be verified first.');
  const request = await getPersonalData<OnboardingRequest>(record.vaultKey);
  if (request.provider !== 'straitsx' || request.profileType !== 'CP') {
    throw new ProfileUpdateNotPossible(409, 'A full-KYC (CP+) profile has the USD fields already.');
  }
  const customer = request.customer;
  const changes = parseRequestOrThrow(usdPatchSchema[customer.registrationType], input, ['customer']) as Record<string, unknown>;
  const lacking = new Set<string>(usdRailMissingFields(customer));
  const added = Object.keys(changes).filter((field) => lacking.has(field));
  if (added.length === 0) throw new ProfileUpdateNotPossible(409, 'The profile has every field sent already.');
  const patch = Object.fromEntries(added.map((field) => [field, changes[field]]));

  await (await adapterFor('straitsx')).updateProfile!({ onboardingId, request, profileId, changes: patch });
  const merged = { ...request, customer: { ...customer, ...patch } } as OnboardingRequest;
  const vaultKey = await putPersonalData(onboardingId, randomUUID().replace(/-/g, ''), merged);
  const updated = await mutateOnboarding(onboardingId, (current) => ({
    vaultKey,
    timeline: [...current.timeline, timelineEntry('update-profile', 'USD_FIELDS_ADDED', added.join(','))],
  }));
  const missing = usdRailMissingFields((merged as Extract<OnboardingRequest, { provider: 'straitsx' }>).customer);
  logger.info('profile updated', { onboardingId, fields: added });
  return { record: updated, added, missing };
}
