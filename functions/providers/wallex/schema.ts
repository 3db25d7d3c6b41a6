import * as z from 'zod/mini';
import { plainText } from '../../shared/text';
import {
  ACCOUNT_TYPES,
  DOCUMENT_TYPES,
  EMPLOYMENT_INDUSTRIES,
  EMPLOYMENT_POSITIONS,
  EMPLOYMENT_STATUSES,
  GENDERS,
  IDENTIFICATION_TYPES,
  LANGUAGES,
  TITLES,
  type WallexDocumentType,
} from './schema-lists';

/**
 * The Wallex customer as the merchant sends it, in Wallex's own field names ("Getting Started v2"):
 * the sign-up fields of `POST /v2/signup` and the user-detail fields of `PATCH /v2/users/:userId/detail`
 * that the page marks "required for kyc screening", plus the document types the merchant will upload.
 *
 * Where the page states a rule (lengths, enums, ISO 3166 codes, the fixed lists, `YYYY-MM-DD`) it is
 * applied as stated. Where it states none (mobile number, postal code, identification number, text
 * lengths) the rule is ours, marked "Our rule" beside it, and kept loose.
 *
 * Dates: the page states `YYYY-MM-DD` for dateOfBirth only, and its own examples disagree with it
 * (`1970-21-01` in one response, `20-02-1990` for issueDate and expiryDate). The one stated format is
 * required for every date, so the value sent is never ambiguous between day and month.
 *
 * Messages name the field and the rule, never the submitted value.
 */

const COUNTRY = /^[A-Z]{2}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const EMAIL = /^[\w!#$%&'*+/=?`{|}~^-]+(?:\.[\w!#$%&'*+/=?`{|}~^-]+)*@(?:[a-z0-9-]+\.)+[a-z]{2,24}$/i;
/** The `ituTelephoneCode` of Wallex's country list: `+65`, `+1-684`. */
const MOBILE_COUNTRY_CODE = /^\+[1-9]\d{0,3}(?:-\d{1,4})?$/;
/** Our rule (none is documented): the national number without the country code, 4 to 15 digits (E.164). */
const MOBILE_NUMBER = /^\d{4,15}$/;
/** Our rule (none is documented): 2 to 12 letters, digits, spaces or dashes. */
const POSTAL_CODE = /^[A-Za-z0-9 -]{2,12}$/;
/** Our rule (none is documented): 3 to 30 letters, digits, spaces, dashes or slashes. */
const IDENTIFICATION_NUMBER = /^[A-Za-z0-9][A-Za-z0-9 /-]{2,29}$/;

const listed = (values: readonly string[]) => values.join(', ');

/** A missing field says "is required"; a present one of the wrong type names the expected type. */
const typed = (field: string, expected: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : `${field} must be ${expected}`),
});

const string = (field: string) => z.string(typed(field, 'a string'));

/** Free text: not blank, at most `max` characters. */
const text = (field: string, max: number) =>
  string(field).check(
    z.maxLength(max, `${field} must be at most ${max} characters`),
    plainText(field),
    z.refine((value) => value.trim() !== '', `${field} must not be blank`),
  );

const country = (field: string) =>
  string(field).check(z.regex(COUNTRY, `${field} must be an ISO 3166 two-letter code in capitals (rule ${COUNTRY})`));

const oneOf = <T extends readonly [string, ...string[]]>(field: string, values: T) =>
  z.enum(values, typed(field, `one of: ${listed(values)}`));

/** Milliseconds at UTC midnight of a YYYY-MM-DD date that exists, or NaN. */
export function dateValue(value: string): number {
  if (!ISO_DATE.test(value)) return Number.NaN;
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(value) ? time : Number.NaN;
}

/** A YYYY-MM-DD date that exists, optionally not in the future; one error per value, the first rule broken. */
const date = (field: string, notInFuture: boolean) =>
  string(field).check(
    z.superRefine((value, ctx) => {
      const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
      if (!ISO_DATE.test(value)) fail(`${field} must be a date in YYYY-MM-DD format`);
      else if (Number.isNaN(dateValue(value))) fail(`${field} must be a real calendar date`);
      else if (notInFuture && dateValue(value) > Date.now()) fail(`${field} must not be in the future`);
    }),
  );

const IDENTITY_DOCUMENTS: Record<(typeof IDENTIFICATION_TYPES)[number], readonly WallexDocumentType[]> = {
  passport: ['passport'],
  nric: ['nric', 'national_identity'],
};

/** The customer: sign-up fields, user-detail fields for KYC screening, and the documents to upload. */
export const wallexCustomerSchema = z
  .strictObject({
    // POST /v2/signup
    accountType: oneOf('accountType', ACCOUNT_TYPES),
    email: string('email').check(
      z.maxLength(128, 'email must be at most 128 characters'),
      z.regex(EMAIL, 'email must be a valid e-mail address'),
    ),
    firstName: text('firstName', 64),
    lastName: text('lastName', 64),
    /** Sign-up: "your country"; user detail: the country of the residential address. One value serves both. */
    countryCode: country('countryCode'),
    language: z.optional(oneOf('language', LANGUAGES)),
    // Optional at sign-up; the user sets it from Wallex's confirmation e-mail, so it never passes through here.
    password: z.optional(z.never('password is not accepted: the user sets it from the e-mail Wallex sends after sign-up')),

    // PATCH /v2/users/:userId/detail, "required for kyc screening"
    mobileCountryCode: string('mobileCountryCode').check(
      z.regex(MOBILE_COUNTRY_CODE, `mobileCountryCode must be an ITU telephone code such as +65 (rule ${MOBILE_COUNTRY_CODE})`),
    ),
    mobileNumber: string('mobileNumber').check(
      z.regex(MOBILE_NUMBER, 'mobileNumber must be 4 to 15 digits, without the country code'),
    ),
    gender: oneOf('gender', GENDERS),
    countryOfBirth: country('countryOfBirth'),
    nationality: country('nationality'),
    countryOfResidence: country('countryOfResidence'),
    // Text lengths here and below are ours (the page gives none but the sign-up's 64 for names).
    residentialAddress: text('residentialAddress', 255),
    postalCode: string('postalCode').check(z.regex(POSTAL_CODE, 'postalCode must be 2 to 12 letters, digits, spaces or dashes')),
    dateOfBirth: date('dateOfBirth', true),
    identificationType: oneOf('identificationType', IDENTIFICATION_TYPES),
    identificationNumber: string('identificationNumber').check(
      z.regex(IDENTIFICATION_NUMBER, 'identificationNumber must be 3 to 30 letters, digits, spaces, dashes or slashes'),
    ),
    issueDate: date('issueDate', true),
    /** Required "if applicable, for example: passport": required for a passport, optional for an NRIC. */
    expiryDate: z.optional(date('expiryDate', false)),
    employmentIndustry: oneOf('employmentIndustry', EMPLOYMENT_INDUSTRIES),
    employmentStatus: oneOf('employmentStatus', EMPLOYMENT_STATUSES),
    employmentPosition: oneOf('employmentPosition', EMPLOYMENT_POSITIONS),

    // Optional user-detail fields
    title: z.optional(oneOf('title', TITLES)),
    formerName: z.optional(text('formerName', 128)),
    aliasName: z.optional(text('aliasName', 128)),
    state: z.optional(text('state', 64)),
    city: z.optional(text('city', 64)),
    occupation: z.optional(text('occupation', 128)),
    nameInChineseCharacters: z.optional(text('nameInChineseCharacters', 64)),

    /** The document types the merchant will upload, one file each; each becomes a document slot. */
    documents: z.array(oneOf('documents[]', DOCUMENT_TYPES), typed('documents', 'a list of document types')).check(
      z.minLength(1, 'documents must list at least one document type'),
      z.maxLength(DOCUMENT_TYPES.length, `documents must list at most ${DOCUMENT_TYPES.length} document types`),
      z.refine((list) => new Set(list).size === list.length, 'documents must not list a document type twice'),
    ),
  })
  .check(
    z.superRefine((customer, ctx) => {
      if (customer.identificationType === 'passport' && customer.expiryDate === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['expiryDate'],
          message: 'expiryDate is required when identificationType is passport',
        });
      }
      const issued = dateValue(customer.issueDate);
      const expires = customer.expiryDate === undefined ? Number.NaN : dateValue(customer.expiryDate);
      if (expires <= issued) {
        ctx.addIssue({ code: 'custom', path: ['expiryDate'], message: 'expiryDate must be after issueDate' });
      }
      const born = dateValue(customer.dateOfBirth);
      if (issued < born) {
        ctx.addIssue({ code: 'custom', path: ['issueDate'], message: 'issueDate must not be before dateOfBirth' });
      }
      const identity = IDENTITY_DOCUMENTS[customer.identificationType];
      if (!customer.documents.some((type) => identity.includes(type))) {
        ctx.addIssue({
          code: 'custom',
          path: ['documents'],
          message: `documents must include ${identity.join(' or ')} when identificationType is ${customer.identificationType}`,
        });
      }
    }),
  );

export type WallexCustomer = z.infer<typeof wallexCustomerSchema>;

/** The sign-up body (`POST /v2/signup`). */
export function toSignupBody(customer: WallexCustomer): Record<string, string> {
  const { firstName, lastName, email, countryCode, accountType, language } = customer;
  return { firstName, lastName, email, countryCode, accountType, ...(language ? { language } : {}) };
}

/** The user-detail body (`PATCH /v2/users/:userId/detail`): every KYC field, and the optional ones given. */
export function toDetailBody(customer: WallexCustomer): Record<string, string> {
  const {
    accountType: _accountType,
    email: _email,
    language: _language,
    password: _password,
    documents: _documents,
    ...detail
  } = customer;
  return Object.fromEntries(Object.entries(detail).filter(([, value]) => value !== undefined)) as Record<string, string>;
}
