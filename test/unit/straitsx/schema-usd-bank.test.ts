import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import {
  bankAccountProviderSchema,
  bankAccountRequestSchema,
  toBankAccountProviderBody,
} from '../../../functions/providers/straitsx/schema-bank-account';
import { usdPatchBody, usdPatchSchema, usdRailMissingFields } from '../../../functions/providers/straitsx/schema-usd';
import { type FieldError, toFieldErrors, ValidationFailed } from '../../../functions/shared/validation';

const failures = (schema: z.ZodMiniType, input: unknown): FieldError[] => {
  const result = schema.safeParse(input);
  return result.success ? [] : toFieldErrors(result.error);
};

describe('USD rail of a basic profile', () => {
  const personalSgd = { registrationType: 'personal' as const, customerName: 'Jane Tan', registrationId: 'S1234567A' };
  const businessSgd = { registrationType: 'business' as const, customerName: 'ABC Pte Ltd', registrationId: '201912345K' };

  it('lists what an SGD-only profile lacks for USD, per the get-started table', () => {
    expect(usdRailMissingFields(personalSgd)).toEqual([
      'registrationIdType',
      'registrationIdCountry',
      'address',
      'countryOfResidence',
      'dateOfBirth',
      'nationality',
    ]);
    expect(usdRailMissingFields(businessSgd)).toEqual([
      'registrationIdType',
      'registrationIdCountry',
      'address',
      'placeOfBiz',
      'placeOfBizCountry',
      'countryOfIncorporation',
      'dateOfIncorporation',
    ]);
    expect(
      usdRailMissingFields({ ...personalSgd, registrationIdType: 'passport', nationality: ' ', dateOfBirth: '1990-01-21' }),
    ).toEqual(['registrationIdCountry', 'address', 'countryOfResidence', 'nationality']);
  });

  it('checks a USD PATCH with the basic profile rules and refuses fields of the other type', () => {
    expect(failures(usdPatchSchema.personal, { countryOfResidence: 'SG', dateOfBirth: '1990-01-21' })).toEqual([]);
    expect(failures(usdPatchSchema.personal, { dateOfBirth: '21/01/1990' })[0]).toMatchObject({
      path: 'dateOfBirth',
      message: expect.stringMatching(/YYYY-MM-DD/),
    });
    expect(failures(usdPatchSchema.personal, { placeOfBiz: 'Singapore' })).toContainEqual({
      path: 'placeOfBiz',
      message: 'is not a documented field',
    });
    expect(failures(usdPatchSchema.business, {})).toEqual([{ path: '', message: 'the update must carry at least one field' }]);
    expect(failures(usdPatchSchema.business, { placeOfBizCountry: 'Singapore' })[0]?.path).toBe('placeOfBizCountry');
  });

  it('builds the PATCH body from the merchant’s fuller data, only with what the profile lacks', () => {
    const current = { ...personalSgd, registrationIdType: 'identity_card', registrationIdCountry: 'SG' } as const;
    const customer = {
      ...current,
      address: { street: '1 Main St', city: 'Singapore', country: 'SG' },
      nationality: 'SG',
      email: 'x@y.io',
    };
    expect(usdPatchBody(current, customer)).toEqual({ address: customer.address, nationality: 'SG' });
    expect(usdPatchBody(current, current)).toBeUndefined();
    expect(() => usdPatchBody(current, { nationality: 'SG', dateOfBirth: '2999-01-01' })).toThrow(ValidationFailed);
  });
});

describe('customer profile bank account', () => {
  const account = (over: Record<string, unknown> = {}) => ({
    account_no: '0123-456789',
    account_holder_name: 'Jane Tan',
    bank: 'DBS',
    ...over,
  });

  it('accepts a FAST account by bank abbreviation and a SWIFT account by BIC', () => {
    expect(failures(bankAccountRequestSchema, account())).toEqual([]);
    const swift = {
      account_no: 'GB33BUKB20201555555555',
      account_holder_name: 'Jane Tan',
      swift_bic: 'BUKBGB22',
      routing_code: 'ABC123',
    };
    expect(
      failures(bankAccountRequestSchema, { ...swift, intermediary_swift_bic: 'CHASUS33XXX', payment_reason: 'Invoice 12' }),
    ).toEqual([]);
  });

  it('names the field and the rule for each broken rule, without echoing values', () => {
    const errors = failures(
      bankAccountRequestSchema,
      account({ account_no: '12#4', swift_bic: 'dbsssgsg', routing_code: 'abc', payment_reason: 'p'.repeat(151) }),
    );
    expect(errors.map((e) => e.path)).toEqual(['account_no', 'swift_bic', 'routing_code', 'payment_reason']);
    expect(errors[0]?.message).toMatch(/^account_no must be 5 to 34 letters, digits or dashes \(rule/);
    expect(JSON.stringify(errors)).not.toMatch(/12#4|dbsssgsg|ppppp/);
    expect(failures(bankAccountRequestSchema, account({ account_holder_name: 'n'.repeat(192) }))[0]?.path).toBe(
      'account_holder_name',
    );
  });

  it('needs a bank abbreviation or a SWIFT code', () => {
    expect(failures(bankAccountRequestSchema, account({ bank: undefined }))).toEqual([
      { path: 'bank', message: 'bank is required unless swift_bic is given (bank for FAST, swift_bic for SWIFT)' },
    ]);
  });

  it('takes the proof as a link or as a data URI with a file name, not both and not neither', () => {
    const png = `data:image/png;base64,${Buffer.from('\x89PNG\r\n\x1a\n').toString('base64')}`;
    expect(
      failures(bankAccountProviderSchema, { ...account(), bank_account_proof: { fileUrl: 'https://d.example.com/p.pdf' } }),
    ).toEqual([]);
    expect(
      failures(bankAccountProviderSchema, { ...account(), bank_account_proof: { fileData: png, fileName: 'statement.png' } }),
    ).toEqual([]);
    const both = failures(bankAccountProviderSchema, {
      ...account(),
      bank_account_proof: { fileUrl: 'https://d.example.com/p.pdf', fileData: png, fileName: 'statement.png' },
    });
    expect(both[0]?.message).toMatch(/either fileUrl or fileData/);
    expect(failures(bankAccountProviderSchema, { ...account(), bank_account_proof: {} })[0]?.path).toBe(
      'bank_account_proof.fileUrl',
    );
    expect(failures(bankAccountProviderSchema, { ...account() })[0]).toEqual({
      path: 'bank_account_proof',
      message: 'is required',
    });
    const gif = failures(bankAccountProviderSchema, {
      ...account(),
      bank_account_proof: { fileData: 'data:image/gif;base64,R0lG', fileName: 'a.gif' },
    });
    expect(gif.map((e) => e.path)).toEqual(['bank_account_proof.fileData', 'bank_account_proof.fileName']);
  });

  it('refuses a proof link with a query string before the provider does', () => {
    const request = bankAccountRequestSchema.parse(account());
    expect(() => toBankAccountProviderBody(request, { fileUrl: 'https://b.example.com/p.pdf?X-Amz-Signature=abc' })).toThrow(
      ValidationFailed,
    );
    expect(toBankAccountProviderBody(request, { fileUrl: 'https://b.example.com/p.pdf' }).bank_account_proof).toEqual({
      fileUrl: 'https://b.example.com/p.pdf',
    });
  });
});
