import type { HistoryEvent } from './types';

/** Paging and trimming of SFN list answers. */

export interface Page {
  maxResults?: number;
  nextToken?: string;
}

/** One page of `items`; the token is the offset of the next page. */
export function page<T>(items: T[], input: Page): { items: T[]; nextToken?: string } {
  const start = input.nextToken ? Number(Buffer.from(input.nextToken, 'base64url').toString()) || 0 : 0;
  const size = input.maxResults && input.maxResults > 0 ? input.maxResults : 1000;
  const end = start + size;
  return {
    items: items.slice(start, end),
    nextToken: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined,
  };
}

/** includeExecutionData=false: the events without their inputs, outputs and parameters. */
export function withoutData(event: HistoryEvent): HistoryEvent {
  return JSON.parse(
    JSON.stringify(event, (key, value) => (['input', 'output', 'parameters'].includes(key) ? undefined : value)),
    (key, value) => (key === 'timestamp' ? new Date(value) : value),
  );
}
