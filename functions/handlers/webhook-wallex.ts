import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DETAIL_TYPES, publish } from '../onboarding/events';
import { applyProviderUpdate, firstDelivery, seenDelivery } from '../onboarding/provider-updates';
import { FINAL_STATUSES } from '../onboarding/record';
import type { OnboardingRequest } from '../onboarding/request';
import { adapterFor } from '../providers/registry';
import { wallexClient, wallexWebhookHeader } from '../providers/wallex/adapter';
import { getFunding, getRefund, parseWallexNotification, verifyWallexHeader } from '../providers/wallex/webhook';
import { ConfigurationError } from '../shared/errors';
import { HttpError, httpErrors, json, webhookJson } from '../shared/middleware';
import { logger, metrics } from '../shared/powertools';
import { getOnboarding, onboardingIdForProviderCustomer } from '../store/onboardings';
import { getPersonalData } from '../store/vault';

/**
 * POST /webhooks/wallex: Wallex signs nothing, so the secret header set on the subscription is checked
 * (constant time) and, on the deployed API, only Wallex's documented addresses may call (resource
 * policy). Payloads carry ids and statuses only: each resource is read again from Wallex before acting.
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .use(httpErrors())
  .handler(async (event) => {
    const expected = await wallexWebhookHeader();
    if (!expected) throw new ConfigurationError('the Wallex secret has no webhookHeaderName/webhookHeaderValue');
    if (!verifyWallexHeader(event.headers ?? {}, expected.name, expected.value)) {
      metrics.addMetric('WebhookSignatureRejected', 'Count', 1);
      throw new HttpError(401, 'Unauthorized.');
    }
    // Wallex documents no Content-Type for its notifications, so only the JSON itself is held to the rules.
    const body = webhookJson(
      event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? ''),
    );
    const parsed = parseWallexNotification(body);
    if (!parsed.success)
      throw new HttpError(400, 'The notification does not have the documented shape.', { errors: parsed.errors });
    const note = parsed.notification;
    metrics.addMetric('WebhookReceived', 'Count', 1);

    switch (note.kind) {
      case 'user': {
        await firstDelivery('wallex', note.dedupeKey);
        const onboardingId = await onboardingIdForProviderCustomer('wallex', note.userId);
        // The status is read again from Wallex; the payload's word is used only while the user is not linked yet.
        let update = {
          kind: 'profile' as const,
          profileId: note.userId,
          status: note.profileStatus,
          providerStatus: note.status,
        };
        const record = onboardingId ? await getOnboarding(onboardingId) : undefined;
        // An ended onboarding is not asked about again: the update is recorded as seen and changes nothing.
        if (onboardingId && record && !FINAL_STATUSES.includes(record.status)) {
          const request = await getPersonalData<OnboardingRequest>(record.vaultKey);
          const current = await adapterFor('wallex').getProfileStatus({ onboardingId, request, profileId: note.userId });
          update = { ...update, status: current.status, providerStatus: current.providerStatus ?? note.status };
        }
        const result = await applyProviderUpdate('wallex', {
          ...update,
          ...(update.status === 'rejected'
            ? { rejection: { reason: `wallex status ${update.providerStatus}`, retryable: false } }
            : {}),
        });
        return json(200, { received: true, result });
      }
      case 'funding':
      case 'refund': {
        // Published at least once: checked before, recorded after; the event id lets consumers de-duplicate.
        if (await seenDelivery('wallex', note.dedupeKey)) return json(200, { received: true, duplicate: true });
        const client = await wallexClient();
        const confirmed =
          note.kind === 'funding'
            ? { fundingId: note.fundingId, status: (await getFunding(client, note.fundingId)).status }
            : { refundId: note.refundId, status: (await getRefund(client, note.refundId)).status ?? note.status };
        await publish(note.kind === 'funding' ? DETAIL_TYPES.FUNDING : DETAIL_TYPES.REFUND, {
          eventId: note.dedupeKey,
          provider: 'wallex',
          ...confirmed,
          notifiedStatus: note.status,
          occurredAt: new Date().toISOString(),
        });
        await firstDelivery('wallex', note.dedupeKey);
        return json(200, { received: true, result: 'published' });
      }
      default:
        return json(200, { received: true, result: 'ignored' });
    }
  });
