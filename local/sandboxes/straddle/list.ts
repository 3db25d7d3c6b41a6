import type { Reply, SandboxRequest } from '../kit';
import { type ErrorItem, invalid, page } from './replies';
import { CUSTOMER_STATUSES } from './rules';
import type { StoredCustomer, StraddleStore } from './store';
import { summaryView } from './views';

/**
 * `GET /v1/customers`: the documented filters (created_from, created_to, email, external_id, name
 * partial, search_text, status, types), sort_by name|created_at, sort_order asc|desc, page_number and
 * page_size, with the paging meta. Array filters come comma-separated (`status=review,verified`), as
 * Straddle's SDK sends them; `status[]` and `types[]` keys are read too. Straddle documents no default
 * or maximum page size: here 25 and 100.
 */

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

const TYPES = ['individual', 'business'] as const;
const POSITIVE = /^[1-9]\d{0,6}$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

const listOf = (query: Record<string, string>, name: string) => {
  const raw = query[name] ?? query[`${name}[]`];
  return raw === undefined
    ? undefined
    : raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
};

// A date-only bound covers its whole day: created_to=2025-01-31 includes that day's customers.
function bound(value: string | undefined, end: boolean): number | undefined | null {
  if (value === undefined) return undefined;
  const time = Date.parse(DATE_ONLY.test(value) ? `${value}T${end ? '23:59:59.999' : '00:00:00.000'}Z` : value);
  return Number.isNaN(time) ? null : time;
}

interface Query {
  pageNumber: number;
  pageSize: number;
  sortBy: 'name' | 'created_at';
  sortOrder: 'asc' | 'desc';
  from?: number;
  to?: number;
  statuses?: string[];
  types?: string[];
}

function readQuery(q: Record<string, string>): Query | ErrorItem[] {
  const items: ErrorItem[] = [];
  const number = (name: string, fallback: number, max?: number) => {
    const value = q[name];
    if (value === undefined) return fallback;
    if (!POSITIVE.test(value) || (max !== undefined && Number(value) > max)) {
      items.push({ reference: name, detail: max ? `must be an integer from 1 to ${max}` : 'must be a positive integer' });
    }
    return Number(value);
  };
  const pageNumber = number('page_number', 1);
  const pageSize = number('page_size', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const sortBy = q.sort_by ?? 'created_at';
  if (sortBy !== 'name' && sortBy !== 'created_at') items.push({ reference: 'sort_by', detail: 'must be name or created_at' });
  const sortOrder = q.sort_order ?? 'asc';
  if (sortOrder !== 'asc' && sortOrder !== 'desc') items.push({ reference: 'sort_order', detail: 'must be asc or desc' });
  const from = bound(q.created_from, false);
  const to = bound(q.created_to, true);
  if (from === null) items.push({ reference: 'created_from', detail: 'must be an ISO 8601 date or time' });
  if (to === null) items.push({ reference: 'created_to', detail: 'must be an ISO 8601 date or time' });
  const statuses = listOf(q, 'status');
  if (statuses?.some((s) => !(CUSTOMER_STATUSES as readonly string[]).includes(s))) {
    items.push({ reference: 'status', detail: `must be among ${CUSTOMER_STATUSES.join(', ')}` });
  }
  const types = listOf(q, 'types');
  if (types?.some((t) => !(TYPES as readonly string[]).includes(t)))
    items.push({ reference: 'types', detail: 'must be among individual, business' });
  if (items.length > 0) return items;
  return {
    pageNumber,
    pageSize,
    sortBy: sortBy as Query['sortBy'],
    sortOrder: sortOrder as Query['sortOrder'],
    ...(from != null ? { from } : {}),
    ...(to != null ? { to } : {}),
    ...(statuses ? { statuses } : {}),
    ...(types ? { types } : {}),
  };
}

const contains = (value: string | null, needle: string) => (value ?? '').toLowerCase().includes(needle);

function matches(customer: StoredCustomer, q: Record<string, string>, query: Query): boolean {
  const created = Date.parse(customer.created_at);
  if (query.from !== undefined && created < query.from) return false;
  if (query.to !== undefined && created > query.to) return false;
  if (query.statuses && !query.statuses.includes(customer.status)) return false;
  if (query.types && !query.types.includes(customer.type)) return false;
  if (q.email !== undefined && customer.email.toLowerCase() !== q.email.trim().toLowerCase()) return false;
  if (q.external_id !== undefined && customer.external_id !== q.external_id) return false;
  if (q.name !== undefined && !contains(customer.name, q.name.trim().toLowerCase())) return false;
  if (q.search_text !== undefined) {
    const needle = q.search_text.trim().toLowerCase();
    const fields = [customer.id, customer.name, customer.email, customer.phone, customer.external_id];
    if (!fields.some((field) => contains(field, needle))) return false;
  }
  return true;
}

/** Answers a list request: one page of summaries and the paging meta. */
export function listCustomers(store: StraddleStore, request: SandboxRequest): Reply {
  const query = readQuery(request.query);
  if (Array.isArray(query)) return invalid(query, 'One or more query parameters are invalid.');
  const direction = query.sortOrder === 'asc' ? 1 : -1;
  const all = [...store.customers.values()]
    .filter((c) => matches(c, request.query, query))
    .sort((a, b) => {
      const primary = query.sortBy === 'name' ? a.name.localeCompare(b.name) : a.created_at.localeCompare(b.created_at);
      return direction * (primary || a.seq - b.seq);
    });
  const start = (query.pageNumber - 1) * query.pageSize;
  return page(all.slice(start, start + query.pageSize).map(summaryView), {
    page_number: query.pageNumber,
    page_size: query.pageSize,
    max_page_size: MAX_PAGE_SIZE,
    total_items: all.length,
    total_pages: Math.ceil(all.length / query.pageSize),
    sort_by: query.sortBy,
    sort_order: query.sortOrder,
  });
}
