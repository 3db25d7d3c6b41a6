import { foldKey, type ProviderDefinition } from '../port';
import { straitsxAdapter } from './adapter';
import { straitsxDescriptor } from './descriptor';
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
  descriptor: straitsxDescriptor,
};
