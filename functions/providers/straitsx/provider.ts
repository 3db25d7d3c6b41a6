import { foldKey, type ProviderDefinition } from '../port';
import { straitsxAdapter } from './adapter';
import { PROVIDER } from './errors';
import { straitsxWebhook } from './receiver';
import { straitsxRequestSchema } from './request';

/** StraitsX as the rest of the stack sees it (see ProviderDefinition). */
// Annotated rather than inferred: the port's types are read from the registry, which reads this.
export const straitsxProvider: ProviderDefinition<typeof PROVIDER, typeof straitsxRequestSchema> = {
  name: PROVIDER,
  requestSchema: straitsxRequestSchema,
  // StraitsX's uniqueness rule: one profile per registrationType + registrationId.
  businessKey: (request) => ({
    registrationType: request.customer.registrationType,
    registrationId: foldKey(request.customer.registrationId),
  }),
  adapter: straitsxAdapter,
  webhook: straitsxWebhook,
  descriptor: {
    secretShape:
      '{"apiKey", "callbackSigningKey" (verifies Xfers-Signature on callbacks), optionally "signingKeyId" and "signingPrivateKeyPem" (request signing)}',
    defaultBaseUrl: 'https://api-sandbox.straitsx.com/v1',
    webhookPath: '/webhooks/straitsx/{event}',
    webhookCheck: 'StraitsX callbacks: the hex HMAC-SHA256 in Xfers-Signature is checked on the raw body, in constant time',
  },
};
