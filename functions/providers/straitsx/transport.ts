import * as z from 'zod/mini';
import { intEnv, positiveEnv, requireEnv } from '../../shared/env';
import { readSecret } from '../../shared/secrets';
import { admitRequest } from '../../store/rate-budget';
import { StraitsxClient } from './client';
import { requestSigner } from './signing';

/**
 * StraitsX clients wired to the deployed configuration: base URLs and timeout from the environment, keys
 * from the secret, and every request is first admitted by the provider's shared rate budget.
 */

/**
 * The StraitsX secret: the app API key (mandatory header on every request), plus the request-signing key
 * id and Ed25519 private key (PKCS8 PEM) when the account has signing turned on: both or neither.
 */
export const straitsxSecretSchema = z
  .object({
    apiKey: z.string().check(z.minLength(1)),
    signingKeyId: z.optional(z.string().check(z.minLength(1))),
    signingPrivateKeyPem: z.optional(z.string().check(z.minLength(1))),
    /** Dashboard → Platform Tools → Callback URLs → Signing Key: verifies `Xfers-Signature` on callbacks. */
    callbackSigningKey: z.optional(z.string().check(z.minLength(1))),
  })
  .check(
    z.superRefine((secret, ctx) => {
      // Each missing half is reported under its own name, so the error says which field to add.
      if (secret.signingKeyId !== undefined && secret.signingPrivateKeyPem === undefined)
        ctx.addIssue({ code: 'custom', path: ['signingPrivateKeyPem'], message: 'is required with signingKeyId' });
      if (secret.signingPrivateKeyPem !== undefined && secret.signingKeyId === undefined)
        ctx.addIssue({ code: 'custom', path: ['signingKeyId'], message: 'is required with signingPrivateKeyPem' });
    }),
  );

/** What the adapter and the migration need of a client: one request at a time. */
export type StraitsxTransport = Pick<StraitsxClient, 'request'>;

/**
 * Every request is first admitted by the provider's shared budget (documented limit: 5 per second; the
 * Connect host shares it). The adapter's operations declare their request groups (see `rateGroup`).
 */
function throttled(inner: StraitsxTransport): StraitsxTransport {
  const rate = positiveEnv('STRAITSX_RATE_PER_SECOND', 4);
  return {
    request: async (method, path, options) => {
      await admitRequest('straitsx', rate);
      return inner.request(method, path, options);
    },
  };
}

let client: StraitsxClient | undefined;
let clientKey: string | undefined;

/** The StraitsX secret (`STRAITSX_SECRET_ARN`), checked against straitsxSecretSchema. */
export const readStraitsxSecret = () => readSecret('STRAITSX_SECRET_ARN', straitsxSecretSchema);

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
