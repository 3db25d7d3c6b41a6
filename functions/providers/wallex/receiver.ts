import { ConfigurationError } from '../../shared/errors';
import type { ProviderWebhook } from '../port';
import { wallexClient, wallexWebhookHeader } from './adapter';
import { getFunding, getRefund, parseWallexNotification, verifyWallexHeader } from './webhook';

/**
 * Wallex notifications as the webhook handler receives them. Wallex signs nothing: the secret header set
 * on the subscription is checked (constant time) and, on the deployed API, only Wallex's documented
 * addresses may call. Payloads carry ids and statuses only, so every resource is read again from Wallex
 * before anything acts on it. Wallex documents no Content-Type: only the JSON itself is held to the rules.
 */
export const wallexWebhook: ProviderWebhook = {
  jsonContentType: false,
  async verify({ headers }) {
    const expected = await wallexWebhookHeader();
    if (!expected) throw new ConfigurationError('the Wallex secret has no webhookHeaderName/webhookHeaderValue');
    return { valid: verifyWallexHeader(headers, expected.name, expected.value) };
  },
  parse(body) {
    const parsed = parseWallexNotification(body);
    if (!parsed.success)
      return {
        success: false,
        status: 400,
        message: 'The notification does not have the documented shape.',
        errors: parsed.errors,
      };
    const note = parsed.notification;
    switch (note.kind) {
      case 'user':
        return {
          success: true,
          dedupeKey: note.dedupeKey,
          // The payload's word stands only while the user is not linked to a running onboarding yet.
          recheckProfiles: true,
          updates: [
            {
              kind: 'profile',
              profileId: note.userId,
              status: note.profileStatus,
              providerStatus: note.status,
              ...(note.profileStatus === 'rejected'
                ? { rejection: { reason: `wallex status ${note.status}`, retryable: false } }
                : {}),
            },
          ],
        };
      case 'funding':
        return {
          success: true,
          dedupeKey: note.dedupeKey,
          updates: [],
          notices: [{ kind: 'funding', id: note.fundingId, notifiedStatus: note.status }],
        };
      case 'refund':
        return {
          success: true,
          dedupeKey: note.dedupeKey,
          updates: [],
          notices: [{ kind: 'refund', id: note.refundId, notifiedStatus: note.status }],
        };
      default:
        return { success: true, dedupeKey: note.dedupeKey, updates: [] };
    }
  },
  async confirmNotice(notice) {
    const client = await wallexClient();
    if (notice.kind === 'funding')
      return {
        fundingId: notice.id,
        status: (await getFunding(client, notice.id)).status,
        notifiedStatus: notice.notifiedStatus,
      };
    return {
      refundId: notice.id,
      status: (await getRefund(client, notice.id)).status ?? notice.notifiedStatus,
      notifiedStatus: notice.notifiedStatus,
    };
  },
};
