import { ConfigurationError } from '../../shared/errors';
import { readSecret } from '../../shared/secrets';
import type { ProviderWebhook } from '../port';
import { straddleSecretSchema } from './adapter';
import { parseStraddleEvent, verifyStraddleWebhook } from './webhook';

/**
 * Straddle webhooks as the webhook handler receives them: Svix-signed (webhook-id, webhook-timestamp,
 * webhook-signature over the raw body, 5-minute tolerance), JSON bodies. Updates carry the customer's own
 * change time, so a late older event changes nothing.
 */
export const straddleWebhook: ProviderWebhook = {
  jsonContentType: true,
  async verify({ raw, headers }) {
    const { webhookSecret } = await readSecret('STRADDLE_SECRET_ARN', straddleSecretSchema);
    if (!webhookSecret) throw new ConfigurationError('the Straddle secret has no webhookSecret');
    const verification = verifyStraddleWebhook(raw.toString('utf8'), headers, webhookSecret);
    return verification.valid ? { valid: true, deliveryId: verification.webhookId } : { valid: false };
  },
  parse(body, { deliveryId }) {
    const parsed = parseStraddleEvent(body, deliveryId ?? '');
    if (!parsed.success)
      return { success: false, status: 400, message: 'The event does not have the documented shape.', errors: parsed.errors };
    const event = parsed.event;
    if (event.kind !== 'profile') return { success: true, dedupeKey: event.dedupeKey, updates: [] };
    const { profileId, status, providerStatus, changedAt } = event;
    return {
      success: true,
      dedupeKey: event.dedupeKey,
      updates: [
        {
          kind: 'profile',
          profileId,
          status,
          providerStatus,
          changedAt,
          ...(status === 'rejected'
            ? { rejection: { reason: providerStatus === 'inactive' ? 'inactive' : 'rejected by Straddle', retryable: false } }
            : {}),
        },
      ],
    };
  },
};
