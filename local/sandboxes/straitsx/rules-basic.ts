import * as z from 'zod';

/**
 * The basic customer profile (CP) as StraitsX's OpenAPI 1.5.0 states it: patterns and enums from the
 * field descriptions. Required fields follow the SGD table of the get-started page, which asks less than
 * the spec's schema (personal: customerName, registrationType, registrationId); the spec's other fields
 * are checked when sent. Messages name the field and its rule, never the value.
 */

export const ID_TEXT = /^[a-zA-Z0-9/\-?:().,'+ ]{4,35}$/;
export const ADDRESS_TEXT = /^[a-zA-Z0-9\-?:().,' +]+$/;
export const PLACE_OF_BIZ = /^(?=.{1,255}$)[a-zA-Z0-9\-?:().,' +]+$/;
const ALPHA2 = /^[A-Z]{2}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const typed = (what: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? `${what} is required` : `${what} must be a string`),
});
export const matches = (re: RegExp, what: string) => z.string(typed(what)).regex(re, `${what} must be a string matching ${re}`);
export const alpha2 = (what: string) => matches(ALPHA2, what);
export const date = (what: string) =>
  matches(DATE, what)
    .refine((value) => {
      const time = new Date(`${value}T00:00:00Z`).getTime();
      return !Number.isNaN(time) && new Date(time).toISOString().startsWith(value);
    }, `${what} must be a real calendar date`)
    .refine((value) => !(new Date(`${value}T00:00:00Z`).getTime() > Date.now()), `${what} must not be in the future`);

export const address = z.strictObject({
  street: matches(ADDRESS_TEXT, 'street').max(180, 'street must be at most 180 characters'),
  city: matches(ADDRESS_TEXT, 'city').max(20, 'city must be at most 20 characters'),
  postalCode: matches(/^[A-Za-z0-9\- ]{2,20}$/, 'postalCode').optional(),
  state: z.string().min(1).max(15, 'state must be at most 15 characters').optional(),
  country: alpha2('country'),
});

export const customerName = matches(/^(?=.{1,50}$)[a-zA-Z0-9 ]+$/, 'customerName');

const personal = z.strictObject({
  registrationType: z.literal('personal'),
  customerName,
  customerNativeName: z.string().min(1).max(191, 'customerNativeName must be at most 191 characters').optional(),
  registrationId: matches(ID_TEXT, 'registrationId'),
  registrationIdType: z.enum(['passport', 'identity_card'], 'registrationIdType must be passport or identity_card').optional(),
  registrationIdCountry: alpha2('registrationIdCountry').optional(),
  dateOfBirth: date('dateOfBirth').optional(),
  nationality: z.string().min(1).max(191, 'nationality must be at most 191 characters').optional(),
  countryOfResidence: alpha2('countryOfResidence').optional(),
  gender: z.enum(['MALE', 'FEMALE'], 'gender must be MALE or FEMALE').optional(),
  email: matches(/^[^\s@]+@[^\s@]+\.[a-z]{2,24}$/i, 'email').optional(),
  phoneNo: matches(/^\+?[1-9][\d\s()-]{3,20}$/, 'phoneNo').optional(),
  address: address.optional(),
});

const business = z.strictObject({
  registrationType: z.literal('business'),
  customerName,
  // 1.5.0 states no pattern or length for the trading name.
  tradingName: z.string('tradingName must be a string').min(1, 'tradingName must not be empty').optional(),
  // The spec's pattern for a UEN admits `/` (registration numbers such as 2019/12345K).
  registrationId: matches(ID_TEXT, 'registrationId'),
  registrationIdType: z.literal('business_reg_no', 'registrationIdType must be business_reg_no').optional(),
  registrationIdCountry: alpha2('registrationIdCountry').optional(),
  address: address.optional(),
  placeOfBiz: matches(PLACE_OF_BIZ, 'placeOfBiz').optional(),
  placeOfBizCountry: alpha2('placeOfBizCountry').optional(),
  countryOfIncorporation: alpha2('countryOfIncorporation').optional(),
  dateOfIncorporation: date('dateOfIncorporation').optional(),
});

/** The basic CP body, personal or business. */
export const basicProfileBody = z.discriminatedUnion('registrationType', [personal, business], {
  error: (issue) => (issue.code === 'invalid_union' ? 'registrationType must be personal or business' : undefined),
});
