import * as z from 'zod/mini';
import { parseOrThrow } from '../../shared/validation';
import { businessProfileSchema, personalProfileSchema } from './schema';

/**
 * The USD rail of a basic customer profile. The get-started page lists, per profile type, the fields a
 * profile needs for SGD and the extra ones for USD, and says an existing profile gets them through PATCH.
 * The page writes `placeofBiz`; every other source, the PATCH reference included, spells the field
 * `placeOfBiz`, so the page's spelling is taken as a typo and not used.
 */

/** Fields a personal profile needs on top of the SGD minimum before it can use USD. */
export const PERSONAL_USD_FIELDS = [
  'registrationIdType',
  'registrationIdCountry',
  'address',
  'countryOfResidence',
  'dateOfBirth',
  'nationality',
] as const;

/** Fields a business profile needs on top of the SGD minimum before it can use USD. */
export const BUSINESS_USD_FIELDS = [
  'registrationIdType',
  'registrationIdCountry',
  'address',
  'placeOfBiz',
  'placeOfBizCountry',
  'countryOfIncorporation',
  'dateOfIncorporation',
] as const;

export type UsdField = (typeof PERSONAL_USD_FIELDS)[number] | (typeof BUSINESS_USD_FIELDS)[number];

const present = (value: unknown) => value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '');

/** The USD-rail fields a profile (request customer or stored attributes) still lacks, in the page's order. */
export function usdRailMissingFields(profile: { registrationType: string } & Record<string, unknown>): UsdField[] {
  const fields = profile.registrationType === 'business' ? BUSINESS_USD_FIELDS : PERSONAL_USD_FIELDS;
  return fields.filter((field) => !present(profile[field]));
}

const nonEmpty = (value: object) => Object.keys(value).length > 0;
const NON_EMPTY = 'the update must carry at least one field';

/** A PATCH adding USD fields to a personal profile; each field keeps the basic profile's rule. */
export const personalUsdPatchSchema = z
  .pick(personalProfileSchema, {
    registrationIdType: true,
    registrationIdCountry: true,
    address: true,
    countryOfResidence: true,
    dateOfBirth: true,
    nationality: true,
  })
  .check(z.refine(nonEmpty, NON_EMPTY));

/** A PATCH adding USD fields to a business profile; each field keeps the basic profile's rule. */
export const businessUsdPatchSchema = z
  .pick(businessProfileSchema, {
    registrationIdType: true,
    registrationIdCountry: true,
    address: true,
    placeOfBiz: true,
    placeOfBizCountry: true,
    countryOfIncorporation: true,
    dateOfIncorporation: true,
  })
  .check(z.refine(nonEmpty, NON_EMPTY));

/** The USD PATCH schema by registration type: `usdPatchSchema[profile.registrationType]`. */
export const usdPatchSchema = { personal: personalUsdPatchSchema, business: businessUsdPatchSchema } as const;

export type PersonalUsdPatch = z.output<typeof personalUsdPatchSchema>;
export type BusinessUsdPatch = z.output<typeof businessUsdPatchSchema>;

/**
 * The PATCH body that gives a profile its USD fields: those of `customer` (the merchant's fuller data)
 * that `current` (the profile as the provider holds it) lacks. Undefined when there is nothing to add;
 * ValidationFailed when a value breaks its rule.
 */
export function usdPatchBody(
  current: { registrationType: 'personal' | 'business' } & Record<string, unknown>,
  customer: Record<string, unknown>,
): PersonalUsdPatch | BusinessUsdPatch | undefined {
  const patch: Record<string, unknown> = {};
  for (const field of usdRailMissingFields(current)) if (present(customer[field])) patch[field] = customer[field];
  if (!nonEmpty(patch)) return undefined;
  return parseOrThrow(usdPatchSchema[current.registrationType], patch);
}
