import type { ProviderDescriptor } from '../port';

/**
 * What the CDK app and the webhook route need to know of StraitsX without loading its adapter: kept apart
 * from provider.ts so reading it costs a function nothing (the registry loads providers lazily).
 */
export const straitsxDescriptor: ProviderDescriptor = {
  secretShape:
    '{"apiKey", "callbackSigningKey" (verifies Xfers-Signature on callbacks), optionally "signingKeyId" and "signingPrivateKeyPem" (request signing)}',
  defaultBaseUrl: 'https://api-sandbox.straitsx.com/v1',
  webhookPath: '/webhooks/straitsx/{event}',
  webhookCheck: 'StraitsX callbacks: the hex HMAC-SHA256 in Xfers-Signature is checked on the raw body, in constant time',
};
