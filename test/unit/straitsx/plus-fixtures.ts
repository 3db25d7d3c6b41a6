/** CP+ customers as a merchant would send them, shared by the schema and sandbox tests. */

const person = (firstName: string, registrationId: string, registrationIdType: 'passport' | 'identity_card') => ({
  firstName,
  lastName: 'Lim',
  dateOfBirth: '1975-06-30',
  registrationId,
  registrationIdType,
  registrationIdCountry: 'SG',
  nationality: 'SG',
  countryOfResidence: 'SG',
});

const companyAddress = { street: '1 Raffles Place', city: 'Singapore', postalCode: '048616', state: 'Singapore', country: 'SG' };

/** A personal CP+ request: identity card, no source of wealth. */
export const personalPlus = (over: Record<string, unknown> = {}) => ({
  registrationType: 'personal',
  customerFirstName: 'Jane',
  customerLastName: 'Tan',
  address: { street: '10 Anson Road #10-01', city: 'Singapore', postalCode: '079903', country: 'SG' },
  countryOfResidence: 'SG',
  dateOfBirth: '1990-01-21',
  email: 'jane.tan@example.com',
  gender: 'FEMALE',
  nationality: 'SG',
  registrationId: 'S1234567A',
  registrationIdCountry: 'SG',
  registrationIdType: 'identity_card',
  businessIndustry: 'IT_RELATED',
  occupation: 'ASSOCIATE_OR_ANALYST_OR_EXECUTIVE',
  expectedAnnualTransactionAmount: '1001_TO_5000',
  expectedTransactionSize: '0_TO_1000',
  expectedTransactionFrequency: 'AT_LEAST_ONCE_A_MONTH',
  annualIncome: '50001_TO_100000',
  totalWealth: '0_TO_500000',
  identityDocuments: { livenessResult: true },
  ipAddresses: ['8.8.8.8'],
  purposeOfAccount: 'INVESTMENT',
  ...over,
});

/** A business CP+ request: one director (passport), one beneficial owner (identity card), a trader. */
export const businessPlus = (over: Record<string, unknown> = {}) => ({
  registrationType: 'business',
  customerName: 'ABC Pte Ltd',
  registrationIdType: 'business_reg_no',
  registrationId: '201912345K',
  entityLegalForm: 'PRIVATE_COMPANY',
  businessContact: '+6561234567',
  website: 'https://abc.example.com',
  countryOfIncorporation: 'SG',
  dateOfIncorporation: '2019-04-01',
  address: companyAddress,
  operatingAddress: companyAddress,
  natureOfBusiness: 'PROFESSIONAL_SERVICES',
  usOwnership: false,
  intermediaries: false,
  monthlyTransactionVolume: '0_TO_100000',
  sourceOfFunds: ['BUSINESS_REVENUE'],
  directors: [person('Wei', 'E1234567', 'passport')],
  beneficialOwners: [{ ...person('Mei', 'S7654321B', 'identity_card'), address: companyAddress }],
  trader: { ...person('Tom', 'S1111111C', 'identity_card'), livenessResult: '1' },
  purposeOfAccount: 'BUSINESS USAGE',
  ...over,
});

/** Links for every required slot of `personalPlus()` (identity card). */
export const personalUrls = (base: string) => ({
  'identityDocuments.proofOfAddress': `${base}/poa.pdf`,
  'identityDocuments.livenessSnapshot': `${base}/liveness.png`,
  'identityDocuments.idFront': `${base}/id-front.png`,
  'identityDocuments.idBack': `${base}/id-back.png`,
});

/** Links for every required slot of `businessPlus()`. */
export const businessUrls = (base: string) => ({
  'documents.certificateOfIncorporation': `${base}/coi.pdf`,
  'documents.memorandum': `${base}/memo.pdf`,
  'documents.registerOfDirectors': `${base}/rod.pdf`,
  'documents.registerOfMembers': `${base}/rom.pdf`,
  'documents.proofOfAddress': `${base}/poa.pdf`,
  'documents.boardResolution': `${base}/board.pdf`,
  'directors[0].identityDocuments.passport': `${base}/d0-passport.png`,
  'beneficialOwners[0].identityDocuments.idFront': `${base}/b0-front.png`,
  'beneficialOwners[0].identityDocuments.idBack': `${base}/b0-back.png`,
  'beneficialOwners[0].proofOfAddress': `${base}/b0-poa.pdf`,
  'trader.identityDocuments.idFront': `${base}/t-front.png`,
  'trader.identityDocuments.idBack': `${base}/t-back.png`,
  'trader.proofOfAddress': `${base}/t-poa.pdf`,
  'trader.selfie': `${base}/t-selfie.jpg`,
  'trader.livenessSnapshot': `${base}/t-live.jpg`,
});
