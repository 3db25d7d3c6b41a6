import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ONBOARDING_ID } from '../onboarding/ids';
import { ValidationFailed } from '../onboarding/validation';
import { ProviderError } from './errors';
import { logger } from './powertools';

/** An error meant for the API caller: its status and message are shown as they are. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    message: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A JSON API Gateway proxy response. */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * Turns errors into HTTP answers: validation failures list every failing field (400), HttpErrors show
 * their own status and message, anything else becomes a plain 500 whose details stay in the log.
 */
export function httpErrors(): MiddlewareObj<unknown, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      // Only HTTP callers get an answer; for any other trigger the error propagates (retry, DLQ).
      if (!isHttpEvent(request.event)) return;
      const error = request.error;
      if (error instanceof ValidationFailed) {
        request.response = json(400, { message: "The request breaks the provider's documented rules.", errors: error.errors });
        return;
      }
      if (error instanceof HttpError) {
        request.response = json(error.statusCode, { message: error.message, ...error.body });
        return;
      }
      if (error instanceof ProviderError) {
        // The provider refused or failed: say which, with its code, never its text.
        const status = error.retryable ? 503 : error.name === 'ProviderAuthFailed' ? 502 : 422;
        logger.warn('provider call failed', {
          errorName: error.name,
          code: error.code,
          httpStatus: error.httpStatus,
          requestId: error.requestId,
        });
        request.response = json(status, {
          message: `The provider answered: ${error.name}.`,
          provider: error.provider,
          code: error.code,
        });
        return;
      }
      const failure = error as { name?: string; code?: string } | undefined;
      logger.error('request failed', { errorName: failure?.name, code: failure?.code });
      request.response = json(500, { message: 'Internal error' });
    },
  };
}

/** Parses a JSON request body, answering 400 when it is not JSON. */
export function parseJsonBody(body: string | null | undefined, isBase64Encoded = false): unknown {
  if (!body) throw new ValidationFailed([{ path: '', message: 'a JSON body is required' }]);
  const text = isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationFailed([{ path: '', message: 'the body is not valid JSON' }]);
  }
}

/** The `{id}` path parameter of `/onboardings/{id}/...`, answering 400 when it is not an onboarding id. */
export function onboardingIdParam(event: Pick<APIGatewayProxyEvent, 'pathParameters'>): string {
  const id = event.pathParameters?.id ?? '';
  if (!ONBOARDING_ID.test(id)) throw new HttpError(400, 'id must be an onboarding id (onb_ followed by 26 characters a-z, 2-7).');
  return id;
}

/** Whether a Lambda event came from API Gateway (REST proxy integration). */
export function isHttpEvent(event: unknown): event is { httpMethod: string } {
  return typeof event === 'object' && event !== null && 'httpMethod' in event;
}
