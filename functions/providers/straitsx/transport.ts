import { intEnv, requireEnv } from '../../shared/env';
import { readSecret } from '../../shared/secrets';
import { takeProviderToken } from '../../store/rate-limit';
import { type StraitsxTransport, straitsxSecretSchema } from './adapter';
import { StraitsxClient } from './client';
import { requestSigner } from './signing';

/**
 * StraitsX clients wired to the deployed configuration: base URLs and timeout from the environment, keys
 * from the secret, and every request first takes a token from the provider's shared rate budget.
 */

/** Every request first takes a token from the provider's shared budget (documented limit: 5 per second). */
function throttled(inner: StraitsxTransport): StraitsxTransport {
  const rate = intEnv('STRAITSX_RATE_PER_SECOND', 4);
  return {
    request: async (method, path, options) => {
      await takeProviderToken('straitsx', rate);
      return inner.request(method, path, options);
    },
  };
}

let client: StraitsxClient | undefined;
let clientKey: string | undefined;

const readStraitsxSecret = () => readSecret('STRAITSX_SECRET_ARN', straitsxSecretSchema);

/** The Customer Profile API (`STRAITSX_BASE_URL`), signed when the secret holds a signing key. */
export async function straitsxTransport(): Promise<StraitsxTransport> {
  const secret = await readStraitsxSecret();
  const key = JSON.stringify([secret.apiKey, secret.signingKeyId, secret.signingPrivateKeyPem]);
  // A new client when a key changes (rotation), so a cached key is never used after it was replaced.
  if (!client || clientKey !== key) {
    client = new StraitsxClient({
      baseUrl: requireEnv('STRAITSX_BASE_URL'),
      apiKey: secret.apiKey,
      timeoutMs: intEnv('PROVIDER_TIMEOUT_MS', 10_000),
      extraHeaders: requestSigner(secret),
    });
    clientKey = key;
  }
  return throttled(client);
}

/**
 * The legacy Connect API (`STRAITSX_CONNECT_BASE_URL`, e.g. `https://sandbox.xfers.io/api/v3`) acting
 * for one Connect user: the app key plus the user's token in `X-XFERS-USER-API-KEY`. The legacy host
 * predates request signing, so nothing is signed. A client per call: the token is per user and is not
 * kept beyond the call.
 */
export async function connectUserTransport(userApiToken: string): Promise<StraitsxTransport> {
  const secret = await readStraitsxSecret();
  const legacy = new StraitsxClient({
    baseUrl: requireEnv('STRAITSX_CONNECT_BASE_URL'),
    apiKey: secret.apiKey,
    timeoutMs: intEnv('PROVIDER_TIMEOUT_MS', 10_000),
    extraHeaders: () => ({ 'X-XFERS-USER-API-KEY': userApiToken }),
  });
  return throttled(legacy);
}
