import { logger, metrics } from '../shared/powertools';
import { parseOrThrow } from '../shared/validation';
import { mutateOnboarding, timelineEntry } from '../store/onboardings';
import { DETAIL_TYPES, outcomeDetail, publish } from './events';
import { FINAL_STATUSES, type OnboardingRecord, type OnboardingStatus } from './record';
import { finishInputSchema, isFinal } from './step-input';

// Apart from steps.ts: the finish step touches no provider and no document, and loads neither.

/**
 * Records how the onboarding ended and publishes it once. A final status is never overwritten (a re-run
 * of a completed onboarding that fails does not undo it), and the event for a final status is published
 * once per onboarding, whatever the number of executions; FAILED and NEEDS_ATTENTION once per execution.
 */
export async function finishStep(input: unknown): Promise<{ status: OnboardingStatus }> {
  const { onboardingId, outcome, state, execution } = parseOrThrow(finishInputSchema, input);
  const errorName = state?.error?.Error;
  const record = await mutateOnboarding(onboardingId, (current) => {
    if (isFinal(current) || current.status === outcome) return current.waiting ? { waiting: undefined } : undefined;
    const reason =
      errorName === 'States.Timeout'
        ? `timed out waiting for ${current.status === 'AWAITING_DOCUMENTS' ? 'documents' : 'the provider'}`
        : errorName;
    return {
      status: outcome,
      waiting: undefined,
      ...(outcome === 'REJECTED' && reason ? { outcome: { ...current.outcome, reason: current.outcome?.reason ?? reason } } : {}),
      ...(outcome === 'FAILED' || outcome === 'NEEDS_ATTENTION'
        ? { outcome: { reason: reason ?? attentionReason(current) } }
        : {}),
      timeline: [...current.timeline, timelineEntry('finish', outcome, reason)],
    };
  });

  const status = record.status;
  const eventKey = FINAL_STATUSES.includes(status) ? status : `${status}#${execution ?? 'unknown'}`;
  if (!record.publishedEvents.includes(eventKey)) {
    const detailType = DETAIL_TYPES[status as keyof typeof DETAIL_TYPES] ?? DETAIL_TYPES.NEEDS_ATTENTION;
    // Published before it is marked: a crash in between publishes again on retry (at least once);
    // consumers de-duplicate on the detail's eventId, which is stable per onboarding and status.
    await publish(detailType, outcomeDetail(record, status, `${onboardingId}:${eventKey}`));
    await mutateOnboarding(onboardingId, (current) =>
      current.publishedEvents.includes(eventKey) ? undefined : { publishedEvents: [...current.publishedEvents, eventKey] },
    );
  }
  metrics.addMetric(
    `Onboarding${outcome === 'NEEDS_ATTENTION' ? 'NeedsAttention' : outcome[0] + outcome.slice(1).toLowerCase()}`,
    'Count',
    1,
  );
  logger.info('onboarding finished', { onboardingId, status });
  return { status };
}

/** Why an onboarding that ended without an error needs a person. */
function attentionReason(record: OnboardingRecord): string {
  if (record.providerStatus) return `provider status ${record.providerStatus}`;
  if (record.virtualAccount && record.virtualAccount.status !== 'enabled')
    return `virtual account ${record.virtualAccount.status}`;
  return `profile ${record.profileStatus ?? 'unknown'}`;
}
