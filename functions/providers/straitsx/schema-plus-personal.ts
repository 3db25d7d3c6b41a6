import { isIP } from 'node:net';
import * as z from 'zod/mini';
import {
  CUSTOMER_NAME,
  countryCode,
  EMAIL,
  isoDate,
  NATIVE_NAME,
  PERSONAL_REGISTRATION_ID,
  PHONE_NO,
  pastDate,
  rule,
} from './schema';
import {
  type DocumentSlot,
  documentUrl,
  EVEN_WITH_ISSUES,
  freeText,
  type IdDocumentKind,
  idDocumentsFor,
  livenessResult,
  name191,
  otherIff,
  personalPlusAddressSchema,
  requireIdDocuments,
  sourceOfWealthSchema,
  TEXT_255,
  unlistedCode,
} from './schema-plus-common';
import {
  ANNUAL_INCOMES,
  EXPECTED_ANNUAL_TRANSACTION_AMOUNTS,
  EXPECTED_TRANSACTION_FREQUENCIES,
  EXPECTED_TRANSACTION_SIZES,
  oneOf,
  PERSONAL_PURPOSES_OF_ACCOUNT,
  PERSONAL_WEALTH_SOURCES,
  type PersonalWealthSource,
  TOTAL_WEALTH,
} from './schema-plus-enums';

/**
 * Personal full-KYC customer profile (CP+), from the "Create a personal customer profile+" reference page;
 * the address and document rules, which the page only names, come from the provider's OpenAPI document.
 * Against the basic profile: gender, email and countryOfResidence become required, customerName becomes
 * optional (first and last names are required instead), and the address takes any street text and a
 * wider city rule. Where sources differ, the page wins:
 * - countryOfResidence follows the page's regex (alpha-2), although its text, and the PATCH reference's
 *   rule, also allow a country name;
 * - customerFirstName/customerLastName take the page's 1 to 191 characters, not the PATCH reference's
 *   50 SWIFT characters;
 * - gender is MALE or FEMALE as the page says, though a reference example answers `male`.
 */

const ipAddress = z
  .string()
  .check(z.refine((value) => isIP(value) !== 0, 'ipAddresses entries must be IPv4 or IPv6 addresses (recorded, not verified)'));

// The fields that carry no document: the same in the merchant's request and in the provider's body.
const personalPlusFields = {
  registrationType: z.literal('personal', 'registrationType must be personal'),
  customerName: z.optional(
    z.string().check(z.regex(CUSTOMER_NAME, rule(CUSTOMER_NAME, 'customerName must be 1 to 50 letters, digits or spaces'))),
  ),
  customerFirstName: name191('customerFirstName'),
  customerLastName: name191('customerLastName'),
  customerNativeName: z.optional(name191('customerNativeName')),
  phoneNo: z.optional(
    z.string().check(z.regex(PHONE_NO, rule(PHONE_NO, 'phoneNo must be in international format with country code'))),
  ),
  address: personalPlusAddressSchema,
  countryOfResidence: countryCode('countryOfResidence'),
  dateOfBirth: pastDate('dateOfBirth'),
  email: z.string().check(z.regex(EMAIL, rule(EMAIL, 'email must be a valid e-mail address'))),
  gender: oneOf('gender', ['MALE', 'FEMALE']),
  nationality: z
    .string()
    .check(
      z.maxLength(191, { message: 'nationality must be at most 191 characters', abort: true }),
      z.regex(NATIVE_NAME, rule(NATIVE_NAME, 'nationality must be 1 to 191 characters')),
    ),
  registrationId: z
    .string()
    .check(
      z.regex(
        PERSONAL_REGISTRATION_ID,
        rule(PERSONAL_REGISTRATION_ID, "registrationId must be 4 to 35 letters, digits, spaces or / - ? : ( ) . , ' +"),
      ),
    ),
  registrationIdCountry: countryCode('registrationIdCountry'),
  registrationIdType: oneOf('registrationIdType', ['passport', 'identity_card']),
  registrationIdExpiryDate: z.optional(isoDate('registrationIdExpiryDate')),
  businessIndustry: unlistedCode('businessIndustry'),
  occupation: unlistedCode('occupation'),
  expectedAnnualTransactionAmount: oneOf('expectedAnnualTransactionAmount', EXPECTED_ANNUAL_TRANSACTION_AMOUNTS),
  expectedTransactionSize: oneOf('expectedTransactionSize', EXPECTED_TRANSACTION_SIZES),
  expectedTransactionFrequency: oneOf('expectedTransactionFrequency', EXPECTED_TRANSACTION_FREQUENCIES),
  annualIncome: oneOf('annualIncome', ANNUAL_INCOMES),
  totalWealth: oneOf('totalWealth', TOTAL_WEALTH),
  ipAddresses: z
    .array(ipAddress, 'ipAddresses must be a list of IP addresses')
    .check(z.minLength(1, 'ipAddresses must hold at least one IP address')),
  purposeOfAccount: oneOf('purposeOfAccount', PERSONAL_PURPOSES_OF_ACCOUNT),
  // The length is not documented; 255 matches the other free-text explanation (sourceOfWealth.others.details).
  otherPurposeOfAccount: z.optional(freeText('otherPurposeOfAccount', TEXT_255, 255)),
};

const details = freeText('details', TEXT_255, 255);

/** sourceOfWealth in the merchant's request: which sources exist; their documents come from our bucket. */
export const personalWealthDeclarationSchema = sourceOfWealthSchema(
  PERSONAL_WEALTH_SOURCES,
  z.strictObject({}),
  z.strictObject({ details }),
);

/** sourceOfWealth in the provider's body: one document per declared source, details for `others`. */
export const personalWealthProviderSchema = sourceOfWealthSchema(
  PERSONAL_WEALTH_SOURCES,
  z.strictObject({ document: documentUrl('document') }),
  z.strictObject({ details, document: documentUrl('document') }),
);

type PersonalShape = { purposeOfAccount?: unknown; otherPurposeOfAccount?: unknown };

function checkPurpose(value: PersonalShape, ctx: z.core.$RefinementCtx<unknown>) {
  otherIff(ctx, value, 'purposeOfAccount', 'otherPurposeOfAccount', value.purposeOfAccount === 'OTHERS');
}

/**
 * The personal CP+ customer as the merchant sends it: every provider field except document links, which
 * the workflow fills from the documents uploaded to our bucket. identityDocuments carries only the
 * liveness verdict.
 */
export const personalPlusCustomerSchema = z
  .strictObject({
    ...personalPlusFields,
    identityDocuments: z.strictObject({ livenessResult: livenessResult() }),
    sourceOfWealth: z.optional(personalWealthDeclarationSchema),
  })
  .check(z.superRefine(checkPurpose, EVEN_WITH_ISSUES));

export type PersonalPlusCustomer = z.output<typeof personalPlusCustomerSchema>;

/** identityDocuments in the provider's body: links to the files plus the liveness verdict. */
export const personalIdentityDocumentsSchema = z.strictObject({
  proofOfAddress: documentUrl('proofOfAddress'),
  livenessSnapshot: documentUrl('livenessSnapshot'),
  livenessResult: livenessResult(),
  selfie: z.optional(documentUrl('selfie')),
  // Required by registrationIdType (see below); the reference does not forbid the other kind.
  passport: z.optional(documentUrl('passport')),
  idFront: z.optional(documentUrl('idFront')),
  idBack: z.optional(documentUrl('idBack')),
});

/** The personal CP+ body as the provider takes it, document links included (used by the sandbox). */
export const personalPlusProviderSchema = z
  .strictObject({
    ...personalPlusFields,
    identityDocuments: personalIdentityDocumentsSchema,
    sourceOfWealth: z.optional(personalWealthProviderSchema),
  })
  .check(
    z.superRefine((value, ctx) => {
      checkPurpose(value, ctx);
      requireIdDocuments(ctx, value.registrationIdType, value.identityDocuments, ['identityDocuments']);
    }, EVEN_WITH_ISSUES),
  );

export type PersonalPlusProviderBody = z.output<typeof personalPlusProviderSchema>;

export type PersonalDocumentSlotName =
  | `identityDocuments.${IdDocumentKind | 'proofOfAddress' | 'livenessSnapshot' | 'selfie'}`
  | `sourceOfWealth.${PersonalWealthSource}.document`;

/** The fields requiredDocuments reads; both the request and the provider body have them. */
export interface PersonalDocumentsInput {
  registrationType: 'personal';
  registrationIdType?: unknown;
  sourceOfWealth?: Partial<Record<PersonalWealthSource, unknown>>;
}

/** The documents a personal CP+ needs: proof of address, liveness snapshot, the ID for its type, wealth proofs. */
export function personalRequiredDocuments(customer: PersonalDocumentsInput): DocumentSlot<PersonalDocumentSlotName>[] {
  const slots: DocumentSlot<PersonalDocumentSlotName>[] = [
    { slot: 'identityDocuments.proofOfAddress', required: true },
    { slot: 'identityDocuments.livenessSnapshot', required: true },
    ...idDocumentsFor(customer.registrationIdType).map((kind) => ({
      slot: `identityDocuments.${kind}` as const,
      required: true,
    })),
    { slot: 'identityDocuments.selfie', required: false },
  ];
  for (const kind of PERSONAL_WEALTH_SOURCES) {
    // A declared source is only worth declaring with its proof, so its document is required.
    if (customer.sourceOfWealth?.[kind] !== undefined) slots.push({ slot: `sourceOfWealth.${kind}.document`, required: true });
  }
  return slots;
}
