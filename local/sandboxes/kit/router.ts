import type { IncomingHttpHeaders } from 'node:http';

/** A request as a sandbox handler sees it: parsed JSON body next to the raw text it came from. */
export interface SandboxRequest {
  method: string;
  /** The path without the query string, percent-decoding left to the params. */
  path: string;
  /** Path parameters named in the route pattern (`:id`), percent-decoded. */
  params: Record<string, string>;
  /** Query parameters by their decoded key, bracket keys kept literally (`filter[registration_id]`). */
  query: Record<string, string>;
  /** The query exactly as received, without `?`; '' when there is none. */
  rawQuery: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as received, for signature checks. */
  rawBody: string;
  /** The body parsed as JSON; undefined when there was no body or it was not valid JSON. */
  body: unknown;
  /** True when a body was sent but could not be parsed as JSON. */
  bodyInvalid: boolean;
}

/** What a handler answers: an object body is sent as JSON, a string as plain text. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (request: SandboxRequest) => Reply | Promise<Reply>;

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

const split = (path: string) => path.split('/').filter((s) => s !== '');

/** A route table matching `/v1/things/:id` style patterns, first match wins. */
export class Router {
  private readonly routes: Route[] = [];

  /** Adds a route; `:name` segments become params. */
  add(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method: method.toUpperCase(), segments: split(pattern), handler });
    return this;
  }

  /** Finds the handler for a method and path, with the path params it captured. */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | undefined {
    const parts = split(path);
    for (const route of this.routes) {
      if (route.method !== method.toUpperCase() || route.segments.length !== parts.length) continue;
      const params = matchSegments(route.segments, parts);
      if (params) return { handler: route.handler, params };
    }
    return undefined;
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i] as string;
    const got = parts[i] as string;
    if (want.startsWith(':')) {
      try {
        params[want.slice(1)] = decodeURIComponent(got);
      } catch {
        return undefined;
      }
    } else if (want !== got) {
      return undefined;
    }
  }
  return params;
}

/**
 * Parses a query string into decoded key/value pairs. `filter%5Bregistration_id%5D=x` and
 * `filter[registration_id]=x` give the same key; a repeated key keeps its last value.
 */
export function parseQuery(search: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(search)) out[key] = value;
  return out;
}

/** Parses a JSON body, telling "no body" apart from "a body that is not JSON". */
export function parseJsonBody(raw: string): { body: unknown; bodyInvalid: boolean } {
  if (raw.trim() === '') return { body: undefined, bodyInvalid: false };
  try {
    return { body: JSON.parse(raw), bodyInvalid: false };
  } catch {
    return { body: undefined, bodyInvalid: true };
  }
}
