import { describe, expect, it } from 'vitest';
import { bankAccountProviderSchema } from '../../../functions/providers/straitsx/schema-bank-account';
import * as client from '../../../functions/providers/straitsx/schema-plus';
import { usdPatchSchema } from '../../../functions/providers/straitsx/schema-usd';
import { plusIssues } from '../../../local/sandboxes/straitsx/profile-plus';
import { bankAccountBody, bankAccountIssues } from '../../../local/sandboxes/straitsx/rules-bank-account';
import { basicProfileBody } from '../../../local/sandboxes/straitsx/rules-basic';
import { isPlusBody, PLUS_LISTS } from '../../../local/sandboxes/straitsx/rules-plus';

/**
 * The client's provider-side schemas and the sandbox's own rules are each written from StraitsX's pages;
 * the same payloads go through both and must be taken or refused alike. A payload one side refuses and
 * the other takes is a rule one of them misread. The bodies follow the documentation's examples (the
 * "Create a personal customer profile+" page, OpenAPI 1.5.0's CP+ and bank account examples, the get-started
 * page's USD table); each invalid one breaks one documented rule.
 */

type Body = Record<string, unknown>;
const DOCS = 'https://files.example.com/kyc';

const personal = (over: Body = {}, docs: Body = {}): Body => ({
  registrationType: 'personal',
  customerFirstName: 'Jane',
  customerLastName: 'Tan',
  phoneNo: '+65 91234567',
  address: { street: '100 Orchard Road, Unit #01-01', city: 'Singapore', postalCode: '238840', country: 'SG' },
  countryOfResidence: 'SG',
  dateOfBirth: '1990-01-21',
  email: 'jane.tan@example.com',
  gender: 'FEMALE',
  nationality: 'Singaporean',
  registrationId: 'S1234567A',
  registrationIdCountry: 'SG',
  registrationIdType: 'identity_card',
  businessIndustry: 'IT_RELATED',
  occupation: 'SENIOR_ASSOCIATE_OR_SENIOR_EXECUTIVE',
  expectedAnnualTransactionAmount: '5001_TO_10000',
  expectedTransactionSize: '1001_TO_5000',
  expectedTransactionFrequency: 'AT_LEAST_ONCE_A_MONTH',
  annualIncome: '50001_TO_100000',
  totalWealth: '500001_TO_2000000',
  identityDocuments: {
    proofOfAddress: `${DOCS}/poa.pdf`,
    livenessSnapshot: `${DOCS}/liveness.png`,
    livenessResult: true,
    idFront: `${DOCS}/id-front.png`,
    idBack: `${DOCS}/id-back.png`,
    ...docs,
  },
  ipAddresses: ['8.8.8.8'],
  purposeOfAccount: 'INVESTMENT',
  ...over,
});

const address = { street: '1 Raffles Place', city: 'Singapore', postalCode: '048616', state: 'Singapore', country: 'SG' };
const person = (registrationIdType: string, identityDocuments: Body | undefined, extra: Body = {}): Body => ({
  firstName: 'Wei',
  lastName: 'Lim',
  dateOfBirth: '1975-06-30',
  registrationId: 'E1234567',
  registrationIdType,
  registrationIdCountry: 'SG',
  nationality: 'SG',
  countryOfResidence: 'SG',
  ...(identityDocuments ? { identityDocuments } : {}),
  ...extra,
});
const passport = { passport: `${DOCS}/passport.png` };
const card = { idFront: `${DOCS}/front.png`, idBack: `${DOCS}/back.png` };
const trader = (over: Body = {}): Body =>
  person('identity_card', card, {
    proofOfAddress: `${DOCS}/t-poa.pdf`,
    selfie: `${DOCS}/t-selfie.jpg`,
    livenessSnapshot: `${DOCS}/t-live.jpg`,
    livenessResult: '1',
    ...over,
  });
const companyDocuments = {
  certificateOfIncorporation: `${DOCS}/coi.pdf`,
  memorandum: `${DOCS}/memo.pdf`,
  registerOfDirectors: `${DOCS}/rod.pdf`,
  registerOfMembers: `${DOCS}/rom.pdf`,
  proofOfAddress: `${DOCS}/poa.pdf`,
  boardResolution: `${DOCS}/board.pdf`,
};

const business = (over: Body = {}): Body => ({
  registrationType: 'business',
  customerName: 'ABC Pte Ltd',
  registrationIdType: 'business_reg_no',
  registrationId: '201912345K',
  registrationIdCountry: 'SG',
  entityLegalForm: 'PRIVATE_COMPANY',
  businessContact: '+6561234567',
  website: 'https://abc.example.com',
  countryOfIncorporation: 'SG',
  dateOfIncorporation: '2019-04-01',
  address,
  operatingAddress: address,
  natureOfBusiness: 'PROFESSIONAL_SERVICES',
  usOwnership: false,
  intermediaries: false,
  monthlyTransactionVolume: '100001_TO_500000',
  sourceOfFunds: ['BUSINESS_REVENUE'],
  directors: [person('passport', passport)],
  beneficialOwners: [person('identity_card', card, { address, proofOfAddress: `${DOCS}/b-poa.pdf` })],
  trader: trader(),
  documents: companyDocuments,
  purposeOfAccount: 'BUSINESS USAGE',
  ...over,
});

const without = (body: Body, key: string): Body => Object.fromEntries(Object.entries(body).filter(([k]) => k !== key));
const future = `${new Date().getUTCFullYear() + 1}-01-01`;

const plusCases: [string, Body, boolean][] = [
  ['personal, identity card', personal(), true],
  [
    'personal, passport',
    personal({ registrationIdType: 'passport' }, { idFront: undefined, idBack: undefined, ...passport }),
    true,
  ],
  ['personal, OTHERS with its explanation', personal({ purposeOfAccount: 'OTHERS', otherPurposeOfAccount: 'Savings' }), true],
  [
    'personal, sourceOfWealth with others',
    personal({
      sourceOfWealth: {
        employmentIncome: { document: `${DOCS}/payslip.pdf` },
        others: { details: 'Sale of a car', document: `${DOCS}/sale.pdf` },
      },
    }),
    true,
  ],
  ['personal, livenessResult 0 and a selfie', personal({}, { livenessResult: 0, selfie: `${DOCS}/selfie.jpg` }), true],
  [
    'personal, a customerName and an ID expiry date',
    personal({ customerName: 'Jane Tan', registrationIdExpiryDate: future }),
    true,
  ],
  ['personal, without email', without(personal(), 'email'), false],
  ['personal, gender in lower case', personal({ gender: 'female' }), false],
  ['personal, passport type without the passport', personal({ registrationIdType: 'passport' }), false],
  ['personal, identity card without its back', personal({}, { idBack: undefined }), false],
  ['personal, OTHERS without its explanation', personal({ purposeOfAccount: 'OTHERS' }), false],
  [
    'personal, sourceOfWealth others without details',
    personal({ sourceOfWealth: { others: { document: `${DOCS}/x.pdf` } } }),
    false,
  ],
  ['personal, a size from the annual amount list', personal({ expectedTransactionSize: '10001_TO_30000' }), false],
  ['personal, countryOfResidence as a name', personal({ countryOfResidence: 'Singapore' }), false],
  ['personal, a city with digits', personal({ address: { street: '1 Road', city: 'District 9', country: 'SG' } }), false],
  ['personal, livenessResult yes', personal({}, { livenessResult: 'yes' }), false],
  ['personal, no liveness snapshot', personal({}, { livenessSnapshot: undefined }), false],
  ['personal, an undocumented field', personal({ middleName: 'Mei' }), false],
  ['personal, no IP address', personal({ ipAddresses: [] }), false],
  ['personal, born in the future', personal({ dateOfBirth: future }), false],
  ['personal, a registrationId of 3 characters', personal({ registrationId: 'S12' }), false],
  ['business', business(), true],
  ['business, no beneficial owner above the threshold', business({ beneficialOwners: [] }), true],
  [
    'business, with an intermediary and its documents',
    business({
      intermediaries: true,
      intermediariesDocuments: [
        {
          certificateOfIncorporation: `${DOCS}/i-coi.pdf`,
          memorandum: `${DOCS}/i-memo.pdf`,
          registerOfMembers: `${DOCS}/i-rom.pdf`,
          certificateOfIncumbency: `${DOCS}/i-coinc.pdf`,
        },
      ],
    }),
    true,
  ],
  ['business, nature OTHERS with its explanation', business({ natureOfBusiness: 'OTHERS', otherNatureOfBusiness: 'Tea' }), true],
  ['business, funds OTHERS with its explanation', business({ sourceOfFunds: ['OTHERS'], otherSourceOfFunds: 'Grants' }), true],
  ['business, treasury management', business({ purposeOfAccount: 'TREASURY MANAGEMENT' }), true],
  ['business, an alpha-3 address country', business({ address: { ...address, country: 'SGP' } }), true],
  ['business, the volume list as written [sic]', business({ monthlyTransactionVolume: '100001_TO_10000000' }), true],
  ['business, a UEN with /', business({ registrationId: '2019/12345K' }), false],
  ['business, no board resolution', business({ documents: without(companyDocuments, 'boardResolution') }), false],
  ['business, intermediaries without their documents', business({ intermediaries: true }), false],
  ['business, nature OTHERS without its explanation', business({ natureOfBusiness: 'OTHERS' }), false],
  ['business, funds OTHERS without its explanation', business({ sourceOfFunds: ['OTHERS'] }), false],
  ['business, a director with a passport type and no passport', business({ directors: [person('passport', card)] }), false],
  ['business, the corrected volume value', business({ monthlyTransactionVolume: '1000001_TO_10000000' }), false],
  ['business, a trader without a selfie', business({ trader: trader({ selfie: undefined }) }), false],
  ['business, no operating address', without(business(), 'operatingAddress'), false],
  ['business, an address without state', business({ address: without(address, 'state') }), false],
  ['business, an unknown legal form', business({ entityLegalForm: 'LLC' }), false],
  ['business, usOwnership as text', business({ usOwnership: 'no' }), false],
  ['business, no directors', business({ directors: [] }), false],
  ['business, a personal purpose list value spelt with _', business({ purposeOfAccount: 'BUSINESS_USAGE' }), false],
];

// JSON drops undefined, as the wire does: a field set to undefined above is a field not sent.
const wire = (body: Body): Body => JSON.parse(JSON.stringify(body));

describe('client and StraitsX sandbox take and refuse the same CP+ bodies', () => {
  it.each(plusCases)('%s', (_name, body, valid) => {
    const sent = wire(body);
    const sandbox = plusIssues(sent);
    expect(isPlusBody(sent)).toBe(true);
    expect({
      client: client.plusProviderSchema.safeParse(sent).success,
      sandbox: sandbox.parsed.success && sandbox.issues.length === 0,
    }).toEqual({ client: valid, sandbox: valid });
  });

  it.each<[string, readonly string[], readonly string[]]>([
    ['expectedAnnualTransactionAmount', client.EXPECTED_ANNUAL_TRANSACTION_AMOUNTS, PLUS_LISTS.expectedAnnualTransactionAmount],
    ['expectedTransactionSize', client.EXPECTED_TRANSACTION_SIZES, PLUS_LISTS.expectedTransactionSize],
    ['expectedTransactionFrequency', client.EXPECTED_TRANSACTION_FREQUENCIES, PLUS_LISTS.expectedTransactionFrequency],
    ['annualIncome', client.ANNUAL_INCOMES, PLUS_LISTS.annualIncome],
    ['totalWealth', client.TOTAL_WEALTH, PLUS_LISTS.totalWealth],
    ['personal purposeOfAccount', client.PERSONAL_PURPOSES_OF_ACCOUNT, PLUS_LISTS.personalPurposeOfAccount],
    ['business purposeOfAccount', client.BUSINESS_PURPOSES_OF_ACCOUNT, PLUS_LISTS.businessPurposeOfAccount],
    ['entityLegalForm', client.ENTITY_LEGAL_FORMS, PLUS_LISTS.entityLegalForm],
    ['monthlyTransactionVolume', client.MONTHLY_TRANSACTION_VOLUMES, PLUS_LISTS.monthlyTransactionVolume],
    ['licensingStatus', client.LICENSING_STATUSES, PLUS_LISTS.licensingStatus],
  ])('the %s list', (_name, fromClient, fromSandbox) => {
    expect([...fromClient].sort()).toEqual([...fromSandbox].sort());
  });
});

const png = `data:image/png;base64,${Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).toString('base64')}`;
const account = (over: Body = {}): Body => ({
  account_no: '0123456789',
  account_holder_name: 'Jane Tan',
  bank: 'DBS',
  bank_account_proof: { fileUrl: `${DOCS}/bankAccountProofPlaceholder.png` },
  ...over,
});

const bankCases: [string, Body, boolean][] = [
  ['FAST, proof by link', account(), true],
  [
    'SWIFT, proof inline',
    account({ bank: undefined, swift_bic: 'DBSSSGSG', bank_account_proof: { fileData: png, fileName: 'statement.png' } }),
    true,
  ],
  [
    'SWIFT with intermediary, routing code and reason',
    account({
      swift_bic: 'CHASUS33XXX',
      intermediary_swift_bic: 'DBSSSGSG',
      routing_code: '021000021',
      payment_reason: 'Salary',
    }),
    true,
  ],
  ['an account number with dashes', account({ account_no: '012-345678-9' }), true],
  ['an account number of 4 characters', account({ account_no: '0123' }), false],
  ['an account number with a space', account({ account_no: '0123 45678' }), false],
  ['a SWIFT code in lower case', account({ swift_bic: 'dbsssgsg' }), false],
  ['neither bank nor SWIFT', account({ bank: undefined }), false],
  [
    'a proof by link and inline',
    account({ bank_account_proof: { fileUrl: `${DOCS}/p.pdf`, fileData: png, fileName: 'p.png' } }),
    false,
  ],
  ['inline proof without its name', account({ bank_account_proof: { fileData: png } }), false],
  ['an inline GIF', account({ bank_account_proof: { fileData: png, fileName: 'statement.gif' } }), false],
  ['no proof', without(account(), 'bank_account_proof'), false],
  ['a payment reason of 151 characters', account({ payment_reason: 'x'.repeat(151) }), false],
  ['no account holder name', without(account(), 'account_holder_name'), false],
  ['an undocumented field', account({ currency: 'SGD' }), false],
];

describe('client and StraitsX sandbox take and refuse the same bank account bodies', () => {
  it.each(bankCases)('%s', (_name, body, valid) => {
    const sent = wire(body);
    const sandbox = bankAccountBody.safeParse(sent).success && bankAccountIssues(sent).length === 0;
    expect({ client: bankAccountProviderSchema.safeParse(sent).success, sandbox }).toEqual({ client: valid, sandbox: valid });
  });
});

const basic = {
  personal: { registrationType: 'personal', customerName: 'Jane Tan', registrationId: 'S1234567A' },
  business: { registrationType: 'business', customerName: 'ABC Pte Ltd', registrationId: '201912345K' },
} as const;
const usdAddress = { street: '10 Anson Road', city: 'Singapore', postalCode: '079903', country: 'SG' };

const usdCases: ['personal' | 'business', string, Body, boolean][] = [
  [
    'personal',
    'every USD field',
    {
      registrationIdType: 'identity_card',
      registrationIdCountry: 'SG',
      address: usdAddress,
      countryOfResidence: 'SG',
      dateOfBirth: '1990-01-21',
      nationality: 'SG',
    },
    true,
  ],
  ['personal', 'some of them', { registrationIdType: 'passport', nationality: 'Singaporean' }, true],
  ['personal', 'an unknown ID type', { registrationIdType: 'nric' }, false],
  ['personal', 'a date that does not exist', { dateOfBirth: '1990-02-30' }, false],
  ['personal', 'a street with #', { address: { ...usdAddress, street: '10 Anson Road #10-01' } }, false],
  ['personal', 'a lower-case country', { countryOfResidence: 'sg' }, false],
  ['personal', 'an alpha-3 ID country', { registrationIdCountry: 'SGP' }, false],
  ['personal', 'a city of 21 characters', { address: { ...usdAddress, city: 'C'.repeat(21) } }, false],
  [
    'business',
    'every USD field',
    {
      registrationIdType: 'business_reg_no',
      registrationIdCountry: 'SG',
      address: usdAddress,
      placeOfBiz: '1 Raffles Place, Singapore',
      placeOfBizCountry: 'SG',
      countryOfIncorporation: 'SG',
      dateOfIncorporation: '2019-04-01',
    },
    true,
  ],
  ['business', 'a place of business with #', { placeOfBiz: '1 Raffles Place #20-01' }, false],
  ['business', 'incorporated in the future', { dateOfIncorporation: future }, false],
  ['business', 'a personal ID type', { registrationIdType: 'passport' }, false],
];

describe('client and StraitsX sandbox take and refuse the same USD PATCH additions', () => {
  it.each(usdCases)('%s: %s', (type, _name, patch, valid) => {
    const sent = wire(patch);
    // The sandbox checks the profile as it would stand after the PATCH, with the basic profile's rules.
    const sandbox = basicProfileBody.safeParse({ ...basic[type], ...sent }).success;
    expect({ client: usdPatchSchema[type].safeParse(sent).success, sandbox }).toEqual({ client: valid, sandbox: valid });
  });
});
