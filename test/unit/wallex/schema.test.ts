import { describe, expect, it } from 'vitest';
import { toDetailBody, toSignupBody, wallexCustomerSchema } from '../../../functions/providers/wallex/schema';
import {
  DOCUMENT_TYPES,
  EMPLOYMENT_INDUSTRIES,
  EMPLOYMENT_POSITIONS,
  EMPLOYMENT_STATUSES,
  KYC_REQUIRED_FIELDS,
} from '../../../functions/providers/wallex/schema-lists';
import { toFieldErrors } from '../../../functions/shared/validation';
import { customer } from './fixtures';

const errorsOf = (input: unknown) => {
  const result = wallexCustomerSchema.safeParse(input);
  expect(result.success).toBe(false);
  return toFieldErrors(result.error!);
};

describe('Wallex customer schema', () => {
  it('accepts a complete individual with a passport and keeps the values as sent', () => {
    const parsed = wallexCustomerSchema.parse(customer());
    expect(parsed).toEqual(customer());
  });

  it('accepts an NRIC holder without an expiry date and with a national identity document', () => {
    const nric = customer({
      identificationType: 'nric',
      identificationNumber: 'S8512345D',
      expiryDate: undefined,
      documents: ['national_identity', 'photo'],
    });
    expect(wallexCustomerSchema.safeParse(nric).success).toBe(true);
  });

  it('reports every missing field required for sign-up and KYC screening by name', () => {
    const errors = errorsOf({ documents: ['passport'] });
    const paths = errors.map((e) => e.path);
    for (const field of [...KYC_REQUIRED_FIELDS, 'email', 'accountType']) expect(paths).toContain(field);
    expect(errors.find((e) => e.path === 'email')?.message).toBe('is required');
  });

  it('copies the employment lists exactly from the page', () => {
    expect(EMPLOYMENT_STATUSES).toEqual(['Employed', 'Unemployed', 'Student', 'Self-Employed']);
    expect(EMPLOYMENT_POSITIONS).toEqual(['Entry Level', 'Mid-Level/Supervisory/Management', 'Senior Level/Executive', 'Owner']);
    expect(EMPLOYMENT_INDUSTRIES).toHaveLength(22);
    expect(EMPLOYMENT_INDUSTRIES).toContain('Administration/Clerical/Facilities Svc');
    expect(EMPLOYMENT_INDUSTRIES).toContain('Medical & Health');
    expect(DOCUMENT_TYPES).toHaveLength(15);
    for (const employmentIndustry of EMPLOYMENT_INDUSTRIES) {
      expect(wallexCustomerSchema.safeParse(customer({ employmentIndustry })).success).toBe(true);
    }
  });

  it.each([
    ['employmentIndustry', 'Banking'],
    ['employmentIndustry', 'banking/finance/insurance'],
    ['employmentStatus', 'Self Employed'],
    ['employmentPosition', 'Manager'],
  ])('refuses %s outside the fixed list, naming the list', (field, value) => {
    const [error] = errorsOf(customer({ [field]: value }));
    expect(error?.path).toBe(field);
    expect(error?.message).toMatch(new RegExp(`^${field} must be one of: `));
  });

  it('never echoes a submitted value in an error', () => {
    const secretish = {
      email: 'not-an-email-XYZZY',
      mobileNumber: 'XYZZY-555',
      identificationNumber: '!!XYZZY!!',
      dateOfBirth: '21-01-XYZZY',
      employmentIndustry: 'XYZZY Industry',
      nationality: 'XYZZY',
      postalCode: 'XYZZY#',
      gender: 'XYZZY',
    };
    const errors = errorsOf(customer(secretish));
    expect(errors.map((e) => e.path).sort()).toEqual(Object.keys(secretish).sort());
    for (const error of errors) expect(error.message).not.toMatch(/XYZZY/);
  });

  it.each([
    ['dateOfBirth', '21-01-1990', 'dateOfBirth must be a date in YYYY-MM-DD format'],
    ['dateOfBirth', '1970-21-01', 'dateOfBirth must be a real calendar date'],
    ['issueDate', '20-02-1990', 'issueDate must be a date in YYYY-MM-DD format'],
    ['dateOfBirth', '2999-01-01', 'dateOfBirth must not be in the future'],
  ])('requires YYYY-MM-DD dates: %s %s', (field, value, message) => {
    expect(errorsOf(customer({ [field]: value }))).toContainEqual({ path: field, message });
  });

  it('requires an expiry date for a passport, after the issue date', () => {
    expect(errorsOf(customer({ expiryDate: undefined }))).toEqual([
      { path: 'expiryDate', message: 'expiryDate is required when identificationType is passport' },
    ]);
    expect(errorsOf(customer({ expiryDate: '2019-01-01' }))).toEqual([
      { path: 'expiryDate', message: 'expiryDate must be after issueDate' },
    ]);
  });

  it('requires the identity document that matches the identification type', () => {
    expect(errorsOf(customer({ documents: ['utility_bill'] }))).toEqual([
      { path: 'documents', message: 'documents must include passport when identificationType is passport' },
    ]);
    expect(errorsOf(customer({ identificationType: 'nric', documents: ['passport'] }))).toEqual([
      { path: 'documents', message: 'documents must include nric or national_identity when identificationType is nric' },
    ]);
  });

  it('refuses unknown document types, duplicates and an empty list', () => {
    expect(errorsOf(customer({ documents: ['passport', 'selfie'] }))[0]).toMatchObject({ path: 'documents[1]' });
    expect(errorsOf(customer({ documents: ['passport', 'passport'] }))).toEqual([
      { path: 'documents', message: 'documents must not list a document type twice' },
    ]);
    expect(errorsOf(customer({ documents: [] }))).toContainEqual({
      path: 'documents',
      message: 'documents must list at least one document type',
    });
  });

  it('applies the sign-up limits and enums', () => {
    expect(errorsOf(customer({ firstName: 'x'.repeat(65) }))).toEqual([
      { path: 'firstName', message: 'firstName must be at most 64 characters' },
    ]);
    expect(errorsOf(customer({ email: `${'a'.repeat(120)}@example.com` }))[0]?.message).toBe(
      'email must be at most 128 characters',
    );
    expect(errorsOf(customer({ accountType: 'personal' }))[0]?.message).toBe('accountType must be one of: individual, company');
    expect(errorsOf(customer({ language: 'fr' }))[0]?.message).toBe('language must be one of: en, id');
    expect(errorsOf(customer({ countryCode: 'sg' }))[0]?.path).toBe('countryCode');
  });

  it('does not take a password or undocumented fields', () => {
    expect(errorsOf(customer({ password: 'veryverysecret1' }))).toEqual([
      { path: 'password', message: 'password is not accepted: the user sets it from the e-mail Wallex sends after sign-up' },
    ]);
    expect(errorsOf(customer({ nickname: 'x' }))).toEqual([{ path: 'nickname', message: 'is not a documented field' }]);
  });

  it('splits the customer into the sign-up and the user-detail bodies', () => {
    const c = customer({ language: 'id', title: 'Ms', city: 'Singapore' });
    expect(toSignupBody(c)).toEqual({
      firstName: 'Mei Ling',
      lastName: 'Tan',
      email: 'mei.ling.tan@example.com',
      countryCode: 'SG',
      accountType: 'individual',
      language: 'id',
    });
    const detail = toDetailBody(c);
    for (const field of [...KYC_REQUIRED_FIELDS, 'expiryDate', 'title', 'city']) expect(detail).toHaveProperty(field);
    for (const field of ['email', 'accountType', 'language', 'documents']) expect(detail).not.toHaveProperty(field);
  });
});
