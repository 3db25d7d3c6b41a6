import { randomUUID } from 'node:crypto';
import type * as z from 'zod';
import type { Reply } from '../kit';
import { toFieldErrors } from '../kit/field-errors';

/**
 * Straddle's answer envelopes. Success: `{meta, response_type: "object" | "array", data}`; failure:
 * `{meta, response_type: "error", error: {status, type, title, detail, items[{reference, detail}]}}`
 * with no `data`. Every answer has a fresh `meta.api_request_id`.
 */

/** One entry of `error.items`: a field name or code, and what is wrong with it. */
export interface ErrorItem {
  reference: string;
  detail: string;
}

/** The meta every answer carries. */
export const meta = () => ({ api_request_id: randomUUID(), api_request_timestamp: new Date().toISOString() });

/** A single object. */
export const ok = (data: unknown, status = 200): Reply => ({ status, body: { meta: meta(), response_type: 'object', data } });

/** A page of a list, with its paging meta. */
export const page = (data: unknown[], paging: Record<string, unknown>): Reply => ({
  status: 200,
  body: { meta: { ...meta(), ...paging }, response_type: 'array', data },
});

/** An error in the documented envelope. */
export function failure(status: number, type: string, title: string, detail: string, items: ErrorItem[] = []): Reply {
  return { status, body: { meta: meta(), response_type: 'error', error: { status, type, title, detail, items } } };
}

/** 400 with one item per failing field. */
export const invalid = (items: ErrorItem[], detail = 'One or more fields failed validation.'): Reply =>
  failure(400, '/field_validation', 'Validation Error', detail, items);

/** 400 from a zod error: each issue's path becomes the reference, its rule the detail. */
export const invalidFrom = (error: z.ZodError): Reply =>
  invalid(toFieldErrors(error).map((e) => ({ reference: e.path || 'body', detail: e.message })));

/** 422: well-formed but refused (duplicate email, a review decision on a customer not in review). */
export const unprocessable = (detail: string, items: ErrorItem[] = []): Reply =>
  failure(422, '/validation_error', 'Unprocessable Entity', detail, items);

/** 404 for an unknown resource or route. */
export const notFound = (what = 'Resource'): Reply => failure(404, '/not_found', 'Not Found', `${what} not found.`);

/** 409 for the idempotency conflicts. */
export const conflict = (detail: string): Reply => failure(409, '/idempotency_conflict', 'Conflict', detail);
