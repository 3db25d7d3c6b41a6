import type { ProviderDescriptor } from '../port';

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

/**
 * What the CDK app and the webhook route need to know of Wallex without loading its adapter: kept apart
 * from provider.ts so reading it costs a function nothing (the registry loads providers lazily).
 */
export const wallexDescriptor: ProviderDescriptor = {
  secretShape:
    '{"apiKey", "accessKeyId", "secretAccessKey", "webhookHeaderName", "webhookHeaderValue" (the secret header set on the notification subscription)}',
  defaultBaseUrl: 'https://api-demo.wallex.asia',
  webhookPath: '/webhooks/wallex',
  webhookCheck:
    "Wallex notifications: the resource policy admits Wallex's documented addresses only, the secret header set on the subscription is checked, and every resource is read again from Wallex",
  sourceAddresses: WALLEX_SOURCE_IPS,
};
