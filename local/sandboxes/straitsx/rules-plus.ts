import * as z from 'zod';
import { address, alpha2, customerName, date, ID_TEXT, matches, PLACE_OF_BIZ } from './rules-basic';

/**
 * The full-KYC customer profile (CP+) as StraitsX documents it: the "Create a personal customer
 * profile+" page for the personal body, OpenAPI 1.5.0 for the business body, its people and its
 * documents. Field rules are checked by the schemas below; the rules that tie one field to another
 * (OTHERS companions, the identity document a registrationIdType needs, intermediaries) are checked by
 * `plusConditionIssues` on the raw body, so one answer names them together with every missing field.
 */

const TEXT_191 = /^\s*.{1,191}\s*$/;
const TEXT_255 = /^\s*.{1,255}\s*$/;
// The personal page's phone rule; the business contact number is described as the same kind of number.
const PHONE = /^\+?[1-9]\d{0,3}[\s-]?\(?\d{1,4}\)?[\s-]?\d{1,4}[\s-]?\d{1,4}[\s-]?\d{0,4}$/;
const EMAIL = /^[\w!#$%&'*+/=?`{|}~^-]+(?:\.[\w!#$%&'*+/=?`{|}~^-]+)*@(?:[a-z0-9-]+\.)+[a-z]{2,24}$/i;
// Documents are links the provider fetches; it takes PNG, JPG, JPEG and PDF, and judges the type by the
// file it fetches, so only the link's shape is checked here (documents.ts checks the file itself).
const LINK = /^(https?:\/\/)?[^\s/?#]+\.[^\s/?#]+(:\d+)?([/?][^\s]*)?$/i;
// businessIndustry and occupation point to "Accepted Values" blocks the published spec does not carry;
// the examples show upper-case snake-case codes, so a code of that shape is taken.
const CODE = /^[A-Z0-9_]{2,64}$/;

const text = (re: RegExp, what: string, max: number) =>
  matches(re, what)
    .max(max, `${what} must be at most ${max} characters`)
    .refine((v) => v.trim() !== '', `${what} must not be blank`);
const link = (what: string) => matches(LINK, what);
const oneOf = <const T extends readonly [string, ...string[]]>(what: string, values: T) =>
  z.enum(values, {
    error: (issue) => (issue.input === undefined ? `${what} is required` : `${what} must be one of ${values.join(', ')}`),
  });
const flag = (what: string) =>
  z.boolean({ error: (i) => (i.input === undefined ? `${what} is required` : `${what} must be true or false`) });
// "true/false/1/0": the provider keeps the verdict as a boolean whichever spelling was sent.
const livenessResult = (what: string) =>
  z
    .union([z.boolean(), z.literal(1), z.literal(0), z.string().regex(/^(true|false|1|0)$/i)], {
      error: (i) => (i.input === undefined ? `${what} is required` : `${what} must be true, false, 1 or 0`),
    })
    .transform((v) => v === true || v === 1 || (typeof v === 'string' && /^(true|1)$/i.test(v)));

/** The personal page's value lists. */
export const PLUS_LISTS = {
  expectedAnnualTransactionAmount: ['0_TO_1000', '1001_TO_5000', '5001_TO_10000', '10001_TO_30000', 'GT_30000'],
  expectedTransactionSize: ['0_TO_1000', '1001_TO_5000', '5001_TO_10000', '10001_TO_20000', 'GT_20000'],
  expectedTransactionFrequency: [
    'AT_LEAST_ONCE_EVERY_2_WEEKS',
    'AT_LEAST_ONCE_A_MONTH',
    'AT_LEAST_ONCE_EVERY_6_MONTHS',
    'AT_LEAST_ONCE_A_YEAR',
  ],
  annualIncome: ['0_TO_30000', '30001_TO_50000', '50001_TO_100000', '100001_TO_500000', 'GT_500000'],
  totalWealth: ['0_TO_500000', '500001_TO_2000000', '2000001_TO_5000000', '5000001_TO_10000000', 'GT_10000000'],
  personalPurposeOfAccount: ['INVESTMENT', 'TRADING', 'REMITTANCES', 'OTHERS'],
  // The business list adds two values spelt with a space.
  businessPurposeOfAccount: ['INVESTMENT', 'TRADING', 'REMITTANCES', 'TREASURY MANAGEMENT', 'BUSINESS USAGE', 'OTHERS'],
  entityLegalForm: ['PRIVATE_COMPANY', 'PUBLIC_COMPANY'],
  // `100001_TO_10000000` is the spec's spelling [sic]; the provider matches the string, so it is kept.
  monthlyTransactionVolume: ['0_TO_100000', '100001_TO_500000', '500001_TO_1000000', '100001_TO_10000000', 'GT_10000000'],
  licensingStatus: [
    'FULLY_LICENSED',
    'EXEMPT_FROM_LICENSING',
    'IN_PRINCIPLE_APPROVAL_GRANTED',
    'LICENSE_APPLICATION_IN_PROGRESS',
    'NOT_SUBJECTED_TO_LICENSING_REQUIREMENTS',
  ],
} as const;

// Only personal CP+ identity documents and business people carry these; the ID a type needs is conditional.
const ID_DOCUMENTS = { passport: ['passport'], identity_card: ['idFront', 'idBack'] } as const;

// Calendar check without the "not in the future" rule: an ID's expiry date is in the future.
const day = (what: string) =>
  matches(/^\d{4}-\d{2}-\d{2}$/, what).refine(
    (v) => new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
    `${what} must be a real calendar date`,
  );

// Personal CP+ address: any street text up to 180 (`#` allowed, unlike the basic profile), a city of
// letters up to 100, a state that may hold `/`.
const personalAddress = z.strictObject({
  street: text(/^\s*.{1,180}\s*$/, 'street', 180),
  city: matches(/^[a-zA-ZÀ-ÿ'.,\-\s()]{1,100}$/, 'city'),
  postalCode: matches(/^[A-Za-z0-9\- ]{2,20}$/, 'postalCode').optional(),
  state: matches(/^(?=.{1,15}$)[a-zA-Z0-9/\-?:().,' +]+$/, 'state').optional(),
  country: alpha2('country'),
});

// Business CP+ address: the basic address with state required, and a country the provider normalises
// from an alpha-2 or alpha-3 code or a short country name.
const businessAddress = address.extend({
  state: matches(/^(?=.{1,15}$)[a-zA-Z0-9\-?:().,' +]+$/, 'state'),
  country: matches(/^(?:[A-Z]{2,3}|[A-Za-z][A-Za-z .,'()-]{1,59})$/, 'country'),
});

const wealthSource = z.strictObject({ document: link('document') });
const wealthOthers = z.strictObject({ details: text(TEXT_255, 'details', 255), document: link('document') });
const wealth = (kinds: readonly string[]) =>
  z.strictObject({
    ...Object.fromEntries(kinds.map((k) => [k, wealthSource.optional()])),
    others: wealthOthers.optional(),
  });

const personalIdentityDocuments = z.strictObject({
  proofOfAddress: link('proofOfAddress'),
  livenessSnapshot: link('livenessSnapshot'),
  livenessResult: livenessResult('livenessResult'),
  selfie: link('selfie').optional(),
  passport: link('passport').optional(),
  idFront: link('idFront').optional(),
  idBack: link('idBack').optional(),
});

const personal = z.strictObject({
  registrationType: z.literal('personal'),
  customerName: customerName.optional(),
  // The create page allows 1 to 191 characters; the page is followed over shorter limits elsewhere.
  customerFirstName: text(TEXT_191, 'customerFirstName', 191),
  customerLastName: text(TEXT_191, 'customerLastName', 191),
  customerNativeName: text(TEXT_191, 'customerNativeName', 191).optional(),
  phoneNo: matches(PHONE, 'phoneNo').optional(),
  address: personalAddress,
  // The page's text allows a country name, its regex only alpha-2: the regex is what a server runs.
  countryOfResidence: alpha2('countryOfResidence'),
  dateOfBirth: date('dateOfBirth'),
  email: matches(EMAIL, 'email'),
  // "Must be either MALE or FEMALE", in capitals, as the page writes them.
  gender: oneOf('gender', ['MALE', 'FEMALE']),
  nationality: text(TEXT_191, 'nationality', 191),
  registrationId: matches(ID_TEXT, 'registrationId'),
  registrationIdCountry: alpha2('registrationIdCountry'),
  registrationIdType: oneOf('registrationIdType', ['passport', 'identity_card']),
  registrationIdExpiryDate: day('registrationIdExpiryDate').optional(),
  businessIndustry: matches(CODE, 'businessIndustry'),
  occupation: matches(CODE, 'occupation'),
  expectedAnnualTransactionAmount: oneOf('expectedAnnualTransactionAmount', PLUS_LISTS.expectedAnnualTransactionAmount),
  expectedTransactionSize: oneOf('expectedTransactionSize', PLUS_LISTS.expectedTransactionSize),
  expectedTransactionFrequency: oneOf('expectedTransactionFrequency', PLUS_LISTS.expectedTransactionFrequency),
  annualIncome: oneOf('annualIncome', PLUS_LISTS.annualIncome),
  totalWealth: oneOf('totalWealth', PLUS_LISTS.totalWealth),
  identityDocuments: personalIdentityDocuments,
  sourceOfWealth: wealth([
    'businessOwnership',
    'employmentIncome',
    'propertyOwnership',
    'investmentReturns',
    'lotteryWinnings',
    'inheritanceGifts',
    'cashSavings',
  ]).optional(),
  // The page's example is ["8.8.8.8"]; the addresses are recorded, not verified.
  ipAddresses: z.array(z.string().min(1), 'ipAddresses must be a list of strings').min(1, 'ipAddresses must not be empty'),
  purposeOfAccount: oneOf('purposeOfAccount', PLUS_LISTS.personalPurposeOfAccount),
  otherPurposeOfAccount: text(TEXT_255, 'otherPurposeOfAccount', 255).optional(),
});

const personIdDocuments = z.strictObject({
  passport: link('passport').optional(),
  idFront: link('idFront').optional(),
  idBack: link('idBack').optional(),
});

// A director, beneficial owner or trader. The provider notes name these objects (and the trader's selfie,
// liveness snapshot and verdict) but not their fields; the fields here follow the spec's people objects:
// first and last names, a 4 to 20 character registration id of letters and digits, and alpha-2 country
// fields, nationality included (the spec says "2 digit ISO country code" for people, unlike the
// personal profile's free-text nationality).
const person = {
  firstName: text(TEXT_191, 'firstName', 191),
  middleName: text(TEXT_191, 'middleName', 191).optional(),
  lastName: text(TEXT_191, 'lastName', 191),
  nativeName: text(TEXT_191, 'nativeName', 191).optional(),
  dateOfBirth: date('dateOfBirth'),
  registrationId: matches(/^[a-zA-Z0-9]{4,20}$/, 'registrationId'),
  registrationIdType: oneOf('registrationIdType', ['passport', 'identity_card']),
  registrationIdCountry: alpha2('registrationIdCountry'),
  nationality: alpha2('nationality'),
  countryOfResidence: alpha2('countryOfResidence'),
  identityDocuments: personIdDocuments.optional(),
};
const director = z.strictObject(person);
const beneficialOwner = z.strictObject({
  ...person,
  address: businessAddress.optional(),
  proofOfAddress: link('proofOfAddress'),
});
const trader = z.strictObject({
  ...person,
  address: businessAddress.optional(),
  proofOfAddress: link('proofOfAddress'),
  selfie: link('selfie'),
  livenessSnapshot: link('livenessSnapshot'),
  livenessResult: livenessResult('livenessResult'),
});

const companyDocuments = z.strictObject({
  certificateOfIncorporation: link('certificateOfIncorporation'),
  memorandum: link('memorandum'),
  registerOfDirectors: link('registerOfDirectors'),
  registerOfMembers: link('registerOfMembers'),
  proofOfAddress: link('proofOfAddress'),
  boardResolution: link('boardResolution'),
  amlQuestionnaire: link('amlQuestionnaire').optional(),
  sanctionQuestionnaire: link('sanctionQuestionnaire').optional(),
  operatingLicense: link('operatingLicense').optional(),
  declaration: link('declaration').optional(),
});

// One entry per intermediary: the intermediary's own company documents, each a link.
const intermediaryDocuments = z.record(z.string(), link('intermediariesDocuments entry'));

// The business list values for natureOfBusiness and sourceOfFunds are in the spec only, and the project's
// provider notes do not restate them; the sandbox takes any code of their shape and leaves the list to
// the provider's own review (a value outside it would still be refused by the real provider).
const business = z.strictObject({
  registrationType: z.literal('business'),
  customerName,
  customerNativeName: text(TEXT_191, 'customerNativeName', 191).optional(),
  tradingName: z.string('tradingName must be a string').min(1, 'tradingName must not be empty').optional(),
  merchantRef: text(TEXT_191, 'merchantRef', 191).optional(),
  registrationIdType: oneOf('registrationIdType', ['business_reg_no']),
  // The CP+ field table gives 4 to 35 of `[a-zA-Z0-9- ]`; the `/` that 1.5.0 admits is in the basic
  // business profile's pattern, not this one, so a CP+ UEN with `/` is refused.
  registrationId: matches(/^[a-zA-Z0-9\- ]{4,35}$/, 'registrationId'),
  // In the spec's CP+ examples, not in its field list: taken when sent.
  registrationIdCountry: alpha2('registrationIdCountry').optional(),
  placeOfBiz: matches(PLACE_OF_BIZ, 'placeOfBiz').optional(),
  placeOfBizCountry: alpha2('placeOfBizCountry').optional(),
  address: businessAddress,
  operatingAddress: businessAddress,
  entityLegalForm: oneOf('entityLegalForm', PLUS_LISTS.entityLegalForm),
  businessContact: matches(PHONE, 'businessContact'),
  website: matches(/^(https?:\/\/)?[^\s/?#]+\.[^\s/?#]+(:\d+)?([/?][^\s]*)?$/i, 'website').optional(),
  countryOfIncorporation: alpha2('countryOfIncorporation'),
  dateOfIncorporation: date('dateOfIncorporation'),
  natureOfBusiness: matches(CODE, 'natureOfBusiness'),
  otherNatureOfBusiness: text(TEXT_255, 'otherNatureOfBusiness', 255).optional(),
  usOwnership: flag('usOwnership'),
  intermediaries: flag('intermediaries'),
  intermediariesDocuments: z.array(intermediaryDocuments, 'intermediariesDocuments must be a list').optional(),
  monthlyTransactionVolume: oneOf('monthlyTransactionVolume', PLUS_LISTS.monthlyTransactionVolume),
  sourceOfFunds: z
    .array(matches(CODE, 'sourceOfFunds'), 'sourceOfFunds must be a list')
    .min(1, 'sourceOfFunds must not be empty'),
  otherSourceOfFunds: text(TEXT_255, 'otherSourceOfFunds', 255).optional(),
  sourceOfWealth: wealth([
    'loanFromParentCompany',
    'loanFromDirectorsShareholders',
    'investorFunds',
    'businessLoans',
    'businessRevenue',
    'customerFundsForInvestment',
    'arbitrageTrading',
  ]).optional(),
  licensingStatus: oneOf('licensingStatus', PLUS_LISTS.licensingStatus).optional(),
  purposeOfAccount: oneOf('purposeOfAccount', PLUS_LISTS.businessPurposeOfAccount),
  otherPurposeOfAccount: text(TEXT_255, 'otherPurposeOfAccount', 255).optional(),
  directors: z.array(director, 'directors must be a list').min(1, 'directors must not be empty'),
  // "Pass in all beneficial owners": the list is required, though a company may have none.
  beneficialOwners: z.array(beneficialOwner, 'beneficialOwners must be a list'),
  trader,
  documents: companyDocuments,
});

/** The CP+ body, personal or business. */
export const plusProfileBody = z.discriminatedUnion('registrationType', [personal, business], {
  error: (issue) => (issue.code === 'invalid_union' ? 'registrationType must be personal or business' : undefined),
});

/** A rule tying one field to another, broken: the path of the field to fix and why. */
export interface ConditionIssue {
  path: string;
  message: string;
  missing: boolean;
}

// Worded as the provider words a missing field, with the condition that made it required.
const lacking = (path: string, when: string): ConditionIssue => ({
  path,
  message: `${path} is missing (required when ${when})`,
  missing: true,
});

const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const absent = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

// "Required if OTHERS is selected": the companion text must be there when the list says OTHERS.
function others(body: Record<string, unknown>, list: string, companion: string, chosen: boolean, out: ConditionIssue[]) {
  if (chosen && absent(body[companion])) out.push(lacking(companion, `${list} is OTHERS`));
}

// A passport needs its scan; an identity card needs both sides.
function idDocuments(person: Record<string, unknown>, docs: unknown, prefix: string, out: ConditionIssue[]) {
  const type = person.registrationIdType;
  const needed = type === 'passport' || type === 'identity_card' ? ID_DOCUMENTS[type] : [];
  for (const kind of needed) {
    if (absent(obj(docs)[kind])) out.push(lacking(`${prefix}${kind}`, `registrationIdType is ${type}`));
  }
}

/** The cross-field rules of a CP+ body, read defensively: any field may be missing or malformed. */
export function plusConditionIssues(raw: Record<string, unknown>): ConditionIssue[] {
  const out: ConditionIssue[] = [];
  others(raw, 'purposeOfAccount', 'otherPurposeOfAccount', raw.purposeOfAccount === 'OTHERS', out);
  const wealthOthersEntry = obj(raw.sourceOfWealth).others;
  if (wealthOthersEntry !== undefined && absent(obj(wealthOthersEntry).details))
    out.push(lacking('sourceOfWealth.others.details', 'others is declared'));
  if (raw.registrationType === 'personal') {
    idDocuments(raw, raw.identityDocuments, 'identityDocuments.', out);
    return out;
  }
  others(raw, 'natureOfBusiness', 'otherNatureOfBusiness', raw.natureOfBusiness === 'OTHERS', out);
  const funds = Array.isArray(raw.sourceOfFunds) ? raw.sourceOfFunds : [];
  others(raw, 'sourceOfFunds', 'otherSourceOfFunds', funds.includes('OTHERS'), out);
  const listed = Array.isArray(raw.intermediariesDocuments) && raw.intermediariesDocuments.length > 0;
  if (raw.intermediaries === true && !listed) out.push(lacking('intermediariesDocuments', 'intermediaries is true'));
  for (const [list, people] of [
    ['directors', raw.directors],
    ['beneficialOwners', raw.beneficialOwners],
  ] as const) {
    if (!Array.isArray(people)) continue;
    for (const [i, p] of people.entries()) idDocuments(obj(p), obj(p).identityDocuments, `${list}[${i}].identityDocuments.`, out);
  }
  if (raw.trader !== undefined) idDocuments(obj(raw.trader), obj(raw.trader).identityDocuments, 'trader.identityDocuments.', out);
  return out;
}

// The basic profile's own fields, personal and business (rules-basic.ts).
const BASIC_FIELDS = new Set([
  'registrationType',
  'customerName',
  'customerNativeName',
  'registrationId',
  'registrationIdType',
  'registrationIdCountry',
  'dateOfBirth',
  'nationality',
  'countryOfResidence',
  'gender',
  'email',
  'phoneNo',
  'address',
  'tradingName',
  'placeOfBiz',
  'placeOfBizCountry',
  'countryOfIncorporation',
  'dateOfIncorporation',
]);

/**
 * Fields only a CP+ body carries. One endpoint takes the basic and the full-KYC bodies and the reference
 * does not say how it tells them apart; a body with any of these cannot be a basic profile.
 */
export const PLUS_ONLY_FIELDS: readonly string[] = [
  ...new Set([...Object.keys(personal.shape), ...Object.keys(business.shape)].filter((k) => !BASIC_FIELDS.has(k))),
];

/** True when a body (or stored attributes) carries a CP+-only field. */
export const isPlusBody = (body: Record<string, unknown>): boolean => PLUS_ONLY_FIELDS.some((field) => field in body);

/** Every document link in a CP+ body with its place, as the provider would fetch them. */
export function plusDocumentLinks(body: Record<string, unknown>): { slot: string; url: string }[] {
  const out: { slot: string; url: string }[] = [];
  // Document fields are links wherever they sit; livenessResult and the free-text details are not links.
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      for (const [i, v] of node.entries()) walk(v, `${path}[${i}]`);
    } else if (typeof node === 'object' && node !== null) {
      for (const [k, v] of Object.entries(node)) walk(v, path ? `${path}.${k}` : k);
    } else if (typeof node === 'string' && DOCUMENT_PLACES.test(path)) out.push({ slot: path, url: node });
  };
  walk(body, '');
  return out;
}

// Where a CP+ body holds files: identity documents, wealth proofs, company and intermediary documents,
// and the people's proofs, selfies and liveness snapshots.
const DOCUMENT_PLACES =
  /^(identityDocuments\.(?!livenessResult)\w+|sourceOfWealth\.\w+\.document|documents\.\w+|intermediariesDocuments\[\d+\]\.\w+|(directors|beneficialOwners)\[\d+\]\.(identityDocuments\.\w+|proofOfAddress)|trader\.(identityDocuments\.\w+|proofOfAddress|selfie|livenessSnapshot))$/;
