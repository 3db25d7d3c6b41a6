import type { ProviderDescriptor } from '../port';

/**
 * What the CDK app and the webhook route need to know of Straddle without loading its adapter: kept apart
 * from provider.ts so reading it costs a function nothing (the registry loads providers lazily).
 */
export const straddleDescriptor: ProviderDescriptor = {
  secretShape: '{"apiKey", "webhookSecret" (whsec_..., verifies webhook signatures)}',
  defaultBaseUrl: 'https://sandbox.straddle.com',
  webhookPath: '/webhooks/straddle',
  webhookCheck:
    'Straddle webhooks: the Svix signature (webhook-id, webhook-timestamp, webhook-signature) is checked on the raw body, within 5 minutes',
};
