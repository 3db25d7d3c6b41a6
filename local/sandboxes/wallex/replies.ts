import type { Reply } from '../kit';

/**
 * Wallex's error bodies. The pages document status codes and the `authentication_failed` message only;
 * the body's shape is not documented, so the sandbox answers `{ message }` throughout (the shape API
 * Gateway, which fronts APIs keyed by `X-Api-Key`, uses for its own 403 and 429).
 */
export const message = (status: number, text: string, extra: Record<string, unknown> = {}): Reply => ({
  status,
  body: { message: text, ...extra },
});

/** 400 with a message naming the field and the rule. */
export const invalid = (text: string): Reply => message(400, text);

/** 404 for an unknown id. */
export const notFound = (): Reply => message(404, 'not_found');

/** A success with a JSON body. */
export const ok = (body: unknown, status = 200): Reply => ({ status, body });

/** True for a plain JSON object. */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
