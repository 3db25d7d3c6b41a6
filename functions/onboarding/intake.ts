import * as z from 'zod/mini';
import { adapterFor } from '../providers/registry';
import { intEnv, requireEnv } from '../shared/env';
import { onboardingIdFor, requestFingerprint } from '../shared/ids';
import { logger } from '../shared/powertools';
import { Conflict } from '../shared/refusals';
import { readSecret } from '../shared/secrets';
import { createOnboarding, findOnboarding, timelineEntry } from '../store/onboardings';
import { putPersonalData } from '../store/vault';
import { ensureExecutionStarted } from './executions';
import type { OnboardingRecord } from './record';
import { businessKeyOf, customerKindOf, parseOnboardingRequest } from './request';

/** The platform secret: the key behind onboarding ids and request fingerprints. */
export const platformSecretSchema = z.object({ idKey: z.string().check(z.minLength(32)) });

/** A different customer was submitted under a business key that already has an onboarding. */
export class OnboardingConflict extends Conflict {
  override readonly name: string = 'OnboardingConflict';
  constructor(
    readonly onboardingId: string,
    message = 'An onboarding with this business key exists with different customer data.',
    details: Record<string, unknown> = { onboardingId },
  ) {
    super(message, details);
  }
}

export interface IntakeResult {
  /** True when this call created the onboarding; false for a repeat of an earlier request. */
  created: boolean;
  record: OnboardingRecord;
}

/**
 * Takes an onboarding request from the API or the merchant's bus: validates it (nothing is stored when
 * it fails), derives the onboarding id from the business key, answers a repeat with the existing
 * onboarding, refuses a different customer under the same key, stores the personal data in the vault
 * and starts the workflow with ids only.
 */
export async function requestOnboarding(input: unknown): Promise<IntakeResult> {
  const request = await parseOnboardingRequest(input);
  const { idKey } = await readSecret('PLATFORM_SECRET_ARN', platformSecretSchema);
  const key = await businessKeyOf(request);
  const onboardingId = onboardingIdFor(idKey, [
    requireEnv('MERCHANT_ID'),
    key.provider,
    key.registrationType,
    key.registrationId,
  ]);
  const fingerprint = requestFingerprint(idKey, request);

  const existing = await findOnboarding(onboardingId);
  if (existing) return { created: false, record: await repeatOf(existing, fingerprint) };

  const vaultKey = await putPersonalData(onboardingId, fingerprint, request);
  const now = new Date().toISOString();
  const record: OnboardingRecord = {
    onboardingId,
    provider: request.provider,
    merchantRef: request.merchantRef,
    registrationType: await customerKindOf(request),
    status: 'ACCEPTED',
    version: 1,
    fingerprint,
    vaultKey,
    providerIds: {},
    requiredDocuments: (await adapterFor(request.provider)).requiredDocuments(request),
    publishedEvents: [],
    timeline: [timelineEntry('accepted', 'ACCEPTED')],
    createdAt: now,
    updatedAt: now,
  };
  if (!(await createOnboarding(record))) {
    // Another request with the same business key won the race: answer as a repeat of it.
    const winner = await findOnboarding(onboardingId);
    if (!winner) throw new Error(`onboarding ${onboardingId} vanished after a conflicting write`);
    return { created: false, record: await repeatOf(winner, fingerprint) };
  }
  logger.info('onboarding accepted', { onboardingId, provider: record.provider });
  return { created: true, record: await ensureStarted(record) };
}

async function repeatOf(existing: OnboardingRecord, fingerprint: string): Promise<OnboardingRecord> {
  if (existing.fingerprint !== fingerprint) throw new OnboardingConflict(existing.onboardingId);
  // A repeat also heals an onboarding whose first request stored the record but could not start it.
  return ensureStarted(existing);
}

/** How long the workflow waits for documents, a verdict and an account before it asks and gives up. */
export function waitTimeouts() {
  return {
    documents: intEnv('DOCUMENTS_TIMEOUT_SECONDS', 7 * 24 * 3600),
    verification: intEnv('VERIFICATION_TIMEOUT_SECONDS', 3 * 24 * 3600),
    account: intEnv('ACCOUNT_TIMEOUT_SECONDS', 3 * 24 * 3600),
  };
}

/** Starts the onboarding workflow for the record, once (see ensureExecutionStarted), with ids and timeouts only. */
async function ensureStarted(record: OnboardingRecord): Promise<OnboardingRecord> {
  if (record.executionArn) return record;
  const input = { onboardingId: record.onboardingId, timeouts: waitTimeouts() };
  return ensureExecutionStarted(record, requireEnv('STATE_MACHINE_ARN'), input);
}
