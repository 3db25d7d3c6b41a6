import { foldKey, type ProviderDefinition } from '../port';
import { straddleAdapter } from './adapter';
import { straddleDescriptor } from './descriptor';
import { PROVIDER } from './errors';
import { straddleWebhook } from './receiver';
import { straddleRequestSchema } from './request';

/** Straddle as the rest of the stack sees it (see ProviderDefinition). */
// Annotated rather than inferred: the port's types are read from the registry, which reads this.
export const straddleProvider: ProviderDefinition<typeof PROVIDER, typeof straddleRequestSchema> = {
  name: PROVIDER,
  requestSchema: straddleRequestSchema,
  // An e-mail address is unique per Straddle account.
  businessKey: (request) => ({ registrationType: request.customer.type, registrationId: foldKey(request.customer.email) }),
  adapter: straddleAdapter,
  webhook: straddleWebhook,
  descriptor: straddleDescriptor,
};
