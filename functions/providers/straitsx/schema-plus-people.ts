import * as z from 'zod/mini';
import { countryCode, pastDate, rule } from './schema';
import {
  businessPlusAddressSchema,
  businessPlusProviderAddressSchema,
  type DocumentSlot,
  documentUrl,
  type IdDocumentKind,
  idDocumentsFor,
  livenessResult,
  name191,
  PERSON_REGISTRATION_ID,
  requireIdDocuments,
} from './schema-plus-common';
import { oneOf } from './schema-plus-enums';

/**
 * The people of a business CP+: directors, beneficial owners and the main trader, as the OpenAPI
 * document describes them. Kept as documented except that nationality is taken as an alpha-2 code only
 * (the document says "2 digit ISO country code" for people, unlike the personal profile's free text) and
 * a person's address follows the business address rules.
 */

const personFields = {
  firstName: name191('firstName'),
  middleName: z.optional(name191('middleName')),
  lastName: name191('lastName'),
  nativeName: z.optional(name191('nativeName')),
  dateOfBirth: pastDate('dateOfBirth'),
  registrationId: z
    .string()
    .check(z.regex(PERSON_REGISTRATION_ID, rule(PERSON_REGISTRATION_ID, 'registrationId must be 4 to 20 letters or digits'))),
  registrationIdType: oneOf('registrationIdType', ['passport', 'identity_card']),
  registrationIdCountry: countryCode('registrationIdCountry'),
  nationality: countryCode('nationality'),
  countryOfResidence: countryCode('countryOfResidence'),
};

/** A director in the merchant's request (identity documents come from our bucket). */
export const directorRequestSchema = z.strictObject(personFields);
/** A beneficial owner in the merchant's request. */
export const beneficialOwnerRequestSchema = z.strictObject({ ...personFields, address: z.optional(businessPlusAddressSchema) });
/** The main trader in the merchant's request, with the liveness verdict. */
export const traderRequestSchema = z.strictObject({
  ...personFields,
  address: z.optional(businessPlusAddressSchema),
  livenessResult: livenessResult(),
});

const personIdDocuments = z.strictObject({
  passport: z.optional(documentUrl('passport')),
  idFront: z.optional(documentUrl('idFront')),
  idBack: z.optional(documentUrl('idBack')),
});

const idCheck = (value: { registrationIdType?: unknown; identityDocuments?: unknown }, ctx: z.core.$RefinementCtx<unknown>) =>
  requireIdDocuments(ctx, value.registrationIdType, value.identityDocuments, ['identityDocuments']);

/** A director as the provider takes it: the ID document for the registrationIdType is required. */
export const directorProviderSchema = z
  .strictObject({ ...personFields, identityDocuments: z.optional(personIdDocuments) })
  .check(z.superRefine(idCheck));

/** A beneficial owner as the provider takes it: ID document and proof of address required. */
export const beneficialOwnerProviderSchema = z
  .strictObject({
    ...personFields,
    address: z.optional(businessPlusProviderAddressSchema),
    identityDocuments: z.optional(personIdDocuments),
    proofOfAddress: documentUrl('proofOfAddress'),
  })
  .check(z.superRefine(idCheck));

/** The main trader as the provider takes it: ID, proof of address, selfie and liveness all required. */
export const traderProviderSchema = z
  .strictObject({
    ...personFields,
    address: z.optional(businessPlusProviderAddressSchema),
    identityDocuments: z.optional(personIdDocuments),
    proofOfAddress: documentUrl('proofOfAddress'),
    selfie: documentUrl('selfie'),
    livenessSnapshot: documentUrl('livenessSnapshot'),
    livenessResult: livenessResult(),
  })
  .check(z.superRefine(idCheck));

export type PeopleDocumentSlotName =
  | `${'directors' | 'beneficialOwners'}[${number}].identityDocuments.${IdDocumentKind}`
  | `beneficialOwners[${number}].proofOfAddress`
  | `trader.identityDocuments.${IdDocumentKind}`
  | `trader.${'proofOfAddress' | 'selfie' | 'livenessSnapshot'}`;

interface Person {
  registrationIdType?: unknown;
}

/** The fields peopleRequiredDocuments reads. */
export interface PeopleInput {
  directors?: readonly Person[];
  beneficialOwners?: readonly Person[];
  trader?: Person;
}

/** Every document the people of a business need; all of them are required. */
export function peopleRequiredDocuments(input: PeopleInput): DocumentSlot<PeopleDocumentSlotName>[] {
  const slots: DocumentSlot<PeopleDocumentSlotName>[] = [];
  (input.directors ?? []).forEach((person, i) => {
    for (const kind of idDocumentsFor(person.registrationIdType)) {
      slots.push({ slot: `directors[${i}].identityDocuments.${kind}`, required: true });
    }
  });
  (input.beneficialOwners ?? []).forEach((person, i) => {
    for (const kind of idDocumentsFor(person.registrationIdType)) {
      slots.push({ slot: `beneficialOwners[${i}].identityDocuments.${kind}`, required: true });
    }
    slots.push({ slot: `beneficialOwners[${i}].proofOfAddress`, required: true });
  });
  if (input.trader) {
    for (const kind of idDocumentsFor(input.trader.registrationIdType)) {
      slots.push({ slot: `trader.identityDocuments.${kind}`, required: true });
    }
    for (const field of ['proofOfAddress', 'selfie', 'livenessSnapshot'] as const)
      slots.push({ slot: `trader.${field}`, required: true });
  }
  return slots;
}
