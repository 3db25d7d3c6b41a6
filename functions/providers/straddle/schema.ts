import { isIP } from 'node:net';
import * as z from 'zod/mini';
import { plainText, tooLongMessage } from '../../shared/text';

/**
 * Straddle customer fields, in Straddle's own names, with the rules its documentation gives.
 *
 * Sources: the customers guide (metadata limits, statuses, "full or last 4 digits" of the SSN) and the
 * official SDK's CustomerCreateParams (required fields, formats). Where they disagree:
 * - ssn: the SDK says XXX-XX-XXXX; the guide says "full or last 4 digits". Both are accepted: the full
 *   number as XXX-XX-XXXX, or exactly four digits.
 * - legal_business_name: the guide's text describes a state code (a copy slip); the SDK's meaning, the
 *   registered business name, is the one applied.
 * - address.country and address.type: listed by the older guide only; the current API has neither, so
 *   they are refused as undocumented rather than sent and silently dropped.
 * Messages name the rule, never the submitted value; the path names the field.
 */

export const E164 = /^\+[1-9]\d{1,14}$/;
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
export const US_STATE = /^[A-Z]{2}$/;
export const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
export const SSN = /^(\d{3}-\d{2}-\d{4}|\d{4})$/;
export const EIN = /^\d{2}-\d{7}$/;

/** A type error that says "is required" when the field is missing, and the expected type otherwise. */
export const typed = (what: string, expected = 'a string') => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? `${what} is required` : `${what} must be ${expected}`),
});

/**
 * Free text: at most `max` characters as sent, plain text (shared rule), not blank. Straddle documents no
 * lengths but metadata's; the bounds below are ours, conservative, and listed in README.
 */
const text = (what: string, max: number) =>
  z
    .string(typed(what))
    .check(z.maxLength(max, tooLongMessage(what, max)), plainText(what), z.trim(), z.minLength(1, `${what} must not be blank`));
/** The longest address an SMTP path takes (RFC 5321). */
const EMAIL_MAX = 254;
const email = (what: string) =>
  z
    .string(typed(what))
    .check(z.maxLength(EMAIL_MAX, tooLongMessage(what, EMAIL_MAX)), z.regex(EMAIL, `${what} must be an e-mail address`));
const phone = (what: string) =>
  z.string(typed(what)).check(z.regex(E164, `${what} must be in E.164 format (+ then 2 to 15 digits, e.g. +12125550123)`));

/** A calendar date in YYYY-MM-DD that exists and is not in the future. */
const dateOfBirth = z.string(typed('dob')).check(
  z.regex(ISO_DATE, 'dob must be a date in YYYY-MM-DD format'),
  z.refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
  }, 'dob must be a real calendar date'),
  z.refine((value) => {
    const time = new Date(`${value}T00:00:00Z`).getTime();
    return Number.isNaN(time) || time <= Date.now();
  }, 'dob must not be in the future'),
);

const httpUrl = z.string(typed('website')).check(
  z.maxLength(2048, tooLongMessage('website', 2048)),
  z.refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' || url.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'website must be an http(s) URL'),
);

export const addressSchema = z.strictObject({
  address1: text('address1', 100),
  address2: z.nullish(
    z.string(typed('address2')).check(z.maxLength(100, tooLongMessage('address2', 100)), plainText('address2')),
  ),
  city: text('city', 100),
  state: z.string(typed('state')).check(z.regex(US_STATE, 'state must be a two-letter state code in capitals (e.g. NY)')),
  zip: text('zip', 10),
});

export const individualComplianceSchema = z.strictObject({
  dob: dateOfBirth,
  ssn: z.string(typed('ssn')).check(z.regex(SSN, 'ssn must be XXX-XX-XXXX (full) or exactly 4 digits (last 4)')),
});

const representativeSchema = z.strictObject({
  name: text('name', 255),
  email: z.nullish(email('email')),
  phone: z.nullish(phone('phone')),
});

export const businessComplianceSchema = z.strictObject({
  ein: z.string(typed('ein')).check(z.regex(EIN, 'ein must be XX-XXXXXXX')),
  legal_business_name: text('legal_business_name', 255),
  website: z.nullish(httpUrl),
  representatives: z.nullish(z.array(representativeSchema, typed('representatives', 'a list'))),
});

export const METADATA_MAX_PAIRS = 20;
export const METADATA_MAX_KEY = 40;
export const METADATA_MAX_VALUE = 500;

/** Up to 20 string pairs, keys up to 40 characters, values up to 500 (customers guide). */
export const metadataSchema = z
  .record(
    z.string(),
    z
      .string(typed('each metadata value'))
      .check(
        z.maxLength(METADATA_MAX_VALUE, `metadata values must be at most ${METADATA_MAX_VALUE} characters`),
        plainText('metadata values'),
      ),
    {
      error: (issue) => (issue.code === 'invalid_type' ? 'metadata must be an object of string pairs' : undefined),
    },
  )
  .check(
    z.superRefine((value, ctx) => {
      const keys = Object.keys(value);
      if (keys.length > METADATA_MAX_PAIRS)
        ctx.addIssue({ code: 'custom', message: `metadata may hold at most ${METADATA_MAX_PAIRS} pairs` });
      // Reported on the metadata object itself: a key's text is the merchant's and stays out of the path.
      if (keys.some((key) => key.length === 0 || key.length > METADATA_MAX_KEY)) {
        ctx.addIssue({ code: 'custom', message: `metadata keys must be 1 to ${METADATA_MAX_KEY} characters` });
      }
    }),
  );

export const deviceSchema = z.strictObject({
  ip_address: z
    .string(typed('ip_address'))
    .check(
      z.refine((value) => isIP(value) !== 0, 'ip_address must be an IPv4 or IPv6 address (0.0.0.0 for an offline registration)'),
    ),
});

export const SANDBOX_OUTCOMES = ['standard', 'verified', 'rejected', 'review'] as const;
const sandboxOutcome = z.enum(SANDBOX_OUTCOMES, `sandbox_outcome must be one of: ${SANDBOX_OUTCOMES.join(', ')}`);

/** Fields both customer types share, as the create endpoint takes them. */
const common = {
  name: text('name', 255),
  email: email('email'),
  phone: phone('phone'),
  device: deviceSchema,
  address: z.nullish(addressSchema),
  metadata: z.nullish(metadataSchema),
};

/**
 * Fields the merchant may send. `config.sandbox_outcome` picks the verdict in Straddle's sandbox (and in
 * ours); production ignores it. `config.processing_method` is left out: its values' effects are not
 * documented. `external_id` is refused: the adapter sends the onboarding id there, because that is how
 * an answer lost in transit is found again (look-up by external_id before create); the merchant's own
 * reference travels in `merchantRef`, or in metadata.
 */
const merchantOnly = {
  config: z.optional(
    z.strictObject({
      sandbox_outcome: z.optional(sandboxOutcome),
      processing_method: z.optional(z.undefined('processing_method is not accepted: the effect of its values is not documented')),
    }),
  ),
  external_id: z.optional(
    z.undefined('external_id is set by the orchestrator (the onboarding id); send your reference as merchantRef or in metadata'),
  ),
};

/** Our onboarding id, sent as Straddle's `external_id` and looked up before a create. */
const externalIdSchema = z.nullish(
  z
    .string(typed('external_id'))
    .check(
      z.minLength(1, 'external_id must not be empty'),
      z.maxLength(255, tooLongMessage('external_id', 255)),
      plainText('external_id'),
    ),
);

/** The create endpoint as Straddle documents it: external_id and processing_method included. */
const providerOnly = {
  config: z.optional(
    z.strictObject({
      processing_method: z.optional(
        z.enum(['inline', 'background', 'skip'], 'processing_method must be inline, background or skip'),
      ),
      sandbox_outcome: z.optional(sandboxOutcome),
    }),
  ),
  external_id: externalIdSchema,
};

const typeMessage = (issue: { code: string }) =>
  issue.code === 'invalid_union' ? 'type must be individual or business' : undefined;

function customerUnion<E extends z.core.$ZodLooseShape>(extra: E) {
  return z.discriminatedUnion(
    'type',
    [
      z.strictObject({
        type: z.literal('individual'),
        ...common,
        compliance_profile: z.nullish(individualComplianceSchema),
        ...extra,
      }),
      z.strictObject({
        type: z.literal('business'),
        ...common,
        compliance_profile: z.nullish(businessComplianceSchema),
        ...extra,
      }),
    ],
    { error: typeMessage },
  );
}

/** The `customer` of a Straddle onboarding request: the create body minus what the adapter sets itself. */
export const straddleCustomerSchema = customerUnion(merchantOnly);

export type StraddleCustomer = z.infer<typeof straddleCustomerSchema>;

/** The `POST /v1/customers` body with Straddle's own rules (the sandbox validates with it). */
export const straddleCreateBodySchema = customerUnion(providerOnly);

export const CUSTOMER_STATUSES = ['pending', 'review', 'verified', 'inactive', 'rejected'] as const;
export type StraddleCustomerStatus = (typeof CUSTOMER_STATUSES)[number];

/**
 * The `PUT /v1/customers/{id}` body: a full replacement. device, email, name, phone and status are
 * required; the type cannot change, so the compliance profile is either shape and is checked against the
 * customer's type by the provider.
 */
export const straddleReplaceBodySchema = z.strictObject({
  name: text('name', 255),
  email: email('email'),
  phone: phone('phone'),
  device: deviceSchema,
  status: z.enum(CUSTOMER_STATUSES, `status must be one of: ${CUSTOMER_STATUSES.join(', ')}`),
  address: z.nullish(addressSchema),
  compliance_profile: z.nullish(z.union([individualComplianceSchema, businessComplianceSchema])),
  external_id: externalIdSchema,
  metadata: z.nullish(metadataSchema),
});

export type StraddleReplaceBody = z.infer<typeof straddleReplaceBodySchema>;
