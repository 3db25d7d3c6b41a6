import { parseRequestOrThrow } from '../../shared/validation';
import { type StraddleTransport, straddleTransport } from './adapter';
import { type StraddleMeta, stPath } from './client';
import { straddleIdempotencyKey } from './idempotency';
import { CUSTOMER_STATUSES, type StraddleCustomerStatus, type StraddleReplaceBody, straddleReplaceBodySchema } from './schema';

/**
 * Operator helpers for Straddle customers, outside the onboarding port: read, replace, list and the
 * unmasked read. Their answers hold personal data (names, emails, phones; unmasked: SSN, date of birth),
 * so they go back to the caller and nowhere else: never into a log line, an event or a table attribute.
 */

/** A customer as Straddle returns it (compliance_profile masked). */
export type StraddleCustomerRecord = Record<string, unknown> & { id: string; status: StraddleCustomerStatus };

/** A list entry as Straddle returns it. */
export interface StraddleCustomerSummary {
  id: string;
  name: string;
  email: string;
  phone: string;
  type: 'individual' | 'business';
  status: StraddleCustomerStatus;
  external_id?: string | null;
  created_at: string;
  updated_at: string;
}

/** The documented filters, sorting and paging of `GET /v1/customers`. */
export interface StraddleCustomerFilters {
  page_number?: number;
  page_size?: number;
  sort_by?: 'name' | 'created_at';
  sort_order?: 'asc' | 'desc';
  created_from?: string;
  created_to?: string;
  email?: string;
  external_id?: string;
  /** Partial match. */
  name?: string;
  search_text?: string;
  status?: StraddleCustomerStatus[];
  types?: ('individual' | 'business')[];
}

/** One page of customers and its paging meta. */
export interface StraddleCustomerPage {
  customers: StraddleCustomerSummary[];
  meta: StraddleMeta;
}

export interface ReplaceOptions {
  /** A caller-chosen key; by default one derived from the customer id, the attempt and the body. */
  idempotencyKey?: string;
  /** Bump after a 400: that key is spent. */
  attempt?: number;
}

/** Straddle customer operations for operators, over a (throttled) transport. */
export class StraddleCustomerOperations {
  constructor(private readonly transport: () => Promise<StraddleTransport> = straddleTransport) {}

  /** `GET /v1/customers/{id}`. */
  async getCustomer(id: string): Promise<StraddleCustomerRecord> {
    const client = await this.transport();
    return (await client.request<StraddleCustomerRecord>('GET', stPath`/v1/customers/${id}`)).data;
  }

  /**
   * `PUT /v1/customers/{id}`: a full replacement, so every field to keep must be sent again (device,
   * email, name, phone and status are required). Send compliance_profile only with real values: the
   * masked ones a GET shows are not valid input. Changing identity fields can start a new verification.
   */
  async replaceCustomer(id: string, body: StraddleReplaceBody, options: ReplaceOptions = {}): Promise<StraddleCustomerRecord> {
    const parsed = { data: parseRequestOrThrow(straddleReplaceBodySchema, body) };
    const idempotencyKey =
      options.idempotencyKey ?? straddleIdempotencyKey(id, 'replaceCustomer', options.attempt ?? 0, parsed.data);
    const client = await this.transport();
    const answer = await client.request<StraddleCustomerRecord>('PUT', stPath`/v1/customers/${id}`, {
      body: parsed.data,
      idempotencyKey,
    });
    return answer.data;
  }

  /** `GET /v1/customers` with the documented filters; one page, with Straddle's paging meta. */
  async listCustomers(filters: StraddleCustomerFilters = {}): Promise<StraddleCustomerPage> {
    for (const status of filters.status ?? []) {
      if (!(CUSTOMER_STATUSES as readonly string[]).includes(status))
        throw new RangeError('status filter holds an unknown status');
    }
    const client = await this.transport();
    const answer = await client.request<StraddleCustomerSummary[]>('GET', '/v1/customers', { query: { ...filters } });
    return { customers: Array.isArray(answer.data) ? answer.data : [], meta: answer.meta };
  }

  /**
   * `GET /v1/customers/{id}/unmasked`: the full SSN, date of birth and EIN. Straddle enables it per
   * account. The caller audits the access; the result must never be logged.
   */
  async getUnmaskedCustomer(id: string): Promise<StraddleCustomerRecord> {
    const client = await this.transport();
    return (await client.request<StraddleCustomerRecord>('GET', stPath`/v1/customers/${id}/unmasked`)).data;
  }
}

/** The operator helpers wired to the deployed configuration. */
export function straddleOperations(): StraddleCustomerOperations {
  return new StraddleCustomerOperations();
}
