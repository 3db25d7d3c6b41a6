import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { withSourceMappedStack } from './stack-traces';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'onboarding';

/**
 * The one logger every function uses. Log lines carry ids, statuses, codes and timings only: never a
 * request body, a provider response body or a secret. Keys that could still slip through are masked.
 * A logged error's stack names the TypeScript source: its bundle's source map is read on the first
 * error, never at a cold start (see stack-traces.ts).
 */
export const logger = new Logger({
  serviceName,
  jsonReplacerFn: (key: string, value: unknown) => {
    if (REDACTED_KEYS.has(key.toLowerCase())) return '[redacted]';
    return value instanceof Error ? withSourceMappedStack(value) : value;
  },
});

/** Custom metrics, flushed by the middleware at the end of each invocation. */
export const metrics = new Metrics({ namespace: 'Onboarding', serviceName, logger });

const REDACTED_KEYS = new Set([
  'customer',
  'customername',
  'customerfirstname',
  'customerlastname',
  'registrationid',
  'dateofbirth',
  'email',
  'phoneno',
  'phone',
  'address',
  'ssn',
  'dob',
  'apikey',
  'x-xfers-app-api-key',
  'authorization',
  'userapitoken',
  'token',
  'tasktoken',
  'body',
  // Provider text can echo submitted values; causes carry it too.
  'providermessage',
  'cause',
]);
