import * as z from 'zod/mini';
import { type FieldError, parseOrThrow, ValidationFailed } from '../../shared/validation';
import {
  type BusinessDocumentSlotName,
  type BusinessDocumentsInput,
  type BusinessPlusCustomer,
  type BusinessPlusProviderBody,
  businessPlusCustomerSchema,
  businessPlusProviderSchema,
  businessRequiredDocuments,
} from './schema-plus-business';
import { type DocumentSlot, getAtSlot, isBlank, setAtSlot } from './schema-plus-common';
import {
  type PersonalDocumentSlotName,
  type PersonalDocumentsInput,
  type PersonalPlusCustomer,
  type PersonalPlusProviderBody,
  personalPlusCustomerSchema,
  personalPlusProviderSchema,
  personalRequiredDocuments,
} from './schema-plus-personal';

/**
 * The full-KYC customer profile (CP+): what the merchant sends, which documents it needs, and the body
 * the provider takes once the documents uploaded to our bucket have links. The rules live in the
 * personal, business and people files next to this one.
 */

export {
  type BusinessDocumentSlotName,
  type BusinessPlusCustomer,
  type BusinessPlusProviderBody,
  businessPlusCustomerSchema,
  businessPlusProviderSchema,
} from './schema-plus-business';
export type { DocumentSlot } from './schema-plus-common';
export * from './schema-plus-enums';
export {
  type PersonalDocumentSlotName,
  type PersonalPlusCustomer,
  type PersonalPlusProviderBody,
  personalPlusCustomerSchema,
  personalPlusProviderSchema,
} from './schema-plus-personal';

export type PlusCustomer = PersonalPlusCustomer | BusinessPlusCustomer;
export type PlusProviderBody = PersonalPlusProviderBody | BusinessPlusProviderBody;
/** Where a document link goes in the provider's body, e.g. `identityDocuments.passport`. */
export type DocumentSlotName = PersonalDocumentSlotName | BusinessDocumentSlotName;
/** Document links by slot, as the workflow fills them from our bucket. */
export type DocumentUrls = Readonly<Partial<Record<DocumentSlotName, string>>>;

const registrationTypeError = {
  error: (issue: { code: string }) =>
    issue.code === 'invalid_union' ? 'registrationType must be personal or business' : undefined,
};

/** A CP+ customer in the merchant's request, personal or business by registrationType. */
export const plusCustomerSchema = z.discriminatedUnion(
  'registrationType',
  [personalPlusCustomerSchema, businessPlusCustomerSchema],
  registrationTypeError,
);

/** A CP+ body as the provider takes it, personal or business by registrationType. */
export const plusProviderSchema = z.discriminatedUnion(
  'registrationType',
  [personalPlusProviderSchema, businessPlusProviderSchema],
  registrationTypeError,
);

/**
 * Fields only a CP+ body carries. The reference does not say how one `POST /kyc/customer_profiles`
 * tells a CP from a CP+; a body holding any of these cannot be a basic profile, so it is taken as CP+.
 */
export const CP_PLUS_ONLY_FIELDS = [
  'customerFirstName',
  'customerLastName',
  'identityDocuments',
  'sourceOfWealth',
  'businessIndustry',
  'occupation',
  'expectedAnnualTransactionAmount',
  'expectedTransactionSize',
  'expectedTransactionFrequency',
  'annualIncome',
  'totalWealth',
  'ipAddresses',
  'purposeOfAccount',
  'otherPurposeOfAccount',
  'entityLegalForm',
  'businessContact',
  'operatingAddress',
  'natureOfBusiness',
  'monthlyTransactionVolume',
  'sourceOfFunds',
  'directors',
  'beneficialOwners',
  'trader',
  'documents',
  'licensingStatus',
] as const;

/** True when a profile body (or stored attributes) carries a CP+-only field. */
export function isPlusProfileBody(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  return CP_PLUS_ONLY_FIELDS.some((field) => field in body);
}

/** The document slots the provider needs for this customer (request or provider body), required or not. */
export function requiredDocuments(customer: PersonalDocumentsInput): DocumentSlot<PersonalDocumentSlotName>[];
export function requiredDocuments(customer: BusinessDocumentsInput): DocumentSlot<BusinessDocumentSlotName>[];
export function requiredDocuments(customer: PersonalDocumentsInput | BusinessDocumentsInput): DocumentSlot<DocumentSlotName>[];
export function requiredDocuments(customer: PersonalDocumentsInput | BusinessDocumentsInput): DocumentSlot<DocumentSlotName>[] {
  return customer.registrationType === 'personal' ? personalRequiredDocuments(customer) : businessRequiredDocuments(customer);
}

/** The document links present in a CP+ body, in slot order (what the provider would fetch). */
export function documentUrlsOf(body: PersonalDocumentsInput | BusinessDocumentsInput): { slot: DocumentSlotName; url: string }[] {
  const out: { slot: DocumentSlotName; url: string }[] = [];
  for (const { slot } of requiredDocuments(body)) {
    const url = getAtSlot(body, slot);
    if (typeof url === 'string') out.push({ slot, url });
  }
  return out;
}

const leafOf = (slot: string) =>
  slot
    .split('.')
    .pop()
    ?.replace(/\[\d+\]$/, '') ?? slot;

/**
 * The provider's body for a CP+ customer: the request's fields with each document link placed in its
 * documented field. Throws ValidationFailed naming each required slot without a link and each link for
 * a slot this customer does not have; the result is checked against the provider-side schema.
 */
export function toPlusProviderBody(customer: PersonalPlusCustomer, documentUrls: DocumentUrls): PersonalPlusProviderBody;
export function toPlusProviderBody(customer: BusinessPlusCustomer, documentUrls: DocumentUrls): BusinessPlusProviderBody;
export function toPlusProviderBody(customer: PlusCustomer, documentUrls: DocumentUrls): PlusProviderBody;
export function toPlusProviderBody(customer: PlusCustomer, documentUrls: DocumentUrls): PlusProviderBody {
  const slots = requiredDocuments(customer);
  const known = new Set<string>(slots.map((s) => s.slot));
  const urls = documentUrls as Readonly<Record<string, string | undefined>>;
  const errors: FieldError[] = [];
  for (const slot of Object.keys(urls)) {
    if (!known.has(slot)) errors.push({ path: slot, message: `${leafOf(slot)} is not a document this customer needs` });
  }
  for (const { slot, required } of slots) {
    if (required && isBlank(urls[slot]))
      errors.push({ path: slot, message: `${leafOf(slot)} is required: no document was provided` });
  }
  if (errors.length > 0) throw new ValidationFailed(errors);

  const body = structuredClone(customer) as Record<string, unknown>;
  for (const { slot } of slots) {
    const url = urls[slot];
    if (url !== undefined) setAtSlot(body, slot, url);
  }
  return customer.registrationType === 'personal'
    ? parseOrThrow(personalPlusProviderSchema, body)
    : parseOrThrow(businessPlusProviderSchema, body);
}
