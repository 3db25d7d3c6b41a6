import * as z from 'zod/mini';
import { adapterFor } from '../providers/registry';
import { logger, metrics } from '../shared/powertools';
import { parseOrThrow } from '../shared/validation';
import { documentAccess } from '../store/documents';
import { getOnboarding, mutateOnboarding, timelineEntry } from '../store/onboardings';
import { getPersonalData } from '../store/vault';
import type { OnboardingRecord } from './record';
import type { OnboardingRequest } from './request';
import { isFinal, nextStep, type ProfileStepOutput, profileOutput, recordProfile, stepInputSchema, uploadSlots } from './steps';

// The provider's calls between the sign-up and the verdict, one workflow step each, so a retry repeats
// only the call that failed. Each step first checks the record: a re-run of an onboarding that ended, or
// a redrive past a step that went through, calls nothing again (the adapters also look before they send).

async function load(onboardingId: string) {
  const record = await getOnboarding(onboardingId);
  const request = await getPersonalData<OnboardingRequest>(record.vaultKey);
  const adapter = await adapterFor(record.provider);
  return { record, request, adapter };
}

const profileIdOf = (record: OnboardingRecord): string => {
  const profileId = record.providerIds.profileId;
  if (!profileId) throw new Error(`onboarding ${record.onboardingId} has no profile yet`);
  return profileId;
};

const note = (onboardingId: string, step: string, status: string, detail?: string) =>
  mutateOnboarding(onboardingId, (current) => ({
    timeline: [...current.timeline, timelineEntry(step, status, detail)],
  }));

/** Sends the profile's details where the provider takes them apart from the sign-up. */
export async function submitDetailsStep(input: unknown): Promise<ProfileStepOutput> {
  const { onboardingId } = parseOrThrow(stepInputSchema, input);
  const { record, request, adapter } = await load(onboardingId);
  const needsVirtualAccount = adapter.needsVirtualAccount(request);
  if (isFinal(record)) {
    metrics.addMetric('StepSkipped', 'Count', 1);
    return profileOutput(record.profileStatus ?? 'verified', needsVirtualAccount, 'verdict', []);
  }
  const slots = uploadSlots(adapter, request, record);
  if (adapter.submitDetails) {
    await adapter.submitDetails({ onboardingId, request, profileId: profileIdOf(record) });
    await note(onboardingId, 'submit-details', 'sent');
  }
  const next = nextStep(adapter, 'documents', slots);
  logger.info('details step done', { onboardingId, next });
  return profileOutput(record.profileStatus ?? 'pending', needsVirtualAccount, next, slots);
}

const uploadInputSchema = z.extend(stepInputSchema, {
  slot: z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'slot must be a document slot name')),
});

/** Uploads one document to the provider; the Map state runs one of these per slot. */
export async function uploadDocumentStep(input: unknown): Promise<{ slot: string; uploaded: boolean }> {
  const { onboardingId, slot } = parseOrThrow(uploadInputSchema, input);
  const { record, request, adapter } = await load(onboardingId);
  if (isFinal(record) || !adapter.uploadDocument) {
    metrics.addMetric('StepSkipped', 'Count', 1);
    return { slot, uploaded: false };
  }
  const { uploaded } = await adapter.uploadDocument({
    onboardingId,
    request,
    profileId: profileIdOf(record),
    slot,
    documents: documentAccess(record),
  });
  await note(onboardingId, 'upload-document', uploaded ? 'uploaded' : 'found existing', slot);
  if (uploaded) metrics.addMetric('DocumentUploaded', 'Count', 1);
  logger.info('document step done', { onboardingId, slot, uploaded });
  return { slot, uploaded };
}

/** Starts the provider's screening with what was sent; the verdict comes later by webhook. */
export async function startScreeningStep(input: unknown): Promise<ProfileStepOutput> {
  const { onboardingId } = parseOrThrow(stepInputSchema, input);
  const { record, request, adapter } = await load(onboardingId);
  const needsVirtualAccount = adapter.needsVirtualAccount(request);
  if (isFinal(record) || !adapter.startScreening) {
    metrics.addMetric('StepSkipped', 'Count', 1);
    const profileStatus = record.status === 'REJECTED' ? 'rejected' : (record.profileStatus ?? 'pending');
    return profileOutput(profileStatus, needsVirtualAccount, 'verdict', []);
  }
  const result = await adapter.startScreening({ onboardingId, request, profileId: profileIdOf(record) });
  const profileStatus = await recordProfile(record, result, 'start-screening', 'screening');
  logger.info('screening step done', { onboardingId, profileStatus });
  return profileOutput(profileStatus, needsVirtualAccount, 'verdict', []);
}
