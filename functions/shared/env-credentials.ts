import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (an esbuild alias, see
 * lib/bundling.ts). Lambda always hands a function its role's credentials in the environment, so the
 * rest of the default chain (SSO, INI files, web identity, process, instance metadata, and the STS and
 * SSO clients behind them) would be bytes loaded on every cold start for nothing. Same export name and
 * shape as the module it replaces, and the same reading as the SDK's `fromEnv`, written out: `fromEnv`
 * imports the SDK's client runtime to tag the credentials for its user agent, 17 KB loaded and 50 KB in
 * all once the functions call AWS without the SDK's clients.
 */
export const defaultProvider =
  (_init?: unknown): AwsCredentialIdentityProvider =>
  async (): Promise<AwsCredentialIdentity> => {
    const {
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      AWS_SESSION_TOKEN: sessionToken,
      AWS_CREDENTIAL_EXPIRATION: expiry,
      AWS_CREDENTIAL_SCOPE: credentialScope,
      AWS_ACCOUNT_ID: accountId,
    } = process.env;
    if (!accessKeyId || !secretAccessKey) throw new Error('Unable to find environment variable credentials.');
    return {
      accessKeyId,
      secretAccessKey,
      ...(sessionToken && { sessionToken }),
      ...(expiry && { expiration: new Date(expiry) }),
      ...(credentialScope && { credentialScope }),
      ...(accountId && { accountId }),
    };
  };
