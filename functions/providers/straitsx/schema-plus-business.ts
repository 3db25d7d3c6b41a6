import * as z from 'zod/mini';
import { BUSINESS_REGISTRATION_ID, businessProfileSchema, countryCode, PHONE_NO, pastDate, rule } from './schema';
import {
  businessPlusAddressSchema,
  businessPlusProviderAddressSchema,
  type DocumentSlot,
  documentUrl,
  EVEN_WITH_ISSUES,
  freeText,
  isBlank,
  issue,
  name191,
  otherIff,
  sourceOfWealthSchema,
  TEXT_255,
  WEBSITE,
} from './schema-plus-common';
import {
  BUSINESS_PURPOSES_OF_ACCOUNT,
  BUSINESS_WEALTH_SOURCES,
  type BusinessWealthSource,
  ENTITY_LEGAL_FORMS,
  LICENSING_STATUSES,
  MONTHLY_TRANSACTION_VOLUMES,
  NATURES_OF_BUSINESS,
  oneOf,
  SOURCES_OF_FUNDS,
} from './schema-plus-enums';
import {
  beneficialOwnerProviderSchema,
  beneficialOwnerRequestSchema,
  directorProviderSchema,
  directorRequestSchema,
  type PeopleDocumentSlotName,
  peopleRequiredDocuments,
  traderProviderSchema,
  traderRequestSchema,
} from './schema-plus-people';

/**
 * Business full-KYB customer profile (CP+), from the provider's OpenAPI document; no reference page
 * restates it. registrationType is `business`: the document's field text says `Business`, but its
 * examples and every other profile type send the lower-case value, and uniqueness is per registrationType.
 */

const basic = businessProfileSchema.shape;
const flag = (field: string) =>
  z.boolean({
    error: (i) => (i.input === undefined ? `${field} is required (true or false)` : `${field} must be true or false`),
  });

const businessPlusFields = {
  registrationType: z.literal('business', 'registrationType must be business'),
  customerName: basic.customerName,
  customerNativeName: z.optional(name191('customerNativeName')),
  merchantRef: z.optional(name191('merchantRef')),
  registrationIdType: oneOf('registrationIdType', ['business_reg_no']),
  // The CP+ pattern is narrower than the basic profile's: no `/`.
  registrationId: z
    .string()
    .check(
      z.regex(
        BUSINESS_REGISTRATION_ID,
        rule(BUSINESS_REGISTRATION_ID, 'registrationId (UEN) must be 4 to 35 letters, digits, spaces or dashes'),
      ),
    ),
  tradingName: basic.tradingName,
  // Not in the CP+ field list, but in the document's own CP+ examples; taken with the basic profile's rules.
  registrationIdCountry: basic.registrationIdCountry,
  placeOfBiz: basic.placeOfBiz,
  placeOfBizCountry: basic.placeOfBizCountry,
  entityLegalForm: oneOf('entityLegalForm', ENTITY_LEGAL_FORMS),
  businessContact: z
    .string()
    .check(z.regex(PHONE_NO, rule(PHONE_NO, 'businessContact must be a phone number in international format'))),
  website: z.optional(z.string().check(z.regex(WEBSITE, rule(WEBSITE, 'website must be a valid URL')))),
  countryOfIncorporation: countryCode('countryOfIncorporation'),
  dateOfIncorporation: pastDate('dateOfIncorporation'),
  natureOfBusiness: oneOf('natureOfBusiness', NATURES_OF_BUSINESS),
  // "Free text" of undocumented length: bounded like the other explanations (255).
  otherNatureOfBusiness: z.optional(freeText('otherNatureOfBusiness', TEXT_255, 255)),
  usOwnership: flag('usOwnership'),
  intermediaries: flag('intermediaries'),
  monthlyTransactionVolume: oneOf('monthlyTransactionVolume', MONTHLY_TRANSACTION_VOLUMES),
  sourceOfFunds: z
    .array(oneOf('sourceOfFunds', SOURCES_OF_FUNDS), 'sourceOfFunds must be a list')
    .check(z.minLength(1, 'sourceOfFunds must hold at least one value')),
  otherSourceOfFunds: z.optional(freeText('otherSourceOfFunds', TEXT_255, 255)),
  licensingStatus: z.optional(oneOf('licensingStatus', LICENSING_STATUSES)),
  purposeOfAccount: oneOf('purposeOfAccount', BUSINESS_PURPOSES_OF_ACCOUNT),
  otherPurposeOfAccount: z.optional(freeText('otherPurposeOfAccount', TEXT_255, 255)),
};

const details = freeText('details', TEXT_255, 255);
const directors = <S extends z.ZodMiniType>(person: S) =>
  z.array(person, 'directors must be a list').check(z.minLength(1, 'directors must hold at least one director'));
// "Pass in all beneficial owners": the list is required, but a company may have none above the threshold.
const owners = <S extends z.ZodMiniType>(person: S) => z.array(person, 'beneficialOwners must be a list');

function checkBusiness(value: Record<string, unknown>, ctx: z.core.$RefinementCtx<unknown>): void {
  otherIff(ctx, value, 'purposeOfAccount', 'otherPurposeOfAccount', value.purposeOfAccount === 'OTHERS');
  otherIff(ctx, value, 'natureOfBusiness', 'otherNatureOfBusiness', value.natureOfBusiness === 'OTHERS');
  const funds = Array.isArray(value.sourceOfFunds) ? value.sourceOfFunds : [];
  otherIff(ctx, value, 'sourceOfFunds', 'otherSourceOfFunds', funds.includes('OTHERS'));
  const listed = Array.isArray(value.intermediariesDocuments) && value.intermediariesDocuments.length > 0;
  if (value.intermediaries === true && !listed) {
    issue(
      ctx,
      ['intermediariesDocuments'],
      'intermediariesDocuments is required when intermediaries is true (one entry per intermediary)',
    );
  }
  if (value.intermediaries !== true && value.intermediariesDocuments !== undefined) {
    issue(ctx, ['intermediariesDocuments'], 'intermediariesDocuments is allowed only when intermediaries is true');
  }
}

/**
 * The business CP+ customer as the merchant sends it: no document links. Intermediaries are declared as
 * one empty entry each in intermediariesDocuments, and sourceOfWealth declares which sources exist; the
 * workflow fills every link from the documents uploaded to our bucket.
 */
export const businessPlusCustomerSchema = z
  .strictObject({
    ...businessPlusFields,
    address: businessPlusAddressSchema,
    operatingAddress: businessPlusAddressSchema,
    intermediariesDocuments: z.optional(z.array(z.strictObject({}), 'intermediariesDocuments must be a list')),
    sourceOfWealth: z.optional(sourceOfWealthSchema(BUSINESS_WEALTH_SOURCES, z.strictObject({}), z.strictObject({ details }))),
    directors: directors(directorRequestSchema),
    beneficialOwners: owners(beneficialOwnerRequestSchema),
    trader: traderRequestSchema,
  })
  .check(z.superRefine((value, ctx) => checkBusiness(value, ctx), EVEN_WITH_ISSUES));

export type BusinessPlusCustomer = z.output<typeof businessPlusCustomerSchema>;

export const BUSINESS_DOCUMENTS_REQUIRED = [
  'certificateOfIncorporation',
  'memorandum',
  'registerOfDirectors',
  'registerOfMembers',
  'proofOfAddress',
  'boardResolution',
] as const;
export const BUSINESS_DOCUMENTS_OPTIONAL = [
  'amlQuestionnaire',
  'sanctionQuestionnaire',
  'operatingLicense',
  'declaration',
] as const;
export const INTERMEDIARY_DOCUMENTS = [
  'certificateOfIncorporation',
  'memorandum',
  'registerOfMembers',
  'certificateOfIncumbency',
] as const;
export type BusinessDocumentKind = (typeof BUSINESS_DOCUMENTS_REQUIRED)[number] | (typeof BUSINESS_DOCUMENTS_OPTIONAL)[number];

/** The company documents object of the provider's body. */
export const businessDocumentsSchema = z.strictObject({
  certificateOfIncorporation: documentUrl('certificateOfIncorporation'),
  memorandum: documentUrl('memorandum'),
  registerOfDirectors: documentUrl('registerOfDirectors'),
  registerOfMembers: documentUrl('registerOfMembers'),
  proofOfAddress: documentUrl('proofOfAddress'),
  boardResolution: documentUrl('boardResolution'),
  // Needed when the entity runs licensable activities or operates in sanctioned countries.
  amlQuestionnaire: z.optional(documentUrl('amlQuestionnaire')),
  sanctionQuestionnaire: z.optional(documentUrl('sanctionQuestionnaire')),
  operatingLicense: z.optional(documentUrl('operatingLicense')),
  declaration: z.optional(documentUrl('declaration')),
});

const intermediaryDocumentsSchema = z.strictObject({
  certificateOfIncorporation: documentUrl('certificateOfIncorporation'),
  memorandum: documentUrl('memorandum'),
  registerOfMembers: documentUrl('registerOfMembers'),
  certificateOfIncumbency: documentUrl('certificateOfIncumbency'),
});

/** The business CP+ body as the provider takes it, document links included (used by the sandbox). */
export const businessPlusProviderSchema = z
  .strictObject({
    ...businessPlusFields,
    address: businessPlusProviderAddressSchema,
    operatingAddress: businessPlusProviderAddressSchema,
    intermediariesDocuments: z.optional(z.array(intermediaryDocumentsSchema, 'intermediariesDocuments must be a list')),
    sourceOfWealth: z.optional(
      sourceOfWealthSchema(
        BUSINESS_WEALTH_SOURCES,
        z.strictObject({ document: documentUrl('document') }),
        z.strictObject({ details, document: documentUrl('document') }),
      ),
    ),
    directors: directors(directorProviderSchema),
    beneficialOwners: owners(beneficialOwnerProviderSchema),
    trader: traderProviderSchema,
    documents: businessDocumentsSchema,
  })
  .check(
    z.superRefine((value, ctx) => {
      checkBusiness(value, ctx);
      if (needsOperatingLicense(value.licensingStatus) && isBlank(value.documents?.operatingLicense)) {
        issue(
          ctx,
          ['documents', 'operatingLicense'],
          `operatingLicense is required when licensingStatus is ${value.licensingStatus}`,
        );
      }
    }, EVEN_WITH_ISSUES),
  );

export type BusinessPlusProviderBody = z.output<typeof businessPlusProviderSchema>;

/** Any licensingStatus but NOT_SUBJECTED_TO_LICENSING_REQUIREMENTS makes documents.operatingLicense mandatory. */
export const needsOperatingLicense = (status: unknown) =>
  typeof status === 'string' && status !== 'NOT_SUBJECTED_TO_LICENSING_REQUIREMENTS';

export type BusinessDocumentSlotName =
  | `documents.${BusinessDocumentKind}`
  | `sourceOfWealth.${BusinessWealthSource}.document`
  | `intermediariesDocuments[${number}].${(typeof INTERMEDIARY_DOCUMENTS)[number]}`
  | PeopleDocumentSlotName;

/** The fields businessRequiredDocuments reads; both the request and the provider body have them. */
export interface BusinessDocumentsInput {
  registrationType: 'business';
  licensingStatus?: unknown;
  intermediariesDocuments?: readonly unknown[];
  sourceOfWealth?: Partial<Record<BusinessWealthSource, unknown>>;
  directors?: readonly { registrationIdType?: unknown }[];
  beneficialOwners?: readonly { registrationIdType?: unknown }[];
  trader?: { registrationIdType?: unknown };
}

/** The documents a business CP+ needs: company documents, intermediaries', wealth proofs and the people's. */
export function businessRequiredDocuments(customer: BusinessDocumentsInput): DocumentSlot<BusinessDocumentSlotName>[] {
  const slots: DocumentSlot<BusinessDocumentSlotName>[] = BUSINESS_DOCUMENTS_REQUIRED.map((kind) => ({
    slot: `documents.${kind}` as const,
    required: true,
  }));
  for (const kind of BUSINESS_DOCUMENTS_OPTIONAL) {
    const required = kind === 'operatingLicense' && needsOperatingLicense(customer.licensingStatus);
    slots.push({ slot: `documents.${kind}`, required });
  }
  (customer.intermediariesDocuments ?? []).forEach((_, i) => {
    for (const kind of INTERMEDIARY_DOCUMENTS) slots.push({ slot: `intermediariesDocuments[${i}].${kind}`, required: true });
  });
  for (const kind of BUSINESS_WEALTH_SOURCES) {
    if (customer.sourceOfWealth?.[kind] !== undefined) slots.push({ slot: `sourceOfWealth.${kind}.document`, required: true });
  }
  return [...slots, ...peopleRequiredDocuments(customer)];
}
