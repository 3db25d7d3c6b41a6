import { isIP } from 'node:net';
import * as z from 'zod';

/**
 * Straddle's customer rules as its API reference and its official SDK's types state them
 * (`CustomerCreateParams`, `CustomerUpdateParams`): required fields, formats and enums. Straddle states no
 * lengths for free text, so none are imposed here; metadata's limits come from the customers guide.
 * Undocumented fields are refused, as Straddle answers them. Where the documents disagree:
 * - ssn: the SDK types XXX-XX-XXXX, the customers guide allows "full or last 4 digits"; both are taken,
 *   because the guide describes what the API accepts and the SDK comment only the full form.
 */

/** The customer statuses the reference lists. */
export const CUSTOMER_STATUSES = ['pending', 'review', 'verified', 'inactive', 'rejected'] as const;
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

const required = (what: string, expected = 'a string') => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? `${what} is required` : `${what} must be ${expected}`),
});
const str = (what: string) => z.string(required(what)).min(1, `${what} must not be empty`);

const email = z.string(required('email')).regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'email must be an e-mail address');
const phone = z.string(required('phone')).regex(/^\+[1-9]\d{1,14}$/, 'phone must be in E.164 format');
const device = z.strictObject(
  {
    ip_address: z
      .string(required('ip_address'))
      .refine((value) => isIP(value) !== 0, 'ip_address must be an IPv4 or IPv6 address'),
  },
  required('device', 'an object'),
);

const address = z.strictObject({
  address1: str('address1'),
  address2: z.string(required('address2')).nullish(),
  city: str('city'),
  state: z.string(required('state')).regex(/^[A-Z]{2}$/, 'state must be a two-letter state code'),
  zip: str('zip'),
});

const realDate = (value: string) => {
  const time = new Date(`${value}T00:00:00Z`).getTime();
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(value);
};
const dob = z
  .string(required('dob'))
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'dob must be YYYY-MM-DD')
  .refine(realDate, 'dob must be a real date')
  .refine((value) => new Date(`${value}T00:00:00Z`).getTime() <= Date.now(), 'dob must not be in the future');

const individualCompliance = z.strictObject({
  dob,
  ssn: z.string(required('ssn')).regex(/^(\d{3}-\d{2}-\d{4}|\d{4})$/, 'ssn must be XXX-XX-XXXX or the last 4 digits'),
});

const businessCompliance = z.strictObject({
  ein: z.string(required('ein')).regex(/^\d{2}-\d{7}$/, 'ein must be XX-XXXXXXX'),
  legal_business_name: str('legal_business_name'),
  website: z.string(required('website')).url('website must be a URL').nullish(),
  representatives: z
    .array(
      z.strictObject({
        name: str('name'),
        email: email.nullish(),
        phone: phone.nullish(),
      }),
    )
    .nullish(),
});

const metadata = z
  .record(z.string(), z.string().max(500, 'metadata values must be at most 500 characters'), {
    error: 'metadata must be an object of string pairs',
  })
  .refine((value) => Object.keys(value).length <= 20, 'metadata may hold at most 20 pairs')
  .refine(
    (value) => Object.keys(value).every((key) => key.length >= 1 && key.length <= 40),
    'metadata keys must be 1 to 40 characters',
  );

const externalId = z.string(required('external_id')).min(1, 'external_id must not be empty').nullish();

const config = z
  .strictObject({
    processing_method: z
      .enum(['inline', 'background', 'skip'], 'processing_method must be inline, background or skip')
      .optional(),
    sandbox_outcome: z
      .enum(['standard', 'verified', 'rejected', 'review'], 'sandbox_outcome must be standard, verified, rejected or review')
      .optional(),
  })
  .optional();

const common = {
  name: str('name'),
  email,
  phone,
  device,
  address: address.nullish(),
  metadata: metadata.nullish(),
  config,
  external_id: externalId,
};

/** `POST /v1/customers`. */
export const createCustomerBody = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('individual'), ...common, compliance_profile: individualCompliance.nullish() }),
    z.strictObject({ type: z.literal('business'), ...common, compliance_profile: businessCompliance.nullish() }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? 'type must be individual or business' : undefined) },
);

/** `PUT /v1/customers/{id}`: a full replacement; the type cannot change. */
export const replaceCustomerBody = z.strictObject({
  name: str('name'),
  email,
  phone,
  device,
  status: z.enum(CUSTOMER_STATUSES, `status must be one of: ${CUSTOMER_STATUSES.join(', ')}`),
  address: address.nullish(),
  compliance_profile: z.union([individualCompliance, businessCompliance]).nullish(),
  external_id: externalId,
  metadata: metadata.nullish(),
});

/** The compliance profile shape of each customer type. */
export const complianceOf = { individual: individualCompliance, business: businessCompliance } as const;
