import { expect, vi } from 'vitest';
import { ProviderError } from '../../functions/shared/errors';

/** Helpers for the provider client tests: a fetch stand-in and the error a call ends with. */

/** One request as the stand-in received it. */
export interface Sent {
  url: string;
  init: RequestInit;
}

/** A fetch stand-in that records what went out and answers with a fixed response. */
export function stubFetch(status: number, body: string | object = '', headers: Record<string, string> = {}) {
  const sent: Sent[] = [];
  const fetchImpl = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    sent.push({ url: String(url), init: init ?? {} });
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return new Response(status === 204 ? null : text, { status, headers });
  });
  return { fetchImpl: fetchImpl as unknown as typeof fetch, sent };
}

/** The ProviderError a call fails with; the test fails when it succeeds or throws anything else. */
export async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}
