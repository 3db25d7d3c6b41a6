import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ProviderUpdate, WebhookDelivery } from '../providers/port';
import { descriptorOf, isProviderName, type ProviderName, providerOf } from '../providers/registry';
import { assertJsonContentType, HttpError, webhookJson } from '../shared/middleware';
import { metrics } from '../shared/powertools';
import { mutateOnboarding, onboardingIdForProviderCustomer, timelineEntry } from '../store/onboardings';
import { publishOrKeepNotices } from './notices';
import { applyProviderUpdate, firstDelivery, seenDelivery, type UpdateResult } from './provider-updates';
import { FINAL_STATUSES } from './record';
import { resumeIfReady } from './waits';

/** What the provider is told: always a 2xx once the delivery is verified and read. */
interface WebhookAnswer {
  received: true;
  duplicate: boolean;
  /** `kept`: a notice the rate budget had no room to confirm now; the sweeper publishes it. */
  result: UpdateResult | 'ignored' | 'published' | 'kept';
}

/**
 * The provider a webhook request is for: the `{provider}` path parameter, or the literal segment after
 * `/webhooks/` of the API resource (each provider's own route, as its descriptor names it). 404 for any
 * name that is not a provider of this stack, or a path shape the provider's route does not have.
 */
export function webhookProviderOf(event: Pick<APIGatewayProxyEvent, 'pathParameters' | 'resource'>): ProviderName {
  const fromResource = /^\/webhooks\/([^/{}]+)/.exec(event.resource ?? '')?.[1];
  const name = event.pathParameters?.provider ?? fromResource;
  if (!isProviderName(name)) throw new HttpError(404, 'Unknown provider.');
  const takesEvent = descriptorOf(name).webhookPath.endsWith('/{event}');
  if (takesEvent !== (event.pathParameters?.event !== undefined)) throw new HttpError(404, 'Unknown provider route.');
  return name;
}

/**
 * Receives one webhook delivery for `provider`: verify on the raw body (401 and nothing changes when it
 * fails), read it with the provider's own rules, de-duplicate by its event id, then apply its updates
 * (resuming a waiting execution, or parking an early one) or publish its notices.
 */
export async function receiveWebhook(provider: ProviderName, delivery: WebhookDelivery): Promise<WebhookAnswer> {
  const { webhook } = await providerOf(provider);
  const verification = await webhook.verify(delivery);
  if (!verification.valid) {
    metrics.addMetric('WebhookSignatureRejected', 'Count', 1);
    throw new HttpError(401, 'Invalid signature.');
  }
  if (delivery.event !== undefined && !webhook.events?.includes(delivery.event))
    throw new HttpError(404, 'Unknown callback event.');
  // Checked after the signature, so an unsigned caller learns nothing.
  if (webhook.jsonContentType) assertJsonContentType(delivery.headers);
  const body = webhookJson(delivery.raw.toString('utf8'));
  const parsed = webhook.parse(body, { event: delivery.event, deliveryId: verification.deliveryId });
  if (!parsed.success) throw new HttpError(parsed.status, parsed.message, parsed.errors ? { errors: parsed.errors } : undefined);

  if (parsed.notices?.length) {
    // Published at least once: checked before, recorded after; the event id lets consumers de-duplicate.
    if (await seenDelivery(provider, parsed.dedupeKey)) {
      metrics.addMetric('WebhookDuplicate', 'Count', 1);
      return { received: true, duplicate: true, result: 'ignored' };
    }
    const kept = await publishOrKeepNotices(provider, parsed.dedupeKey, parsed.notices);
    await firstDelivery(provider, parsed.dedupeKey);
    metrics.addMetric('WebhookReceived', 'Count', 1);
    return { received: true, duplicate: false, result: kept > 0 ? 'kept' : 'published' };
  }

  const first = await firstDelivery(provider, parsed.dedupeKey);
  metrics.addMetric(first ? 'WebhookReceived' : 'WebhookDuplicate', 'Count', 1);
  // A duplicate is applied again on purpose: applying is idempotent, and it heals a delivery whose first
  // handling stopped after recording but before resuming the execution.
  let result: WebhookAnswer['result'] = 'ignored';
  for (const update of parsed.updates) {
    const checked = parsed.recheckProfiles ? await requestProfileCheck(provider, update) : { update };
    const applied = checked.update ? await applyProviderUpdate(provider, checked.update, checked.onboardingId) : 'applied';
    if (result === 'ignored') result = applied;
  }
  return { received: true, duplicate: !first, result };
}

const UNDECIDED = new Set(['pending', 'review']);

/**
 * A profile update whose payload proves nothing by itself. The status is read again from the provider,
 * but not here: the onboarding's workflow asks, paced by the provider's rate budget like every other
 * call, so no webhook handler ever waits for the budget or is refused by it. The record notes the request
 * and a waiting execution is resumed into its check (see `readiness`); one not waiting yet finds it when
 * it starts to wait. An ended onboarding is not asked about again (the update then changes nothing), and a
 * profile not linked to an onboarding yet keeps the payload's word: it is parked until the onboarding
 * links it. The onboarding found is handed on, so applying the update does not look it up again.
 */
async function requestProfileCheck(
  provider: ProviderName,
  update: ProviderUpdate,
): Promise<{ update?: ProviderUpdate; onboardingId?: string }> {
  // Only a claimed verdict is worth a question: a "still pending" never moves an onboarding on (it never
  // undoes a verdict either), so it is applied as it is.
  if (update.kind !== 'profile' || UNDECIDED.has(update.status)) return { update };
  const onboardingId = await onboardingIdForProviderCustomer(provider, update.profileId);
  if (!onboardingId) return { update };
  const requested = await mutateOnboarding(onboardingId, (current) =>
    FINAL_STATUSES.includes(current.status) || current.profileCheckRequestedAt
      ? undefined
      : {
          profileCheckRequestedAt: new Date().toISOString(),
          timeline: [...current.timeline, timelineEntry('provider-update', 'unconfirmed', 'profile')],
        },
  );
  // An ended onboarding is left as it is: applying the update records it as `final`.
  if (FINAL_STATUSES.includes(requested.status)) return { update, onboardingId };
  await resumeIfReady(requested);
  metrics.addMetric('ProfileCheckRequested', 'Count', 1);
  return { onboardingId };
}
