import { foldKey, type ProviderDefinition } from '../port';
import { wallexAdapter } from './adapter';
import { PROVIDER } from './errors';
import { wallexWebhook } from './receiver';
import { wallexRequestSchema } from './request';

/**
 * Wallex's documented webhook source addresses: sandbox (Singapore) and production (Singapore,
 * Indonesia, Hong Kong, Malaysia, Japan). Wallex signs nothing, so only these may call its webhook route.
 */
export const WALLEX_SOURCE_IPS = [
  '175.41.191.143',
  '3.0.113.21',
  '108.136.189.251',
  '18.166.110.81',
  '13.251.169.211',
  '13.230.240.139',
] as const;

/** Wallex as the rest of the stack sees it (see ProviderDefinition). */
// Annotated rather than inferred: the port's types are read from the registry, which reads this.
export const wallexProvider: ProviderDefinition<typeof PROVIDER, typeof wallexRequestSchema> = {
  name: PROVIDER,
  requestSchema: wallexRequestSchema,
  // A Wallex user is its e-mail address.
  businessKey: (request) => ({ registrationType: request.customer.accountType, registrationId: foldKey(request.customer.email) }),
  adapter: wallexAdapter,
  webhook: wallexWebhook,
  descriptor: {
    secretShape:
      '{"apiKey", "accessKeyId", "secretAccessKey", "webhookHeaderName", "webhookHeaderValue" (the secret header set on the notification subscription)}',
    defaultBaseUrl: 'https://api-demo.wallex.asia',
    webhookPath: '/webhooks/wallex',
    webhookCheck:
      "Wallex notifications: the resource policy admits Wallex's documented addresses only, the secret header set on the subscription is checked, and every resource is read again from Wallex",
    sourceAddresses: WALLEX_SOURCE_IPS,
  },
};
