import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { addressSchema } from '../../../functions/providers/straitsx/schema';
import {
  ANNUAL_INCOMES,
  BUSINESS_PURPOSES_OF_ACCOUNT,
  businessPlusCustomerSchema,
  businessPlusProviderSchema,
  ENTITY_LEGAL_FORMS,
  EXPECTED_ANNUAL_TRANSACTION_AMOUNTS,
  EXPECTED_TRANSACTION_FREQUENCIES,
  EXPECTED_TRANSACTION_SIZES,
  isPlusProfileBody,
  LICENSING_STATUSES,
  MONTHLY_TRANSACTION_VOLUMES,
  NATURES_OF_BUSINESS,
  PERSONAL_PURPOSES_OF_ACCOUNT,
  personalPlusCustomerSchema,
  personalPlusProviderSchema,
  requiredDocuments,
  SOURCES_OF_FUNDS,
  TOTAL_WEALTH,
  toPlusProviderBody,
} from '../../../functions/providers/straitsx/schema-plus';
import { type FieldError, toFieldErrors, ValidationFailed } from '../../../functions/shared/validation';
import { businessPlus, businessUrls, personalPlus, personalUrls } from './plus-fixtures';

const failures = (schema: z.ZodMiniType, input: unknown): FieldError[] => {
  const result = schema.safeParse(input);
  return result.success ? [] : toFieldErrors(result.error);
};
const ok = (schema: z.ZodMiniType, input: unknown) => expect(failures(schema, input)).toEqual([]);
const failsAt = (schema: z.ZodMiniType, input: unknown, path: string) => {
  const found = failures(schema, input).find((e) => e.path === path);
  expect(found, `expected an error at ${path}`).toBeDefined();
  return found?.message ?? '';
};
const parsePersonal = (input: unknown) => personalPlusCustomerSchema.parse(input);
const parseBusiness = (input: unknown) => businessPlusCustomerSchema.parse(input);

// Each value of a closed list is accepted, anything else is refused with a message naming the field.
function checkEnum(
  schema: z.ZodMiniType,
  base: (over: Record<string, unknown>) => object,
  field: string,
  values: readonly string[],
  extra = {},
) {
  for (const value of values) {
    const companion = value === 'OTHERS' ? extra : {};
    ok(schema, base({ [field]: value, ...companion }));
  }
  expect(failsAt(schema, base({ [field]: 'NOT_A_VALUE' }), field)).toMatch(new RegExp(`^${field} must be one of `));
}

describe('personal CP+ request', () => {
  it('accepts the documented personal customer, and normalises livenessResult to a boolean', () => {
    expect(parsePersonal(personalPlus()).identityDocuments.livenessResult).toBe(true);
    for (const [sent, kept] of [
      [true, true],
      [false, false],
      [1, true],
      [0, false],
      ['TRUE', true],
      ['0', false],
    ] as const) {
      expect(parsePersonal(personalPlus({ identityDocuments: { livenessResult: sent } })).identityDocuments.livenessResult).toBe(
        kept,
      );
    }
    for (const bad of ['yes', 2, null]) {
      expect(
        failsAt(
          personalPlusCustomerSchema,
          personalPlus({ identityDocuments: { livenessResult: bad } }),
          'identityDocuments.livenessResult',
        ),
      ).toBe('livenessResult must be true, false, 1 or 0');
    }
  });

  it('takes exactly the documented values of each closed list', () => {
    const s = personalPlusCustomerSchema;
    checkEnum(s, personalPlus, 'expectedAnnualTransactionAmount', EXPECTED_ANNUAL_TRANSACTION_AMOUNTS);
    checkEnum(s, personalPlus, 'expectedTransactionSize', EXPECTED_TRANSACTION_SIZES);
    checkEnum(s, personalPlus, 'expectedTransactionFrequency', EXPECTED_TRANSACTION_FREQUENCIES);
    checkEnum(s, personalPlus, 'annualIncome', ANNUAL_INCOMES);
    checkEnum(s, personalPlus, 'totalWealth', TOTAL_WEALTH);
    checkEnum(s, personalPlus, 'purposeOfAccount', PERSONAL_PURPOSES_OF_ACCOUNT, { otherPurposeOfAccount: 'Paying tuition' });
    checkEnum(s, personalPlus, 'gender', ['MALE', 'FEMALE']);
    checkEnum(s, personalPlus, 'registrationIdType', ['passport', 'identity_card']);
    expect(EXPECTED_TRANSACTION_SIZES).toEqual(['0_TO_1000', '1001_TO_5000', '5001_TO_10000', '10001_TO_20000', 'GT_20000']);
    expect(failsAt(s, personalPlus({ purposeOfAccount: 'TREASURY MANAGEMENT' }), 'purposeOfAccount')).toMatch(
      /one of INVESTMENT, TRADING/,
    );
  });

  it('accepts any upper-case code for businessIndustry and occupation, whose lists are unpublished', () => {
    ok(
      personalPlusCustomerSchema,
      personalPlus({ businessIndustry: 'ADVERTISING_FIRM', occupation: 'SENIOR_ASSOCIATE_OR_SENIOR_EXECUTIVE' }),
    );
    expect(failsAt(personalPlusCustomerSchema, personalPlus({ occupation: 'software engineer' }), 'occupation')).toMatch(
      /\[A-Z0-9_\]/,
    );
  });

  it('requires otherPurposeOfAccount if and only if purposeOfAccount is OTHERS', () => {
    expect(failsAt(personalPlusCustomerSchema, personalPlus({ purposeOfAccount: 'OTHERS' }), 'otherPurposeOfAccount')).toBe(
      'otherPurposeOfAccount is required when purposeOfAccount is OTHERS',
    );
    ok(personalPlusCustomerSchema, personalPlus({ purposeOfAccount: 'OTHERS', otherPurposeOfAccount: 'Family support' }));
    expect(
      failsAt(personalPlusCustomerSchema, personalPlus({ otherPurposeOfAccount: 'Family support' }), 'otherPurposeOfAccount'),
    ).toBe('otherPurposeOfAccount is allowed only when purposeOfAccount is OTHERS');
  });

  it('requires gender, email and countryOfResidence, unlike the basic profile', () => {
    const { gender, email, countryOfResidence, ...rest } = personalPlus();
    const errors = failures(personalPlusCustomerSchema, rest);
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: 'gender', message: 'gender is required (one of MALE, FEMALE)' },
        { path: 'email', message: 'is required' },
        { path: 'countryOfResidence', message: 'is required' },
      ]),
    );
    expect([gender, email, countryOfResidence]).toHaveLength(3);
  });

  it('applies the CP+ address rules: any street, a wider city rule than the basic profile', () => {
    const address = { street: 'Rua #12, Bloco B', city: 'São Paulo de Olivença', country: 'BR' };
    ok(personalPlusCustomerSchema, personalPlus({ address }));
    expect(addressSchema.safeParse(address).success).toBe(false);
    expect(
      failsAt(personalPlusCustomerSchema, personalPlus({ address: { ...address, city: 'District 9' } }), 'address.city'),
    ).toMatch(/^city must be 1 to 100 letters/);
    expect(
      failsAt(personalPlusCustomerSchema, personalPlus({ address: { ...address, state: 'S'.repeat(16) } }), 'address.state'),
    ).toMatch(/1 to 15/);
  });

  it('takes ipAddresses as a non-empty list of IPv4 or IPv6 addresses', () => {
    ok(personalPlusCustomerSchema, personalPlus({ ipAddresses: ['203.0.113.9', '2001:db8::1'] }));
    expect(failsAt(personalPlusCustomerSchema, personalPlus({ ipAddresses: ['999.1.1.1'] }), 'ipAddresses[0]')).toMatch(
      /IPv4 or IPv6/,
    );
    expect(failsAt(personalPlusCustomerSchema, personalPlus({ ipAddresses: [] }), 'ipAddresses')).toMatch(/at least one/);
    expect(failsAt(personalPlusCustomerSchema, personalPlus({ ipAddresses: '8.8.8.8' }), 'ipAddresses')).toMatch(/list of IP/);
  });

  it('declares sources of wealth without documents; others needs its details', () => {
    ok(personalPlusCustomerSchema, personalPlus({ sourceOfWealth: { employmentIncome: {}, others: { details: 'Sold a car' } } }));
    expect(
      failsAt(personalPlusCustomerSchema, personalPlus({ sourceOfWealth: { others: {} } }), 'sourceOfWealth.others.details'),
    ).toBe('is required');
    expect(
      failsAt(
        personalPlusCustomerSchema,
        personalPlus({ sourceOfWealth: { others: { details: '   ' } } }),
        'sourceOfWealth.others.details',
      ),
    ).toBe('details must not be blank');
    const withLink = personalPlus({ sourceOfWealth: { cashSavings: { document: 'https://x.example/a.pdf' } } });
    expect(failsAt(personalPlusCustomerSchema, withLink, 'sourceOfWealth.cashSavings.document')).toBe(
      'is not a documented field',
    );
    expect(failsAt(personalPlusCustomerSchema, personalPlus({ sourceOfWealth: {} }), 'sourceOfWealth')).toMatch(
      /at least one source/,
    );
  });

  it('refuses document links in the request: they come from our bucket', () => {
    const input = personalPlus({ identityDocuments: { livenessResult: true, passport: 'https://x.example/p.png' } });
    expect(failsAt(personalPlusCustomerSchema, input, 'identityDocuments.passport')).toBe('is not a documented field');
  });

  it('names the field and the rule in every error and never echoes a submitted value', () => {
    const secrets = ['Zq#secret-mail', 'ZZ_SECRET_9', '1990-13-45', 'XX-secret-id-!', '10.0.0.999', 'Secret@City9'];
    const errors = failures(
      personalPlusCustomerSchema,
      personalPlus({
        email: secrets[0],
        annualIncome: secrets[1],
        dateOfBirth: secrets[2],
        registrationId: secrets[3],
        ipAddresses: [secrets[4]],
        address: { street: 'x', city: secrets[5], country: 'SG' },
      }),
    );
    expect(errors.map((e) => e.path).sort()).toEqual(
      ['address.city', 'annualIncome', 'dateOfBirth', 'email', 'ipAddresses[0]', 'registrationId'].sort(),
    );
    for (const e of errors) expect(e.message).toMatch(/must|rule/);
    const text = JSON.stringify(errors);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});

describe('business CP+ request', () => {
  it('accepts the documented business customer', () => {
    const parsed = parseBusiness(businessPlus());
    expect(parsed.trader.livenessResult).toBe(true);
    expect(isPlusProfileBody(parsed)).toBe(true);
    expect(isPlusProfileBody({ registrationType: 'business', customerName: 'A', registrationId: 'T123' })).toBe(false);
  });

  it('takes exactly the documented values of each closed list, the [sic] volume included', () => {
    const s = businessPlusCustomerSchema;
    checkEnum(s, businessPlus, 'entityLegalForm', ENTITY_LEGAL_FORMS);
    checkEnum(s, businessPlus, 'monthlyTransactionVolume', MONTHLY_TRANSACTION_VOLUMES);
    checkEnum(s, businessPlus, 'licensingStatus', LICENSING_STATUSES);
    checkEnum(s, businessPlus, 'natureOfBusiness', NATURES_OF_BUSINESS, { otherNatureOfBusiness: 'Consultancy' });
    checkEnum(s, businessPlus, 'purposeOfAccount', BUSINESS_PURPOSES_OF_ACCOUNT, { otherPurposeOfAccount: 'Payroll' });
    expect(MONTHLY_TRANSACTION_VOLUMES).toContain('100001_TO_10000000');
    expect(NATURES_OF_BUSINESS).toHaveLength(43);
    for (const value of SOURCES_OF_FUNDS) {
      ok(s, businessPlus({ sourceOfFunds: [value], ...(value === 'OTHERS' ? { otherSourceOfFunds: 'Grant' } : {}) }));
    }
    expect(failsAt(s, businessPlus({ sourceOfFunds: ['PERSONAL_SAVINGS'] }), 'sourceOfFunds[0]')).toMatch(
      /^sourceOfFunds must be one of/,
    );
    expect(failsAt(s, businessPlus({ sourceOfFunds: [] }), 'sourceOfFunds')).toMatch(/at least one/);
  });

  it('applies the OTHERS companions and the intermediaries declaration', () => {
    const s = businessPlusCustomerSchema;
    expect(failsAt(s, businessPlus({ natureOfBusiness: 'OTHERS' }), 'otherNatureOfBusiness')).toMatch(
      /required when natureOfBusiness is OTHERS/,
    );
    expect(failsAt(s, businessPlus({ sourceOfFunds: ['BUSINESS_REVENUE', 'OTHERS'] }), 'otherSourceOfFunds')).toMatch(/required/);
    expect(failsAt(s, businessPlus({ otherSourceOfFunds: 'Grant' }), 'otherSourceOfFunds')).toMatch(/allowed only/);
    expect(failsAt(s, businessPlus({ purposeOfAccount: 'OTHERS' }), 'otherPurposeOfAccount')).toMatch(/required/);
    expect(failsAt(s, businessPlus({ intermediaries: true }), 'intermediariesDocuments')).toMatch(
      /required when intermediaries is true/,
    );
    ok(s, businessPlus({ intermediaries: true, intermediariesDocuments: [{}, {}] }));
    expect(failsAt(s, businessPlus({ intermediariesDocuments: [{}] }), 'intermediariesDocuments')).toMatch(/allowed only/);
  });

  it('checks the people: at least one director, 4 to 20 character ids, state required in addresses', () => {
    const s = businessPlusCustomerSchema;
    expect(failsAt(s, businessPlus({ directors: [] }), 'directors')).toMatch(/at least one director/);
    const director = { ...businessPlus().directors[0], registrationId: 'E-12' };
    expect(failsAt(s, businessPlus({ directors: [director] }), 'directors[0].registrationId')).toMatch(
      /4 to 20 letters or digits/,
    );
    const address = { street: '1 Raffles Place', city: 'Singapore', country: 'SG' };
    expect(failsAt(s, businessPlus({ operatingAddress: address }), 'operatingAddress.state')).toBe('is required');
  });
});

describe('requiredDocuments', () => {
  const slots = (list: { slot: string; required: boolean }[], required: boolean) =>
    list.filter((s) => s.required === required).map((s) => s.slot);

  it('asks a passport holder for the passport, an identity card holder for both sides', () => {
    const passport = requiredDocuments(parsePersonal(personalPlus({ registrationIdType: 'passport' })));
    expect(slots(passport, true)).toEqual([
      'identityDocuments.proofOfAddress',
      'identityDocuments.livenessSnapshot',
      'identityDocuments.passport',
    ]);
    expect(slots(passport, false)).toEqual(['identityDocuments.selfie']);
    const card = requiredDocuments(parsePersonal(personalPlus()));
    expect(slots(card, true)).toEqual([
      'identityDocuments.proofOfAddress',
      'identityDocuments.livenessSnapshot',
      'identityDocuments.idFront',
      'identityDocuments.idBack',
    ]);
  });

  it('asks for one document per declared source of wealth', () => {
    const customer = parsePersonal(
      personalPlus({ sourceOfWealth: { employmentIncome: {}, others: { details: 'Sold a flat' } } }),
    );
    expect(slots(requiredDocuments(customer), true)).toEqual(
      expect.arrayContaining(['sourceOfWealth.employmentIncome.document', 'sourceOfWealth.others.document']),
    );
  });

  it('asks a business for its company documents, the people’s documents and the intermediaries’', () => {
    const list = requiredDocuments(parseBusiness(businessPlus({ intermediaries: true, intermediariesDocuments: [{}] })));
    expect(slots(list, true)).toEqual([...Object.keys(businessUrls('x')), ...intermediarySlots].sort(order(list)));
    expect(slots(list, false)).toEqual([
      'documents.amlQuestionnaire',
      'documents.sanctionQuestionnaire',
      'documents.operatingLicense',
      'documents.declaration',
    ]);
    const licensed = requiredDocuments(parseBusiness(businessPlus({ licensingStatus: 'FULLY_LICENSED' })));
    expect(slots(licensed, true)).toContain('documents.operatingLicense');
  });
});

const intermediarySlots = ['certificateOfIncorporation', 'memorandum', 'registerOfMembers', 'certificateOfIncumbency'].map(
  (kind) => `intermediariesDocuments[0].${kind}`,
);
// Sorts expected slots into the order requiredDocuments lists them.
const order = (list: { slot: string }[]) => (a: string, b: string) =>
  list.findIndex((s) => s.slot === a) - list.findIndex((s) => s.slot === b);

describe('toPlusProviderBody', () => {
  const base = 'https://docs.example.com/onb-1';

  it('places each link in its documented field and the result passes the provider-side schema', () => {
    const customer = parsePersonal(personalPlus({ sourceOfWealth: { others: { details: 'Sold a flat' } } }));
    const body = toPlusProviderBody(customer, { ...personalUrls(base), 'sourceOfWealth.others.document': `${base}/sale.pdf` });
    expect(body.identityDocuments).toEqual({
      livenessResult: true,
      proofOfAddress: `${base}/poa.pdf`,
      livenessSnapshot: `${base}/liveness.png`,
      idFront: `${base}/id-front.png`,
      idBack: `${base}/id-back.png`,
    });
    expect(body.sourceOfWealth).toEqual({ others: { details: 'Sold a flat', document: `${base}/sale.pdf` } });
    ok(personalPlusProviderSchema, body);
  });

  it('builds the business body with company, people and trader documents', () => {
    const body = toPlusProviderBody(parseBusiness(businessPlus()), businessUrls(base));
    expect(body.documents.boardResolution).toBe(`${base}/board.pdf`);
    expect(body.directors[0]?.identityDocuments).toEqual({ passport: `${base}/d0-passport.png` });
    expect(body.beneficialOwners[0]?.proofOfAddress).toBe(`${base}/b0-poa.pdf`);
    expect(body.trader).toMatchObject({ selfie: `${base}/t-selfie.jpg`, livenessResult: true });
    ok(businessPlusProviderSchema, body);
  });

  it('names each required slot without a link and each link the customer has no slot for', () => {
    const { 'identityDocuments.idBack': _, ...urls } = personalUrls(base);
    const error = (() => {
      try {
        toPlusProviderBody(parsePersonal(personalPlus()), { ...urls, 'identityDocuments.passport': `${base}/p.png` });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationFailed);
    expect((error as ValidationFailed).errors).toEqual([
      { path: 'identityDocuments.passport', message: 'passport is not a document this customer needs' },
      { path: 'identityDocuments.idBack', message: 'idBack is required: no document was provided' },
    ]);
  });
});

// `identityDocuments.idFront` -> `idFront`, to build an identityDocuments object by hand.
const leaves = (urls: Record<string, string>) =>
  Object.fromEntries(Object.entries(urls).map(([k, v]) => [k.split('.').pop(), v]));

describe('CP+ provider-side schema', () => {
  const body = (over: Record<string, unknown> = {}) => ({
    ...personalPlus(),
    identityDocuments: { livenessResult: 'false', ...leaves(personalUrls('http://127.0.0.1:9000/b')), ...over },
  });

  it('requires the ID document of the registrationIdType', () => {
    ok(personalPlusProviderSchema, body());
    const noBack = body({ idBack: undefined });
    expect(failsAt(personalPlusProviderSchema, noBack, 'identityDocuments.idBack')).toBe(
      'idBack is required when registrationIdType is identity_card',
    );
    const passport = { ...body(), registrationIdType: 'passport' };
    expect(failsAt(personalPlusProviderSchema, passport, 'identityDocuments.passport')).toMatch(
      /required when registrationIdType is passport/,
    );
  });

  it('takes file links to PNG, JPG, JPEG or PDF files, or without an extension', () => {
    ok(personalPlusProviderSchema, body({ selfie: 'https://bucket.example.com/uploads/3f2a' }));
    expect(failsAt(personalPlusProviderSchema, body({ selfie: 'https://x.example.com/a.txt' }), 'identityDocuments.selfie')).toBe(
      'selfie must link a PNG, JPG, JPEG or PDF file',
    );
    expect(
      failsAt(personalPlusProviderSchema, body({ selfie: 'ftp://x.example.com/a.png' }), 'identityDocuments.selfie'),
    ).toMatch(/^selfie must be a file link/);
  });

  it('requires documents.operatingLicense for a licensed business', () => {
    const provider = {
      ...toPlusProviderBody(parseBusiness(businessPlus()), businessUrls('https://d.example.com')),
      licensingStatus: 'FULLY_LICENSED',
    };
    expect(failsAt(businessPlusProviderSchema, provider, 'documents.operatingLicense')).toMatch(
      /required when licensingStatus is FULLY_LICENSED/,
    );
  });
});

describe('one answer lists every failing field', () => {
  it('reports OTHERS without its explanation even when a required field is missing too', () => {
    const { email: _email, ...personal } = personalPlus({ purposeOfAccount: 'OTHERS' });
    const { website: _w, entityLegalForm: _e, ...business } = businessPlus({ natureOfBusiness: 'OTHERS' });
    const paths = (schema: z.ZodMiniType, input: unknown) => failures(schema, input).map((e) => e.path);
    expect(paths(personalPlusCustomerSchema, personal)).toEqual(expect.arrayContaining(['email', 'otherPurposeOfAccount']));
    expect(paths(businessPlusCustomerSchema, business)).toEqual(
      expect.arrayContaining(['entityLegalForm', 'otherNatureOfBusiness']),
    );
  });
});
