import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ProviderError, ProviderRateLimited } from './errors';
import { ONBOARDING_ID } from './ids';
import { duplicateKeyPath, isJsonMediaType, JSON_MEDIA_TYPE_RULE, MAX_JSON_BODY_BYTES } from './json-body';
import { logger } from './powertools';
import { Refusal, ValidationFailed } from './refusals';

/** A refusal of the HTTP request itself (media type, size, signature, path): its status and message are shown. */
export class HttpError extends Refusal {
  override readonly name = 'HttpError';
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
 * Turns errors into HTTP answers, in one place: a refusal (validation failed 400 with every field, not
 * found 404, conflict 409, not possible now 409/423, and the request's own HTTP faults) shows its status,
 * message and details; a provider failure names the provider and code; anything else becomes a plain 500
 * whose details stay in the log.
 */
export function httpErrors(): MiddlewareObj<unknown, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      // Only HTTP callers get an answer; for any other trigger the error propagates (retry, DLQ).
      if (!isHttpEvent(request.event)) return;
      const error = request.error;
      if (error instanceof Refusal) {
        request.response = json(error.statusCode, { message: error.answer, ...error.details });
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
        // A rate limit says when to come back, so a client backs off as long as needed and no longer.
        const retryAfter =
          error instanceof ProviderRateLimited && error.retryAfterSeconds !== undefined
            ? { 'Retry-After': String(Math.max(1, Math.ceil(error.retryAfterSeconds))) }
            : undefined;
        request.response = json(
          status,
          { message: `The provider answered: ${error.name}.`, provider: error.provider, code: error.code },
          retryAfter,
        );
        return;
      }
      const failure = error as { name?: string; code?: string; setting?: string } | undefined;
      // A deployment fault names the setting to fix (a variable's name, never its value).
      logger.error('request failed', { errorName: failure?.name, code: failure?.code, setting: failure?.setting });
      request.response = json(500, { message: 'Internal error' });
    },
  };
}

/** Parses a JSON request body, answering 400 when it is not JSON or repeats a key within one object. */
export function parseJsonBody(body: string | null | undefined, isBase64Encoded = false): unknown {
  if (!body) throw new ValidationFailed([{ path: '', message: 'a JSON body is required' }]);
  const text = isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ValidationFailed([{ path: '', message: 'the body is not valid JSON' }]);
  }
  const duplicate = duplicateKeyPath(text);
  if (duplicate !== undefined) {
    throw new ValidationFailed([
      { path: duplicate, message: 'appears more than once in its object (duplicate keys are refused)' },
    ]);
  }
  return value;
}

/**
 * Parses a verified webhook body: 413 past the JSON bound, 400 when it is not JSON or repeats a key (the
 * answer names the key's path, never repeats the payload).
 */
export function webhookJson(text: string): unknown {
  if (Buffer.byteLength(text) > MAX_JSON_BODY_BYTES)
    throw new HttpError(413, `The body must be at most ${MAX_JSON_BODY_BYTES} bytes.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'The body is not valid JSON.');
  }
  const duplicate = duplicateKeyPath(text);
  if (duplicate !== undefined) throw new HttpError(400, `The body repeats the key ${duplicate}.`);
  return value;
}

/** A request header by name, whatever its case (API Gateway passes headers as the caller wrote them). */
export function headerOf(headers: Record<string, string | undefined> | null | undefined, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === wanted)?.[1];
}

/** Answers 415 unless the request's Content-Type names JSON. */
export function assertJsonContentType(headers: Record<string, string | undefined> | null | undefined): void {
  if (!isJsonMediaType(headerOf(headers, 'content-type'))) throw new HttpError(415, JSON_MEDIA_TYPE_RULE);
}

/**
 * Holds every HTTP request that has a body to the JSON rules before the handler runs: 415 for another
 * media type, 413 past MAX_JSON_BODY_BYTES. Other triggers (EventBridge) pass untouched.
 */
export function jsonRequests(options: { maxBytes?: number } = {}): MiddlewareObj<unknown, APIGatewayProxyResult> {
  const maxBytes = options.maxBytes ?? MAX_JSON_BODY_BYTES;
  return {
    before: async (request) => {
      if (!isHttpEvent(request.event)) return;
      const event = request.event as unknown as APIGatewayProxyEvent;
      if (!event.body) return;
      assertJsonContentType(event.headers);
      const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64').length : Buffer.byteLength(event.body);
      if (bytes > maxBytes) throw new HttpError(413, `The body must be at most ${maxBytes} bytes.`);
    },
  };
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
