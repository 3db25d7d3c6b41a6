import type { ProfileResult, ProviderAdapter } from '../providers/port';
import { adapterFor } from '../providers/registry';
import { logger, metrics } from '../shared/powertools';
import { parseOrThrow } from '../shared/validation';
import { documentAccess } from '../store/documents';
import { getOnboarding, linkProviderCustomer, mutateOnboarding, timelineEntry } from '../store/onboardings';
import { getPersonalData } from '../store/vault';
import { replayParkedUpdates } from './provider-updates';
import { type OnboardingRecord, recordedAccount } from './record';
import type { OnboardingRequest } from './request';
import { isFinal, stepInputSchema } from './step-input';
import { missingDocuments } from './waits';

export { finishStep } from './finish-step';
export { finishInputSchema, isFinal, stepInputSchema } from './step-input';

/**
 * What the workflow runs next for the profile: the provider's own calls before its verdict, where its
 * adapter has them, or `verdict` (the profile status decides).
 */
export type NextStep = 'details' | 'documents' | 'screening' | 'verdict';

export interface ProfileStepOutput {
  profileStatus: string;
  needsVirtualAccount: boolean;
  next: NextStep;
  /** The document slots the upload step goes over (empty unless `next` is `documents`). */
  documents: string[];
}

const ORDER = ['details', 'documents', 'screening'] as const;

/**
 * The first of the provider's own calls, from `from` on, that its adapter makes: a provider without a
 * call (no method on its adapter, or no document to upload) skips it. Never a choice on the provider's name.
 */
export function nextStep(adapter: ProviderAdapter, from: (typeof ORDER)[number] | undefined, slots: readonly string[]): NextStep {
  if (!from) return 'verdict';
  for (const step of ORDER.slice(ORDER.indexOf(from))) {
    if (step === 'details' && adapter.submitDetails) return step;
    if (step === 'documents' && adapter.uploadDocument && slots.length > 0) return step;
    if (step === 'screening' && adapter.startScreening) return step;
  }
  return 'verdict';
}

/** The required slots with a checked upload: what an upload step sends, in the adapter's order. */
export function uploadSlots(adapter: ProviderAdapter, request: OnboardingRequest, record: OnboardingRecord): string[] {
  const uploaded = new Set(documentAccess(record).uploaded());
  return adapter
    .requiredDocuments(request)
    .map((d) => d.slot)
    .filter((slot) => uploaded.has(slot));
}

/** The step's output: the slots ride along only when the uploads come next. */
export const profileOutput = (
  profileStatus: string,
  needsVirtualAccount: boolean,
  next: NextStep,
  slots: readonly string[],
): ProfileStepOutput => ({ profileStatus, needsVirtualAccount, next, documents: next === 'documents' ? [...slots] : [] });

/**
 * Creates the customer profile at the provider. A re-run after the onboarding ended, or a retry after
 * the profile was made, calls nothing new: the adapter finds what exists before it creates. When the
 * provider needs documents that have not arrived yet, the step says so and the workflow waits for them.
 */
export async function createProfileStep(input: unknown): Promise<ProfileStepOutput> {
  const { onboardingId } = parseOrThrow(stepInputSchema, input);
  const record = await getOnboarding(onboardingId);
  const request = await getPersonalData<OnboardingRequest>(record.vaultKey);
  const adapter = await adapterFor(record.provider);
  const needsVirtualAccount = adapter.needsVirtualAccount(request);
  // A re-run of an onboarding that ended calls no provider: it replays the recorded end.
  if (isFinal(record)) {
    metrics.addMetric('StepSkipped', 'Count', 1);
    const profileStatus = record.status === 'REJECTED' ? 'rejected' : (record.profileStatus ?? 'verified');
    return profileOutput(profileStatus, needsVirtualAccount, 'verdict', []);
  }
  const missing = missingDocuments(record);
  if (missing.length > 0) {
    await mutateOnboarding(onboardingId, (current) => ({
      status: 'AWAITING_DOCUMENTS',
      timeline: [
        ...current.timeline,
        timelineEntry('create-profile', 'AWAITING_DOCUMENTS', `${missing.length} document(s) missing`),
      ],
    }));
    return profileOutput('awaiting_documents', needsVirtualAccount, 'verdict', []);
  }
  const result = await adapter.createProfile({
    onboardingId,
    request,
    documents: documentAccess(record),
    profileId: record.providerIds.profileId,
  });
  const slots = uploadSlots(adapter, request, record);
  const next = nextStep(adapter, result.awaiting, slots);
  const profileStatus = await recordProfile(record, result, 'create-profile', result.created ? 'created' : 'found existing', {
    // The provider waits for our next calls (a resubmission's new documents among them): nothing is superseded yet.
    handsOn: next !== 'verdict',
  });
  metrics.addMetric(result.created ? 'ProfileCreated' : 'ProfileFound', 'Count', 1);
  logger.info('profile step done', { onboardingId, profileStatus, created: result.created, next });
  return profileOutput(profileStatus, needsVirtualAccount, next, slots);
}

/**
 * Writes the provider's answer on the record (one timeline entry for the step), links the profile so
 * webhooks find the onboarding, replays the webhooks that arrived before, and returns the status the
 * record holds then.
 */
export async function recordProfile(
  record: OnboardingRecord,
  result: ProfileResult,
  step: string,
  note: string,
  { handsOn = false }: { handsOn?: boolean } = {},
): Promise<string> {
  const { onboardingId } = record;
  const afterCreate = await mutateOnboarding(onboardingId, (current) => ({
    status: isFinal(current) ? current.status : 'IN_PROGRESS',
    providerIds: { ...current.providerIds, profileId: result.profileId },
    // A verdict a webhook already recorded (an earlier attempt linked the id) is not undone by "pending".
    profileStatus:
      result.status === 'pending' && (current.profileStatus === 'verified' || current.profileStatus === 'rejected')
        ? current.profileStatus
        : result.status,
    providerStatus: result.providerStatus,
    ...(result.rejection ? { outcome: { reason: result.rejection.reason, retryable: result.rejection.retryable } } : {}),
    // The provider asked for documents again: what was sent no longer counts, new uploads are awaited.
    ...(result.status === 'needs_documents' && !handsOn ? { documents: supersede(current.documents) } : {}),
    timeline: [...current.timeline, timelineEntry(step, result.status, note)],
  }));
  // Linked only now that the record holds the id: a webhook from here on finds everything it updates.
  await linkProviderCustomer(record.provider, result.profileId, onboardingId);
  // Webhooks that beat this step to the link were kept; what they said may be newer than the answer above.
  await replayParkedUpdates(record.provider, result.profileId, onboardingId);
  return (await getOnboarding(onboardingId)).profileStatus ?? afterCreate.profileStatus ?? result.status;
}

const supersede = (documents: OnboardingRecord['documents']) =>
  Object.fromEntries(Object.entries(documents ?? {}).map(([slot, doc]) => [slot, { ...doc, status: 'superseded' as const }]));

/** Creates (or finds again) the virtual bank account of a verified profile. */
export async function createVirtualAccountStep(input: unknown): Promise<{ accountStatus: string }> {
  const { onboardingId } = parseOrThrow(stepInputSchema, input);
  const record = await getOnboarding(onboardingId);
  if (isFinal(record) || record.virtualAccount?.status === 'enabled') {
    metrics.addMetric('StepSkipped', 'Count', 1);
    return { accountStatus: record.virtualAccount?.status ?? 'disabled' };
  }
  const profileId = record.providerIds.profileId;
  if (!profileId) throw new Error(`onboarding ${onboardingId} has no profile to attach an account to`);
  const request = await getPersonalData<OnboardingRequest>(record.vaultKey);
  const adapter = await adapterFor(record.provider);
  if (!adapter.createVirtualAccount) throw new Error(`${record.provider} has no virtual accounts`);
  // The documented order for a new customer: the customer's own bank account first, then the virtual account.
  if ('bankAccount' in request && request.bankAccount && !record.bankAccount && adapter.addBankAccount) {
    const bank = await adapter.addBankAccount({ onboardingId, request, profileId, documents: documentAccess(record) });
    await mutateOnboarding(onboardingId, (current) => ({
      bankAccount: current.bankAccount ?? { id: bank.id, status: bank.status },
      providerIds: { ...current.providerIds, bankAccountId: bank.id },
      timeline: [
        ...current.timeline,
        timelineEntry('add-bank-account', bank.status, bank.created ? 'created' : 'found existing'),
      ],
    }));
    await linkProviderCustomer(record.provider, `bank:${bank.id}`, onboardingId);
    await replayParkedUpdates(record.provider, `bank:${bank.id}`, onboardingId);
  }
  const account = await adapter.createVirtualAccount({ onboardingId, request, profileId });
  await mutateOnboarding(onboardingId, (current) => ({
    virtualAccount: recordedAccount(account),
    timeline: [...current.timeline, timelineEntry('create-virtual-account', account.status)],
  }));
  await linkProviderCustomer(record.provider, `account:${account.id}`, onboardingId);
  await replayParkedUpdates(record.provider, `account:${account.id}`, onboardingId);
  const accountStatus = (await getOnboarding(onboardingId)).virtualAccount?.status ?? account.status;
  metrics.addMetric('VirtualAccountLinked', 'Count', 1);
  logger.info('virtual account step done', { onboardingId, accountStatus });
  return { accountStatus };
}
