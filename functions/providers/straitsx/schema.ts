import * as z from 'zod/mini';

/**
 * StraitsX Customer Profile field rules, as documented for the basic customer profile (CP) used for SGD.
 *
 * Sources: the "Get Started with Customer Profile API" page (required fields per rail) and the Customer
 * Profile API reference (regexes and enums). Where they disagree the get-started page wins, and the spot
 * is marked: the reference lists address, dateOfBirth, nationality and registrationIdCountry as required
 * for a personal CP, while the get-started page requires only customerName, registrationType and
 * registrationId for SGD and the rest for USD. Optional fields are still checked against their rule.
 */

/** A zod message that names the field and its rule (the regex), never the submitted value. */
export const rule = (re: RegExp, text: string) => ({ message: `${text} (rule ${re})` });

export const CUSTOMER_NAME = /^(?=.{1,50}$)[a-zA-Z0-9 ]+$/;
export const NATIVE_NAME = /^\s*.{1,191}\s*$/;
export const PERSONAL_REGISTRATION_ID = /^[a-zA-Z0-9/\-?:().,'+ ]{4,35}$/;
/** Business CP+ rule (UEN without `/`). */
export const BUSINESS_REGISTRATION_ID = /^[a-zA-Z0-9\- ]{4,35}$/;
/** Basic business CP rule: the spec's pattern admits `/` (registration numbers such as 2019/12345K). */
export const BASIC_BUSINESS_REGISTRATION_ID = PERSONAL_REGISTRATION_ID;
/** Place of business: 1 to 255 characters, no `#`. */
export const PLACE_OF_BIZ = /^(?=.{1,255}$)[a-zA-Z0-9\-?:().,' +]+$/;
export const COUNTRY_ALPHA2 = /^[A-Z]{2}$/;
export const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
export const PHONE_NO = /^\+?[1-9]\d{0,3}[\s-]?\(?\d{1,4}\)?[\s-]?\d{1,4}[\s-]?\d{1,4}[\s-]?\d{0,4}$/;
export const EMAIL = /^[\w!#$%&'*+/=?`{|}~^-]+(?:\.[\w!#$%&'*+/=?`{|}~^-]+)*@(?:[a-z0-9-]+\.)+[a-z]{2,24}$/i;
/** Street and city of the basic profile's address: no `#` (the reference's own example breaks this). */
export const ADDRESS_TEXT = /^[a-zA-Z0-9\-?:().,' +]+$/;
export const POSTAL_CODE = /^[A-Za-z0-9\- ]{2,20}$/;

/** A calendar date in YYYY-MM-DD that exists (2023-02-30 does not). */
export const isoDate = (what: string) =>
  z.string().check(
    z.regex(ISO_DATE, rule(ISO_DATE, `${what} must be a date in YYYY-MM-DD format`)),
    z.refine((value) => {
      const date = new Date(`${value}T00:00:00Z`);
      return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
    }, `${what} must be a real calendar date`),
  );

/** A real calendar date that is not in the future (dates of birth and incorporation). */
export const pastDate = (what: string) =>
  isoDate(what).check(
    z.refine((value) => {
      // A date that does not exist already has its own error; it is not also "in the future".
      const time = new Date(`${value}T00:00:00Z`).getTime();
      return Number.isNaN(time) || time <= Date.now();
    }, `${what} must not be in the future`),
  );

export const addressSchema = z.strictObject({
  street: z
    .string()
    .check(
      z.minLength(1, 'street is required (1 to 180 characters)'),
      z.maxLength(180, { message: 'street must be at most 180 characters', abort: true }),
      z.regex(ADDRESS_TEXT, rule(ADDRESS_TEXT, "street may hold letters, digits, spaces and - ? : ( ) . , ' + only (no #)")),
    ),
  city: z
    .string()
    .check(
      z.minLength(1, 'city is required (1 to 20 characters)'),
      z.maxLength(20, { message: 'city must be at most 20 characters', abort: true }),
      z.regex(ADDRESS_TEXT, rule(ADDRESS_TEXT, "city may hold letters, digits, spaces and - ? : ( ) . , ' + only")),
    ),
  postalCode: z.optional(
    z.string().check(z.regex(POSTAL_CODE, rule(POSTAL_CODE, 'postalCode must be 2 to 20 letters, digits, spaces or dashes'))),
  ),
  state: z.optional(
    z.string().check(z.minLength(1, 'state must not be empty'), z.maxLength(15, 'state must be at most 15 characters')),
  ),
  country: z
    .string()
    .check(z.regex(COUNTRY_ALPHA2, rule(COUNTRY_ALPHA2, 'country must be an ISO 3166-1 alpha-2 code in capitals'))),
});

const customerName = z
  .string()
  .check(z.regex(CUSTOMER_NAME, rule(CUSTOMER_NAME, 'customerName must be 1 to 50 letters, digits or spaces')));
/** An ISO 3166-1 alpha-2 code in capitals. */
export const countryCode = (what: string) =>
  z.string().check(z.regex(COUNTRY_ALPHA2, rule(COUNTRY_ALPHA2, `${what} must be an ISO 3166-1 alpha-2 code in capitals`)));

/** Personal basic customer profile (CP). */
export const personalProfileSchema = z.strictObject({
  registrationType: z.literal('personal'),
  customerName,
  customerNativeName: z.optional(
    z
      .string()
      .check(
        z.maxLength(191, { message: 'customerNativeName must be at most 191 characters', abort: true }),
        z.regex(NATIVE_NAME, rule(NATIVE_NAME, 'customerNativeName must be 1 to 191 characters')),
      ),
  ),
  registrationId: z
    .string()
    .check(
      z.regex(
        PERSONAL_REGISTRATION_ID,
        rule(PERSONAL_REGISTRATION_ID, "registrationId must be 4 to 35 letters, digits, spaces or / - ? : ( ) . , ' +"),
      ),
    ),
  registrationIdType: z.optional(z.enum(['passport', 'identity_card'], 'registrationIdType must be passport or identity_card')),
  registrationIdCountry: z.optional(countryCode('registrationIdCountry')),
  dateOfBirth: z.optional(pastDate('dateOfBirth')),
  nationality: z.optional(
    z
      .string()
      .check(
        z.maxLength(191, { message: 'nationality must be at most 191 characters', abort: true }),
        z.regex(NATIVE_NAME, rule(NATIVE_NAME, 'nationality must be 1 to 191 characters')),
      ),
  ),
  countryOfResidence: z.optional(countryCode('countryOfResidence')),
  gender: z.optional(z.enum(['MALE', 'FEMALE'], 'gender must be MALE or FEMALE')),
  email: z.optional(z.string().check(z.regex(EMAIL, rule(EMAIL, 'email must be a valid e-mail address')))),
  phoneNo: z.optional(
    z.string().check(z.regex(PHONE_NO, rule(PHONE_NO, 'phoneNo must be in international format with country code'))),
  ),
  address: z.optional(addressSchema),
});

/** Business basic customer profile (CP). */
export const businessProfileSchema = z.strictObject({
  registrationType: z.literal('business'),
  customerName,
  /** New in 1.5.0; the spec states no pattern or length. */
  tradingName: z.optional(z.string().check(z.minLength(1, 'tradingName must not be empty'))),
  registrationId: z
    .string()
    .check(
      z.regex(
        BASIC_BUSINESS_REGISTRATION_ID,
        rule(
          BASIC_BUSINESS_REGISTRATION_ID,
          "registrationId (UEN) must be 4 to 35 letters, digits, spaces or / - ? : ( ) . , ' +",
        ),
      ),
    ),
  registrationIdType: z.optional(z.literal('business_reg_no', 'registrationIdType must be business_reg_no')),
  registrationIdCountry: z.optional(countryCode('registrationIdCountry')),
  address: z.optional(addressSchema),
  placeOfBiz: z.optional(
    z
      .string()
      .check(
        z.regex(
          PLACE_OF_BIZ,
          rule(PLACE_OF_BIZ, "placeOfBiz must be 1 to 255 letters, digits, spaces or - ? : ( ) . , ' + (no #)"),
        ),
      ),
  ),
  placeOfBizCountry: z.optional(countryCode('placeOfBizCountry')),
  countryOfIncorporation: z.optional(countryCode('countryOfIncorporation')),
  dateOfIncorporation: z.optional(pastDate('dateOfIncorporation')),
});

export const straitsxCustomerSchema = z.discriminatedUnion('registrationType', [personalProfileSchema, businessProfileSchema], {
  error: (issue) => (issue.code === 'invalid_union' ? 'registrationType must be personal or business' : undefined),
});

export type StraitsxCustomer = z.infer<typeof straitsxCustomerSchema>;

/** What the merchant may ask of the virtual bank account. SGD accounts are enabled at once. */
export const straitsxVirtualAccountSchema = z.strictObject({
  currency: z._default(z.literal('SGD', 'currency must be SGD'), 'SGD'),
  network: z._default(z.enum(['fast', 'meps'], 'network must be fast or meps'), 'fast'),
});
