import type { WallexCustomer } from '../../../functions/providers/wallex/schema';

/** A complete individual customer with a passport, as a merchant would send it. */
export const customer = (overrides: Record<string, unknown> = {}) =>
  ({
    accountType: 'individual',
    email: 'mei.ling.tan@example.com',
    firstName: 'Mei Ling',
    lastName: 'Tan',
    countryCode: 'SG',
    mobileCountryCode: '+65',
    mobileNumber: '91234567',
    gender: 'female',
    countryOfBirth: 'SG',
    nationality: 'SG',
    countryOfResidence: 'SG',
    residentialAddress: '10 Anson Road #12-01',
    postalCode: '079903',
    dateOfBirth: '1990-01-21',
    identificationType: 'passport',
    identificationNumber: 'E1234567X',
    issueDate: '2020-02-20',
    expiryDate: '2030-02-19',
    employmentIndustry: 'Banking/Finance/Insurance',
    employmentStatus: 'Employed',
    employmentPosition: 'Mid-Level/Supervisory/Management',
    documents: ['passport'],
    ...overrides,
  }) as WallexCustomer;

/** An onboarding request for Wallex (as the request schema will carry it). */
export const wallexRequest = (overrides: Record<string, unknown> = {}) => ({
  provider: 'wallex' as const,
  merchantRef: 'u-1',
  customer: customer(overrides),
});

/** The first bytes of a PDF, enough for a document. */
export const PDF = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37, 0x0a, 0x00, 0xff, 0x10, 0x80]);
