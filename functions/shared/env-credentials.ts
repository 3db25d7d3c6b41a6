import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (an esbuild alias, see
 * lib/bundling.ts). Lambda always hands a function its role's credentials in the environment, so the
 * rest of the default chain (SSO, INI files, web identity, process, instance metadata, and the STS and
 * SSO clients behind them) would be bytes loaded on every cold start for nothing. Same export name and
 * shape as the module it replaces; the clients call it once and cache what it returns.
 */
export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);
