import { foldKey, type ProviderDefinition } from '../port';
import { wallexAdapter } from './adapter';
import { wallexDescriptor } from './descriptor';
import { PROVIDER } from './errors';
import { wallexWebhook } from './receiver';
import { wallexRequestSchema } from './request';

/** Wallex as the rest of the stack sees it (see ProviderDefinition). */
// Annotated rather than inferred: the port's types are read from the registry, which reads this.
export const wallexProvider: ProviderDefinition<typeof PROVIDER, typeof wallexRequestSchema> = {
  name: PROVIDER,
  requestSchema: wallexRequestSchema,
  // A Wallex user is its e-mail address.
  businessKey: (request) => ({ registrationType: request.customer.accountType, registrationId: foldKey(request.customer.email) }),
  adapter: wallexAdapter,
  webhook: wallexWebhook,
  descriptor: wallexDescriptor,
};
