import { describe, expect, it } from 'vitest';
import { straddleRequestSchema } from '../../../functions/providers/straddle/request';
import {
  straddleCreateBodySchema,
  straddleCustomerSchema,
  straddleReplaceBodySchema,
} from '../../../functions/providers/straddle/schema';
import { toFieldErrors } from '../../../functions/shared/validation';

const individual = (overrides: Record<string, unknown> = {}) => ({
  type: 'individual',
  name: 'Ron Swanson',
  email: 'ron.swanson@pawnee.example',
  phone: '+12128675309',
  device: { ip_address: '192.168.1.1' },
  address: { address1: '123 Main St', city: 'Pawnee', state: 'IN', zip: '46001' },
  compliance_profile: { dob: '1969-05-06', ssn: '123-45-6789' },
  metadata: { crm_id: 'c-1' },
  config: { sandbox_outcome: 'verified' },
  ...overrides,
});

const business = (overrides: Record<string, unknown> = {}) => ({
  type: 'business',
  name: 'Very Good Building Co',
  email: 'office@verygood.example',
  phone: '+13175550100',
  device: { ip_address: '0.0.0.0' },
  compliance_profile: {
    ein: '12-3456789',
    legal_business_name: 'Very Good Building & Development Co',
    website: 'https://verygood.example',
    representatives: [{ name: 'Ron Swanson', email: 'ron@verygood.example', phone: '+13175550101' }],
  },
  ...overrides,
});

/** The field errors a value gets, as `path: message` lines. */
function errorsOf(
  value: unknown,
  schema: { safeParse(v: unknown): { success: boolean; error?: unknown } } = straddleCustomerSchema,
) {
  const result = schema.safeParse(value);
  if (result.success) return [];
  return toFieldErrors(result.error as never).map((e) => `${e.path}: ${e.message}`);
}

describe('Straddle customer schema', () => {
  it('accepts an individual and a business in Straddle field names', () => {
    expect(errorsOf(individual())).toEqual([]);
    expect(errorsOf(business())).toEqual([]);
    expect(
      errorsOf(individual({ address: undefined, compliance_profile: undefined, metadata: undefined, config: undefined })),
    ).toEqual([]);
  });

  it('requires name, email, phone and device.ip_address, and says which is missing', () => {
    const { name: _n, email: _e, phone: _p, ...rest } = individual();
    expect(errorsOf({ ...rest, device: {} })).toEqual([
      'name: name is required',
      'email: email is required',
      'phone: phone is required',
      'device.ip_address: ip_address is required',
    ]);
  });

  it('checks formats: E.164 phone, e-mail, IP address, two-letter state', () => {
    const errors = errorsOf(
      individual({
        phone: '212-867-5309',
        email: 'not-an-email',
        device: { ip_address: '999.1.1.1' },
        address: { address1: '1 Main', city: 'Pawnee', state: 'Indiana', zip: '46001' },
      }),
    );
    expect(errors).toEqual([
      'email: email must be an e-mail address',
      'phone: phone must be in E.164 format (+ then 2 to 15 digits, e.g. +12125550123)',
      'device.ip_address: ip_address must be an IPv4 or IPv6 address (0.0.0.0 for an offline registration)',
      'address.state: state must be a two-letter state code in capitals (e.g. NY)',
    ]);
  });

  it('needs address1, city, state and zip when an address is given', () => {
    expect(errorsOf(individual({ address: { address1: '1 Main St' } }))).toEqual([
      'address.city: city is required',
      'address.state: state is required',
      'address.zip: zip is required',
    ]);
    expect(errorsOf(individual({ address: { address1: '1 Main', city: 'P', state: 'IN', zip: '1', country: 'US' } }))).toEqual([
      'address.country: is not a documented field',
    ]);
  });

  it('takes the full SSN as XXX-XX-XXXX or the last 4 digits, and a real past date of birth', () => {
    expect(errorsOf(individual({ compliance_profile: { dob: '1969-05-06', ssn: '6789' } }))).toEqual([]);
    expect(errorsOf(individual({ compliance_profile: { dob: '1969-02-30', ssn: '123456789' } }))).toEqual([
      'compliance_profile.dob: dob must be a real calendar date',
      'compliance_profile.ssn: ssn must be XXX-XX-XXXX (full) or exactly 4 digits (last 4)',
    ]);
    expect(errorsOf(individual({ compliance_profile: { dob: '2999-01-01', ssn: '6789' } }))).toEqual([
      'compliance_profile.dob: dob must not be in the future',
    ]);
  });

  it('holds each type to its own compliance profile', () => {
    const crossed = errorsOf(individual({ compliance_profile: { ein: '12-3456789', legal_business_name: 'X' } }));
    expect(crossed).toHaveLength(4);
    expect(crossed).toEqual(
      expect.arrayContaining([
        'compliance_profile.ein: is not a documented field',
        'compliance_profile.legal_business_name: is not a documented field',
        'compliance_profile.dob: dob is required',
        'compliance_profile.ssn: ssn is required',
      ]),
    );
    expect(errorsOf(business({ compliance_profile: { ein: '123456789', legal_business_name: '', website: 'ftp://x' } }))).toEqual(
      [
        'compliance_profile.ein: ein must be XX-XXXXXXX',
        'compliance_profile.legal_business_name: legal_business_name must not be blank',
        'compliance_profile.website: website must be an http(s) URL',
      ],
    );
  });

  it('refuses an unknown type', () => {
    expect(errorsOf(individual({ type: 'company' }))).toEqual(['type: type must be individual or business']);
  });

  it('limits metadata to 20 pairs, keys to 40 and values to 500 characters, strings only', () => {
    const pairs = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    expect(errorsOf(individual({ metadata: pairs(20) }))).toEqual([]);
    expect(errorsOf(individual({ metadata: pairs(21) }))).toEqual(['metadata: metadata may hold at most 20 pairs']);
    expect(errorsOf(individual({ metadata: { ['k'.repeat(41)]: 'v' } }))).toEqual([
      'metadata: metadata keys must be 1 to 40 characters',
    ]);
    expect(errorsOf(individual({ metadata: { '': 'v' } }))).toEqual(['metadata: metadata keys must be 1 to 40 characters']);
    expect(errorsOf(individual({ metadata: { k: 'v'.repeat(501) } }))).toEqual([
      'metadata.k: metadata values must be at most 500 characters',
    ]);
    expect(errorsOf(individual({ metadata: { k: 1 } }))).toEqual(['metadata.k: each metadata value must be a string']);
  });

  it('refuses a merchant external_id (the adapter sets it) and processing_method (undocumented effects)', () => {
    expect(errorsOf(individual({ external_id: 'mine', config: { processing_method: 'inline' } }))).toEqual([
      'config.processing_method: processing_method is not accepted: the effect of its values is not documented',
      'external_id: external_id is set by the orchestrator (the onboarding id); send your reference as merchantRef or in metadata',
    ]);
    expect(errorsOf(individual({ config: { sandbox_outcome: 'approve' } }))).toEqual([
      'config.sandbox_outcome: sandbox_outcome must be one of: standard, verified, rejected, review',
    ]);
  });

  it('never echoes a submitted value in a message', () => {
    const secretish = 'ZZ-SECRET-987';
    const errors = errorsOf(
      individual({
        email: secretish,
        phone: secretish,
        compliance_profile: { dob: secretish, ssn: secretish },
        metadata: { k: 7 },
      }),
    );
    expect(errors.length).toBeGreaterThan(3);
    expect(errors.join('\n')).not.toContain(secretish);
  });

  it('lets the provider body carry external_id and processing_method (what the sandbox validates)', () => {
    expect(
      errorsOf(individual({ external_id: 'onb_x', config: { processing_method: 'background' } }), straddleCreateBodySchema),
    ).toEqual([]);
  });

  it('requires device, email, name, phone and status on a full replacement', () => {
    expect(errorsOf({}, straddleReplaceBodySchema)).toEqual([
      'name: name is required',
      'email: email is required',
      'phone: phone is required',
      'device: is required',
      'status: status must be one of: pending, review, verified, inactive, rejected',
    ]);
  });

  it('wraps the customer in a Straddle onboarding request', () => {
    const parsed = straddleRequestSchema.safeParse({ provider: 'straddle', merchantRef: 'u-1', customer: individual() });
    expect(parsed.success).toBe(true);
    expect(
      straddleRequestSchema.safeParse({ provider: 'straddle', merchantRef: 'u-1', customer: individual(), virtualAccount: {} })
        .success,
    ).toBe(false);
  });
});
