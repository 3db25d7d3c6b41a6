import type { EntryPoint } from './entry-points';

/** Who may call a route: a merchant's or an operator's IAM identity (SigV4), or a provider (checked by its function). */
export type RouteAccess = 'merchant' | 'operator' | 'webhook';

export interface Route {
  method: 'GET' | 'POST' | 'PATCH';
  /** The API Gateway resource path, with `{parameters}`. */
  path: string;
  entryPoint: EntryPoint;
  access: RouteAccess;
}

/** The API's routes, as API Gateway has them; the local API serves the same list. */
export const ROUTES: readonly Route[] = [
  { method: 'POST', path: '/onboardings', entryPoint: 'Intake', access: 'merchant' },
  { method: 'GET', path: '/onboardings/{id}', entryPoint: 'GetOnboarding', access: 'merchant' },
  { method: 'POST', path: '/onboardings/{id}/documents', entryPoint: 'DocumentUpload', access: 'merchant' },
  { method: 'PATCH', path: '/onboardings/{id}/profile', entryPoint: 'ProfileUpdate', access: 'merchant' },
  { method: 'POST', path: '/migrations/connect', entryPoint: 'MigrationsIntake', access: 'merchant' },
  { method: 'POST', path: '/migrations/connect/batches', entryPoint: 'MigrationBatches', access: 'merchant' },
  {
    method: 'GET',
    path: '/migrations/connect/batches/{batchId}',
    entryPoint: 'MigrationBatchStatus',
    access: 'merchant',
  },
  { method: 'POST', path: '/onboardings/{id}/review', entryPoint: 'Review', access: 'operator' },
  { method: 'POST', path: '/onboardings/{id}/retry', entryPoint: 'Retry', access: 'operator' },
  // One function serves every provider's webhook; each keeps the URL its provider knows (its descriptor's webhookPath).
  { method: 'POST', path: '/webhooks/straitsx/{event}', entryPoint: 'Webhook', access: 'webhook' },
  { method: 'POST', path: '/webhooks/straddle', entryPoint: 'Webhook', access: 'webhook' },
  { method: 'POST', path: '/webhooks/wallex', entryPoint: 'Webhook', access: 'webhook' },
];
